package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cardinality guard through the production topology: a rule at {@code evaluation.max_series_per_rule} leaves new
 * series unevaluated, counts them, and says so with an alert about Vigil on the alerts topic.
 */
class SeriesLimitTopologyTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final long STEP = 10_000;

    private static final String RULES = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 30s
                    threshold: {above: 90}
            """;

    @TempDir
    Path dir;

    @Test
    void aRuleAtItsSeriesLimitAlertsAboutItselfAndResolvesOnceItHasRoomAndRefusesNothing() {
        final TopologySettings settings = TopologyFixture.settings(List.of(InputTopic.auto("metrics")),
                IngestLimits.defaults()).withMaxSeriesPerRule(2);
        try (TopologyFixture f = new TopologyFixture(new LiveRules(TopologyFixture.parse(RULES)), dir,
                Instant.ofEpochMilli(T0).plus(Duration.ofDays(1)), settings)) {
            final List<AlertEvent> events = new ArrayList<>();
            // n1 and n2 are held; n3 (as hot as n1) is one series too many for CpuHigh.
            for (int step = 0; step <= 3; step++) {
                for (String node : new String[] {"n1", "n2", "n3"}) {
                    f.send(TopologyFixture.point("cpu", Map.of("instance", node), node.equals("n2") ? 50 : 95,
                            T0 + step * STEP));
                }
            }
            events.addAll(f.events());
            assertThat(describe(events)).containsExactly(
                    "FIRING VigilRuleSeriesLimit nodes/CpuHigh @2022-06-21T06:00:00Z",
                    "FIRING CpuHigh n1 @2022-06-21T06:00:00Z");
            final AlertEvent limit = events.get(0);
            assertThat(limit.labels().toMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "alertname", "VigilRuleSeriesLimit", "rule", "nodes/CpuHigh", "partition", "0",
                    "severity", "warning"));
            assertThat(limit.annotations().get("description")).startsWith("The evaluator task of partition 0 holds 2 series of this rule, its share of evaluation.max_series_per_rule");
            // n3's point of each step was refused: it is never held, so each point asks again.
            assertThat(f.registry.get("vigil.series.limited").tag("rule", "nodes/CpuHigh").counter().count())
                    .isEqualTo(4);

            // n1 and n3 stop. Once n1's last point is out of every window it is no longer held and CpuHigh has room;
            // ten minutes after its last refusal (n3 at 06:00:30) its limit alert resolves.
            for (int step = 4; step <= 65; step++) {
                f.send(TopologyFixture.point("cpu", Map.of("instance", "n2"), 50, T0 + step * STEP));
            }
            assertThat(describe(f.events())).containsExactly(
                    "RESOLVED CpuHigh n1 @2022-06-21T06:01:00Z",
                    "RESOLVED VigilRuleSeriesLimit nodes/CpuHigh @2022-06-21T06:10:30Z");
        }
    }

    private static List<String> describe(final List<AlertEvent> events) {
        return events.stream().map(e -> e.status() + " " + e.labels().get("alertname") + " "
                + e.labels().get(e.labels().get("alertname").equals("VigilRuleSeriesLimit") ? "rule" : "instance") + " @"
                + (e.status() == EventStatus.FIRING ? e.startsAt().orElseThrow() : e.endsAt().orElseThrow())).toList();
    }
}
