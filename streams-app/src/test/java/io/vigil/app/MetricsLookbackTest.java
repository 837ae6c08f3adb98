package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.rules.LoadResult;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleLoader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLookbackTest {

    @TempDir
    Path dir;

    @Test
    void autoReadsTheLongestHistoryARuleLooksAtPlusAnHour() throws Exception {
        final List<Rule> rules = rules("""
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Hot
                        series: cpu
                        aggregate: avg
                        window: 5m
                        for: 10m
                        threshold: {above: 90}
                      - alert: Surge
                        series: connections
                        aggregate: avg
                        window: 1m
                        for: 2m
                        deviation: {baseline: 6h, direction: up, z: 6}
                      - alert: Silent
                        series: cpu
                        aggregate: last
                        window: 1m
                        absent: {after: 2m}
                """);

        assertThat(rules.stream().map(MetricsLookback::history))
                .containsExactly(Duration.ofMinutes(15), Duration.ofMinutes(363), Duration.ofMinutes(3));
        assertThat(new MetricsLookback.Auto().span(rules)).contains(Duration.ofMinutes(363 + 60));
        assertThat(new MetricsLookback.Auto().span(List.of()))
                .as("no rules yet (a sidecar fills the directory later): what would have paged in the last hour")
                .contains(Duration.ofHours(1));
    }

    @Test
    void allReadsTheWholeRetentionAndADurationThatLong() throws Exception {
        final List<Rule> rules = rules("""
                groups:
                  - name: g
                    rules:
                      - alert: Surge
                        series: connections
                        deviation: {baseline: 7d, direction: up, z: 6}
                """);

        assertThat(new MetricsLookback.All().span(rules)).isEmpty();
        assertThat(new MetricsLookback.Fixed(Duration.ofHours(6)).span(rules)).contains(Duration.ofHours(6));
    }

    @Test
    void parsesAutoAllAndDurationsAndRefusesTheRestNamingTheKey() {
        assertThat(MetricsLookback.parse("auto")).isEqualTo(new MetricsLookback.Auto());
        assertThat(MetricsLookback.parse("all")).isEqualTo(new MetricsLookback.All());
        assertThat(MetricsLookback.parse("1h30m")).isEqualTo(new MetricsLookback.Fixed(Duration.ofMinutes(90)));
        assertThat(MetricsLookback.parse("1h30m").describe()).isEqualTo("1h30m");

        assertThatThrownBy(() -> MetricsLookback.parse("earliest")).isInstanceOf(ConfigException.class)
                .hasMessage("topics.metrics_lookback: 'earliest' is neither auto, all nor a duration (e.g. 6h)");
        assertThatThrownBy(() -> MetricsLookback.parse("0s")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("topics.metrics_lookback: must be longer than 0s");
        assertThatThrownBy(() -> MetricsLookback.parse("4000d")).isInstanceOf(ConfigException.class)
                .hasMessage("topics.metrics_lookback: '4000d' is too long, at most 3650d (or all)");
    }

    @Test
    void theConfigurationDefaultsToAutoAndTheEnvironmentOrFileSetIt() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).metricsLookback()).isEqualTo(new MetricsLookback.Auto());
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS_LOOKBACK", "all")).metricsLookback())
                .isEqualTo(new MetricsLookback.All());
        final Path file = Files.writeString(dir.resolve("vigil.yaml"), "topics: {metrics_lookback: 6h}\n");
        assertThat(ConfigLoader.load(file, Map.of()).metricsLookback())
                .isEqualTo(new MetricsLookback.Fixed(Duration.ofHours(6)));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS_LOOKBACK", "latest")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_TOPICS_METRICS_LOOKBACK (topics.metrics_lookback): 'latest' is neither auto, all"
                        + " nor a duration (e.g. 6h)");
    }

    @Test
    void theTopologySettingsOfRunCarryTheSpanAndReplayReadsItsFileWhole() {
        final VigilConfig config = ConfigLoader.load(null, Map.of());
        assertThat(TopologySettings.of(config, Map.of("metrics", 4), Optional.of(Duration.ofHours(2)))
                .metricsLookback()).contains(Duration.ofHours(2));
        assertThat(Replay.settings(config).metricsLookback()).isEmpty();
    }

    @Test
    void anApplicationWhoseCommittedOffsetsCannotBeReadReadsTheWholeRetentionNotLosingRecords() throws Exception {
        // Nothing listens on the port: whether the application is new cannot be known, and a lookback would skip
        // records of partitions an application that has run never read.
        final int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (Admin admin = Admin.create(Map.of(
                "bootstrap.servers", "127.0.0.1:" + closed, "default.api.timeout.ms", "1000",
                "request.timeout.ms", "500"))) {
            assertThat(FirstStart.lookback(admin, "vigil", List.of("metrics"), new MetricsLookback.Auto(), List.of()))
                    .isEmpty();
        }
        assertThat(FirstStart.lookback(null, "vigil", List.of("metrics"), new MetricsLookback.All(), List.of()))
                .as("all asks Kafka nothing").isEmpty();
    }

    private List<Rule> rules(final String yaml) throws Exception {
        final LoadResult loaded = RuleLoader.load(List.of(Files.writeString(dir.resolve("rules.yaml"), yaml)));
        assertThat(loaded.problems()).isEmpty();
        return loaded.ruleSet().rules();
    }
}
