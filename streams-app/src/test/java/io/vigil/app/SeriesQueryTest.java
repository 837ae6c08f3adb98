package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.evaluation.QuestionDeadline;
import io.vigil.evaluation.RuleIndex;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Rule;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /api/series}' filter: what an alert's filter would match, looked up in the series and the rule. */
class SeriesQueryTest {

    private static final Series NODE = new Series("cpu", Labels.of("instance", "node-07", "cluster", "web\"1\""));

    private static SeriesQuery query(final String filter) {
        return SeriesQuery.parse("match=" + URLEncoder.encode(filter, StandardCharsets.UTF_8));
    }

    private static final RuleIndex RULES = new RuleIndex(TopologyFixture.parse("""
            groups:
              - name: g
                rules:
                  - alert: CpuHigh
                    series: cpu
                    threshold: {above: 90}
                    labels: {severity: page, owner: "{{ $labels.instance }}-team"}
                  - alert: NodeDown
                    series: cpu
                    absent: {after: 5m}
                  - alert: Other
                    series: cpu
                    threshold: {above: 90}
            """));

    private static Rule rule(final String alertname) {
        return RULES.byId("g/" + alertname).orElseThrow();
    }

    /** Matched by the filter, and not passed over on its key. */
    private static boolean asks(final String filter, final String alertname) {
        final SeriesQuery q = query(filter).besideRuleLabels(RULES);
        final boolean matches = q.matches(NODE, rule(alertname));
        // The key check may let a series through that the filter then refuses, never the other way.
        assertThat(!matches || q.mayMatch(NODE.key()) && q.mayMatchRule(rule(alertname))).as(filter).isTrue();
        return matches && q.mayMatch(NODE.key()) && q.mayMatchRule(rule(alertname));
    }

    @Test
    void aFilterSeesTheSeriesLabelsItsNameAndTheRulesAlertName() {
        assertThat(asks("instance=node-07", "CpuHigh")).isTrue();
        assertThat(asks("instance=node-08", "CpuHigh")).isFalse();
        assertThat(asks("__name__=cpu alertname=CpuHigh", "CpuHigh")).isTrue();
        assertThat(asks("alertname=CpuHigh", "NodeDown")).isFalse();
        assertThat(asks("alertname!=CpuHigh", "NodeDown")).isTrue();
        assertThat(asks("instance=~\"node-0[0-9]\"", "CpuHigh")).isTrue();
        assertThat(asks("cluster=\"web\\\"1\\\"\"", "CpuHigh")).isTrue();
        assertThat(asks("zone=\"\"", "CpuHigh")).isTrue();
        // Words: any label name or value containing it, the alert name included.
        assertThat(asks("High", "CpuHigh")).isTrue();
        assertThat(asks("node-0 web", "CpuHigh")).isTrue();
        assertThat(asks("memory", "CpuHigh")).isFalse();
    }

    /** An alert name may be in several groups: a rule named by its id is the one asked about, not its namesakes. */
    @Test
    void aRuleNamedByItsIdIsTheOnlyOneAsked() {
        final RuleIndex twoGroups = new RuleIndex(TopologyFixture.parse("""
                groups:
                  - name: web
                    rules:
                      - alert: CpuHigh
                        series: cpu
                        threshold: {above: 90}
                  - name: db
                    rules:
                      - alert: CpuHigh
                        series: cpu
                        threshold: {above: 80}
                """));
        final SeriesQuery q = SeriesQuery.parse("rule=web%2FCpuHigh&match=instance%3Dnode-07");
        assertThat(q.rule()).isEqualTo("web/CpuHigh");
        assertThat(q.mayMatchRule(twoGroups.byId("web/CpuHigh").orElseThrow())).isTrue();
        assertThat(q.mayMatchRule(twoGroups.byId("db/CpuHigh").orElseThrow())).isFalse();
        assertThat(q.matches(NODE, twoGroups.byId("web/CpuHigh").orElseThrow())).isTrue();
        assertThat(q.matches(NODE, twoGroups.byId("db/CpuHigh").orElseThrow())).isFalse();
        // As another instance is asked it.
        assertThat(SeriesQuery.parse(q.parameters().substring(1)).rule()).isEqualTo("web/CpuHigh");
        assertThat(q.parameters()).isEqualTo("&limit=100&match=instance%3Dnode-07&rule=web%2FCpuHigh");
    }

    /**
     * The page sends one filter to /api/alerts and /api/series: a label the rule sets (severity, a templated owner)
     * selects its series as it selects its alerts, and the rule's value wins over a series' own, as in the alert.
     */
    @Test
    void aFilterSeesTheRulesOwnLabelsAsItsAlertsHaveThem() {
        assertThat(asks("severity=page", "CpuHigh")).isTrue();
        assertThat(asks("severity=page", "NodeDown")).isFalse();
        assertThat(asks("owner=node-07-team", "CpuHigh")).isTrue();
        assertThat(asks("owner=~\"node-08.*\"", "CpuHigh")).isFalse();
        assertThat(asks("page", "CpuHigh")).isTrue();
        assertThat(asks("page", "NodeDown")).isFalse();
        assertThat(asks("owner", "CpuHigh")).isTrue();
        final Series ownSeverity = new Series("cpu", Labels.of("instance", "n1", "severity", "info"));
        final SeriesQuery page = query("severity=page").besideRuleLabels(RULES);
        assertThat(page.matches(ownSeverity, rule("CpuHigh"))).isTrue();
        assertThat(page.mayMatch(ownSeverity.key())).isTrue();
        assertThat(page.matches(ownSeverity, rule("NodeDown"))).isFalse();
    }

    @Test
    void theKeyAndRuleChecksPassOverWhatTheMatchersRuleOut() {
        assertThat(query("instance=node-08").mayMatch(NODE.key())).isFalse();
        assertThat(query("__name__=memory").mayMatch(NODE.key())).isFalse();
        // A label escaped in the key is looked for escaped.
        assertThat(query("cluster=\"web\\\"1\\\"\"").mayMatch(NODE.key())).isTrue();
        // Nothing to rule out on the key: the alert name is not in it, nor a regex's values. The rule is ruled out.
        assertThat(query("alertname=Other instance=~\"x.*\"").mayMatch(NODE.key())).isTrue();
        assertThat(query("alertname=Other").mayMatchRule(rule("CpuHigh"))).isFalse();
        assertThat(query("alertname=~\"Cpu.*\"").mayMatchRule(rule("CpuHigh"))).isTrue();
    }

    /**
     * A question is matched on the stream thread, and a regex a few characters long can cost seconds a series (RE2/J's
     * time is linear in the label's length times the regex's size): one went on for fourteen minutes, long after its
     * asker had given up, and nothing was evaluated meanwhile. Once the deadline has passed, the matching stops,
     * within one regex's match too.
     */
    @Test
    void theMatchingStopsOnceTheAskerHasStoppedWaiting() {
        final Series blob = new Series("m", Labels.of("blob", "ab".repeat(1_000)));
        final SeriesQuery slow = query("blob=~\"(.{0,90}a){1000}\"");
        final SeriesQuery timed = slow.until(QuestionDeadline.after(Duration.ofMillis(50)));
        assertThatThrownBy(() -> timed.matches(blob, rule("CpuHigh"))).isInstanceOf(QuestionDeadline.Passed.class);

        final SeriesQuery passed = query("instance=node-07").until(QuestionDeadline.after(Duration.ZERO));
        assertThatThrownBy(() -> passed.mayMatch(NODE.key())).isInstanceOf(QuestionDeadline.Passed.class);
        assertThat(query("instance=node-07").until(QuestionDeadline.after(Duration.ofMinutes(5)))
                .matches(NODE, rule("CpuHigh"))).isTrue();
    }

    @Test
    void theLimitIsAWholeNumberUpToTenThousand() {
        assertThat(SeriesQuery.parse(null).limit()).isEqualTo(SeriesQuery.DEFAULT_LIMIT);
        assertThat(SeriesQuery.parse("limit=3&match=cpu").limit()).isEqualTo(3);
        assertThat(SeriesQuery.parse("limit=%31%30").limit()).isEqualTo(10);
        for (String bad : new String[] {"0", "-1", "10001", "ten", ""}) {
            assertThatThrownBy(() -> SeriesQuery.parse("limit=" + bad)).isInstanceOf(AlertsQuery.BadQuery.class)
                    .hasMessage("limit must be a whole number from 1 to 10000, not \"" + bad + "\"");
        }
        assertThat(SeriesQuery.parse("limit=3&match=" + URLEncoder.encode("instance=\"a b\"", StandardCharsets.UTF_8))
                .parameters()).isEqualTo("&limit=3&match=instance%3D%22a+b%22");
    }

    @Test
    void theOutlierAlertsItIsToldOfTravelWithItFiringFirstAndNoMoreThanItsLimit() {
        final Map<String, Object> firing = Map.of("rule", "web/Low", "labels", Map.of("__name__", "cpu", "instance",
                "n2"), "state", "firing");
        final Map<String, Object> pending = Map.of("rule", "web/Low", "labels", Map.of("__name__", "cpu", "instance",
                "n1"), "state", "pending");
        final SeriesQuery both = SeriesQuery.parse("limit=5").promoting(List.of(pending, firing));
        final String n1 = new Series("cpu", Labels.of("instance", "n1")).key();
        final String n2 = new Series("cpu", Labels.of("instance", "n2")).key();
        final SeriesQuery received = SeriesQuery.parse(both.parameters().substring(1));
        assertThat(received.outlierAlertRank("web/Low", n2)).isZero();
        assertThat(received.outlierAlertRank("web/Low", n1)).isEqualTo(1);
        assertThat(received.outlierAlertRank("web/High", n1)).isEqualTo(2);
        assertThat(received.outlierAlertRank("web/Low", new Series("cpu", Labels.of("instance", "n3")).key()))
                .isEqualTo(2);

        // An answer shows at most its limit: the firing one is told, the pending one is not.
        final SeriesQuery one = SeriesQuery.parse("limit=1").promoting(List.of(pending, firing));
        assertThat(one.outlierAlertRank("web/Low", n2)).isZero();
        assertThat(one.outlierAlertRank("web/Low", n1)).isEqualTo(2);

        assertThat(SeriesQuery.parse("outliers=only").outliersOnly()).isTrue();
        assertThat(SeriesQuery.parse("limit=2").outlierAlertsOnly().parameters()).isEqualTo("&limit=2&outliers=only");
        for (String bad : new String[] {"x0123456789abcdef", "f0123", "f0123456789abcdeg", ""}) {
            assertThatThrownBy(() -> SeriesQuery.parse("promote=" + bad)).isInstanceOf(AlertsQuery.BadQuery.class)
                    .hasMessageContaining("promote must list f or p and 16 hex digits");
        }
    }
}
