package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process replay pipeline computes what the Kafka Streams topology computes: the same records through both
 * (the topology in Kafka Streams' own test driver) give the same alert events, event for event.
 */
class ReplayEquivalenceTest {

    @TempDir
    Path dir;

    /** @param bySeries {@code topics.partitioned_by_series}: the topology evaluates in ingest's task, no repartition */
    @ParameterizedTest(name = "topics.partitioned_by_series: {0}")
    @ValueSource(booleans = {false, true})
    void theReplayPipelineAndTheTopologyAgreeOnEveryRuleKind(final boolean bySeries) throws Exception {
        final RuleSet rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final List<String> records = FleetRecords.generate();
        final Path input = dir.resolve("fleet.jsonl");
        Files.write(input, records);

        final List<String> replayed = new ArrayList<>();
        final VigilConfig config = ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://vigil:8080"));
        Replay.run(rules, config, List.of(input), json -> replayed.add(new String(json, java.nio.charset.StandardCharsets.UTF_8)));

        final List<String> topology = new ArrayList<>();
        final TopologySettings settings = TopologyFixture.settings(List.of(InputTopic.auto("metrics")),
                IngestLimits.defaults()).withPartitionedBySeries(bySeries);
        try (TopologyFixture f = new TopologyFixture(new LiveRules(rules), dir.resolve("state"),
                Instant.ofEpochMilli(FleetRecords.T0).plus(Duration.ofDays(1)), settings)) {
            records.forEach(f::send);
            assertThat(f.driver.producedTopicNames().stream().anyMatch(t -> t.endsWith("-"
                    + VigilTopology.SERIES_REPARTITION + "-repartition"))).as("through a series repartition")
                    .isEqualTo(!bySeries);
            f.events().forEach(e -> topology.add(AlertEventJson.writeString(e)));
        }
        assertThat(replayed).hasSizeGreaterThan(10);
        assertThat(replayed).containsExactlyInAnyOrderElementsOf(topology);
        assertThat(perAlert(replayed)).isEqualTo(perAlert(topology));
    }

    /** Each alert's events in order. */
    private static Map<String, List<String>> perAlert(final List<String> events) {
        final Map<String, List<String>> out = new java.util.TreeMap<>();
        for (String json : events) {
            final AlertEvent e = AlertEventJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(json);
        }
        return out;
    }
}
