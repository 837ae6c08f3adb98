package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AlternatingBuilds} runs from the benchmark jar against the application jar built before it, at a tiny size:
 * whether it runs and reports, not what it measures. A build without the harness, and no build, are refused.
 */
class AlternatingBuildsIT {

    private static final Path BENCHMARKS = Path.of("target", "benchmarks.jar");
    private static final Path VIGIL = Path.of("..", "streams-app", "target", "vigil.jar");

    @TempDir
    Path dir;

    @Test
    void twoBuildsAreTimedRoundByRoundAndTheirRatioReported() throws Exception {
        final Path a = Files.copy(VIGIL, dir.resolve("a.jar"));
        final Path b = Files.copy(VIGIL, dir.resolve("b.jar"));

        final Result run = run("--rounds", "3", "--datapoints", "2000", a.toString(), b.toString());

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("round 1:  a.jar ", "round 3:  a.jar ", "a.jar: CPU per line, median ",
                "b.jar: CPU per line, median ").containsPattern("ratio b\\.jar / a\\.jar: median \\d+\\.\\d{3}, ");
    }

    @Test
    void aBuildWithoutTheHarnessAndNoBuildAreRefused() throws Exception {
        final Path empty = dir.resolve("empty.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(empty), new Manifest())) {
            out.flush();
        }

        final Result old = run(empty.toString());
        assertThat(old.exit()).isEqualTo(2);
        assertThat(old.output()).contains("empty.jar has no io.vigil.app.IngestHalf");

        final Result none = run("--rounds", "3");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.output()).startsWith("usage: AlternatingBuilds");
    }

    private record Result(int exit, String output) {
    }

    private Result run(final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", BENCHMARKS.toString(), AlternatingBuilds.class.getName()));
        command.addAll(List.of(args));
        final Path output = Files.createTempFile(dir, "run", ".txt");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("finished").isTrue();
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
