package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar `./vigil` runs, as built by {@code mvn package} (before the integration tests): {@code vigil --version}
 * printed "vigil development build", its manifest having no Implementation-Version. It prints the project's version.
 */
class JarVersionIT {

    private static final Path JAR = Path.of("target", "vigil.jar");

    @Test
    void versionIsTheProjectsVersion() throws Exception {
        final String projectVersion;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            final Properties pom = new Properties();
            try (InputStream in = jar.getInputStream(
                    jar.getEntry("META-INF/maven/io.vigil/vigil-streams-app/pom.properties"))) {
                pom.load(in);
            }
            projectVersion = pom.getProperty("version");
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version"))
                    .isEqualTo(projectVersion);
        }
        assertThat(projectVersion).isNotBlank();

        for (List<String> args : List.of(List.of("--version"), List.of("replay", "-V"))) {
            final Process vigil = start(args);
            assertThat(vigil.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(vigil.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                    .as(String.join(" ", args)).isEqualTo("vigil " + projectVersion);
            assertThat(vigil.exitValue()).isZero();
        }
    }

    private static Process start(final List<String> args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
