package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which rules {@code vigil demo} plays with when not told: run from outside the repository's root it said
 * "rules:1:1: no such file or directory", though the launcher knows where the repository is.
 */
class DemoRulesTest {

    @TempDir
    Path dir;

    @Test
    void theWorkingDirectorysRulesFirst() throws Exception {
        Files.createDirectories(dir.resolve("rules"));
        final Path jar = repository(dir.resolve("repo")).resolve("streams-app/target/vigil.jar");

        assertThat(DemoCommand.defaultRules(dir, Optional.of(jar))).isEqualTo(Path.of("rules"));
    }

    @Test
    void elseTheRepositorysOfTheJarOrTheRulesBesideIt() throws Exception {
        final Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        final Path repo = repository(dir.resolve("repo"));
        final Path image = Files.createDirectories(dir.resolve("opt/vigil/rules")).getParent();

        assertThat(DemoCommand.defaultRules(elsewhere, Optional.of(repo.resolve("streams-app/target/vigil.jar"))))
                .isEqualTo(repo.resolve("rules"));
        assertThat(DemoCommand.defaultRules(elsewhere, Optional.of(image.resolve("vigil.jar"))))
                .isEqualTo(image.resolve("rules"));
    }

    @Test
    void theTestsClassesAreInTheRepository() {
        final Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(DemoCommand.defaultRules(dir, DemoCommand.codeLocation())).isEqualTo(root.resolve("rules"));
    }

    @Test
    void noRulesAnywhereIsAUsageErrorSayingWhereItLooked() {
        final Path jar = dir.resolve("downloads/vigil.jar");
        assertThatThrownBy(() -> DemoCommand.defaultRules(dir, Optional.of(jar)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rules/ not found in " + dir
                        + ": run the demo from the repository's root, or give --rules");
        assertThatThrownBy(() -> DemoCommand.defaultRules(dir, Optional.empty())).isInstanceOf(ConfigException.class);
    }

    /** Rules of another fleet, a directory's own rules/: said before the play, not only as incidents missed. */
    @Test
    void rulesWatchingNoneOfTheClustersMetricsAreSaidBeforeThePlay() {
        final RuleSet other = TopologyFixture.parse("""
                groups:
                  - name: web
                    every: 10s
                    rules:
                      - alert: Busy
                        series: cpu_usage_percent
                        threshold: {above: 90}
                """);
        assertThat(DemoCommand.unwatched(other)).contains("Note: no rule watches net_transmit_bytes_total,"
                + " db_connections, which the cluster sends: the incidents seen there will not be detected. The rules"
                + " the demo is written for are the repository's rules/ (give --rules).");
        final Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(DemoCommand.unwatched(RulesCommand.loadOrFail(List.of(root.resolve("rules")),
                new picocli.CommandLine(new VigilCommand())))).isEmpty();
    }

    /** A repository's layout: rules/ and streams-app/target/. */
    private static Path repository(final Path root) throws Exception {
        Files.createDirectories(root.resolve("rules"));
        Files.createDirectories(root.resolve("streams-app/target"));
        return root;
    }
}
