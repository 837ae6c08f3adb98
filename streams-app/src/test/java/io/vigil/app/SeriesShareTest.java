package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.evaluation.PeerJudgment;
import io.vigil.evaluation.RuleIndex;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /api/series}' shares, one per instance, made one answer. */
class SeriesShareTest {

    private static final RuleIndex RULES = new RuleIndex(TopologyFixture.parse("""
            groups:
              - name: web
                rules:
                  - alert: CpuHigh
                    series: cpu
                    threshold: {above: 90}
                  - alert: Low
                    series: cpu
                    outlier: {peers: [cluster], direction: low, z: 3, min_peers: 5}
            """));
    private static final long AT = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();

    private static Map<String, Object> entry(final String rule, final String instance, final String state,
                                             final double value) {
        final Map<String, Object> e = new HashMap<>();
        e.put("rule", rule);
        e.put("kind", rule.endsWith("Low") ? "outlier" : "threshold");
        e.put("labels", Map.of("__name__", "cpu", "instance", instance, "cluster", "web"));
        e.put("state", state);
        e.put("activeAt", null);
        e.put("value", value);
        e.put("holds", rule.endsWith("Low") ? "peers" : "no");
        e.put("median", null);
        e.put("z", null);
        return e;
    }

    private static SeriesShare merge(final int limit, final SeriesShare... shares) {
        return SeriesShare.merge(List.of(shares), SeriesQuery.parse("limit=" + limit), RULES::byId);
    }

    @Test
    void anOutlierTakesTheStateOfItsAlertFromWhicheverShareHoldsIt() throws Exception {
        // Instance A evaluates node-07's series; instance B's peer stage holds its alert, firing.
        final SeriesShare a = new SeriesShare(List.of(entry("web/Low", "node-07", "inactive", 3.2),
                entry("web/CpuHigh", "node-01", "inactive", 40)), 2, List.of(), List.of(), List.of());
        final Map<String, Object> alert = Map.of("rule", "web/Low", "labels", Map.of("instance", "node-07",
                "__name__", "cpu", "cluster", "web"), "state", "firing", "activeAt", "2026-12-06T10:00:00Z",
                "startsAt", "2026-12-06T10:05:00Z", "median", 2507.0, "z", -9.5);
        final SeriesShare b = new SeriesShare(List.of(entry("web/CpuHigh", "node-02", "pending", 95)), 1,
                List.of("task 0_3 of b:8080"), List.of(alert), List.of());

        final SeriesShare merged = merge(10, a, b);
        assertThat(merged.series()).extracting(e -> e.get("rule") + " " + ((Map<?, ?>) e.get("labels")).get("instance")
                + " " + e.get("state")).containsExactly("web/Low node-07 firing", "web/CpuHigh node-02 pending",
                "web/CpuHigh node-01 inactive");
        assertThat(merged.series().get(0)).containsEntry("median", 2507.0).containsEntry("z", -9.5)
                .containsEntry("activeAt", "2026-12-06T10:00:00Z").containsEntry("startsAt", "2026-12-06T10:05:00Z")
                .containsEntry("value", 3.2);
        assertThat(merged.matched()).isEqualTo(3);
        assertThat(merged.unanswered()).containsExactly("task 0_3 of b:8080");
        // The whole answer leaves the peer stages' parts out: they are in its entries now.
        assertThat(new ObjectMapper().writeValueAsString(merged)).doesNotContain("outlierAlerts")
                .doesNotContain("peerGroups");

        final SeriesShare cut = merge(1, a, b);
        assertThat(cut.series()).hasSize(1);
        assertThat(cut.matched()).isEqualTo(3);
    }

    /**
     * The story Vigil was built on: a node far below its peers. Not alerting (yet), it shows its value against its
     * group's last judgment, whichever instance judged the group; a group too small to judge says so.
     */
    @Test
    void anOutlierWithoutAnAlertIsJudgedAgainstItsGroupsLastJudgment() throws Exception {
        final SeriesShare a = new SeriesShare(List.of(entry("web/Low", "node-07", "inactive", 3.2),
                entry("web/Low", "node-08", "inactive", 2500)), 2, List.of(), List.of(), List.of());
        final PeerJudgment web = new PeerJudgment("web/Low", Map.of("cluster", "web"), AT, 18, 2507, 40);
        final SeriesShare b = new SeriesShare(List.of(), 0, List.of(), List.of(), List.of(SeriesShare.group(web)));
        final ObjectMapper json = new ObjectMapper();
        // As another instance would send it: through JSON.
        final SeriesShare sent = json.readValue(json.writeValueAsString(b), SeriesShare.class);

        final SeriesShare merged = merge(10, a, sent);
        final Map<String, Object> low = merged.series().get(0);
        assertThat(low).containsEntry("holds", "yes").containsEntry("median", 2507.0).containsEntry("state", "inactive");
        assertThat((Double) low.get("z")).isCloseTo(web.z(3.2), org.assertj.core.data.Offset.offset(1e-9)).isLessThan(-3);
        assertThat(low.get("group")).isEqualTo(Map.of("at", "2026-12-06T10:00:00Z", "members", 18, "minPeers", 5));
        assertThat(merged.series().get(1)).containsEntry("holds", "no");

        final PeerJudgment few = new PeerJudgment("web/Low", Map.of("cluster", "web"), AT, 3, Double.NaN, Double.NaN);
        final Map<String, Object> alone = merge(10, a, new SeriesShare(List.of(), 0, List.of(), List.of(),
                List.of(SeriesShare.group(few)))).series().get(0);
        assertThat(alone).containsEntry("holds", "too_few_peers").containsEntry("median", null);
        assertThat(alone.get("group")).isEqualTo(Map.of("at", "2026-12-06T10:00:00Z", "members", 3, "minPeers", 5));

        // Another group's judgment says nothing of this one.
        final PeerJudgment db = new PeerJudgment("web/Low", Map.of("cluster", "db"), AT, 18, 10, 1);
        assertThat(merge(10, a, new SeriesShare(List.of(), 0, List.of(), List.of(), List.of(SeriesShare.group(db))))
                .series().get(0)).containsEntry("holds", "peers").doesNotContainKey("group");
    }

    /** Members' sums that overflow judge a group at an infinite median, which JSON carries as a string. */
    @Test
    void aGroupJudgedAtAnInfiniteMedianCrossesJson() throws Exception {
        final SeriesShare a = new SeriesShare(List.of(entry("web/Low", "node-07", "inactive", 3.2)), 1, List.of(),
                List.of(), List.of());
        final PeerJudgment huge = new PeerJudgment("web/Low", Map.of("cluster", "web"), AT, 5,
                Double.POSITIVE_INFINITY, Double.NaN);
        final ObjectMapper json = new ObjectMapper();
        final SeriesShare sent = json.readValue(json.writeValueAsString(new SeriesShare(List.of(), 0, List.of(),
                List.of(), List.of(SeriesShare.group(huge)))), SeriesShare.class);
        final Map<String, Object> low = merge(10, a, sent).series().get(0);
        assertThat(low).containsEntry("median", null).containsEntry("z", null).containsEntry("holds", "no");
    }

    @Test
    void aShareReadBackFromJsonMergesAsItWasWritten() throws Exception {
        final ObjectMapper json = new ObjectMapper();
        final SeriesShare share = new SeriesShare(List.of(entry("web/CpuHigh", "node-01", "inactive", 40)), 1,
                List.of(), List.of(), List.of());
        final SeriesShare read = json.readValue(json.writeValueAsString(share), SeriesShare.class);
        assertThat(merge(10, read)).isEqualTo(merge(10, share));
    }

    /**
     * An instance merging its own share, for the one that asked, cuts it to the limit before the peer stages' states
     * are applied: an outlier firing in another instance's peer stage must survive that cut, as the question says.
     */
    @Test
    void anOwnShareKeepsTheOutliersTheQuestionSaysAreFiring() {
        final SeriesShare mine = new SeriesShare(List.of(entry("web/CpuHigh", "node-01", "inactive", 40),
                entry("web/Low", "node-07", "inactive", 3.2)), 2, List.of(), List.of(), List.of());
        assertThat(merge(1, mine).series()).extracting(e -> (Object) ((Map<?, ?>) e.get("labels")).get("instance"))
                .containsExactly("node-01");

        final Map<String, Object> elsewhere = Map.of("rule", "web/Low", "labels", Map.of("instance", "node-07",
                "__name__", "cpu", "cluster", "web"), "state", "firing");
        final SeriesQuery told = SeriesQuery.parse("limit=1").promoting(List.of(elsewhere));
        // As the instance asked receives it: through the URL.
        final SeriesQuery received = SeriesQuery.parse("scope=local" + told.parameters());
        final SeriesShare kept = SeriesShare.merge(List.of(mine), received, RULES::byId);
        assertThat(kept.series()).extracting(e -> (Object) ((Map<?, ?>) e.get("labels")).get("instance"))
                .containsExactly("node-07");
        assertThat(kept.matched()).isEqualTo(2);
    }
}
