package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.BaselineMethod;
import io.vigil.rules.Condition;
import io.vigil.rules.Direction;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import io.vigil.rules.RuleSource;
import io.vigil.rules.SeriesSelector;
import io.vigil.rules.Template;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * What a move to other rules, by a hot reload or a restart, keeps of a firing alert and its baseline: the alert while
 * its rule keeps its name and labels and selects its series, the baseline while it is built the same way.
 */
class RuleChangeTest {

    private static final long S = 1_000;
    private static final long GRACE = 15 * S;
    private static final Series NODE = new Series("cpu", Labels.of("instance", "n1"));

    private static Rule high(final double above, final Map<String, Template> labels, final SeriesSelector selector) {
        return new Rule("g", "High", selector, Aggregate.LAST, Duration.ofSeconds(10), Duration.ofSeconds(10),
                new Condition.Threshold(true, above, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO, labels,
                Map.of(), "rules.yaml", 1);
    }

    private static final SeriesSelector CPU = new SeriesSelector("cpu", List.of());
    private static final Rule HIGH = high(90, Map.of("severity", Template.literal("page")), CPU);

    private static RuleIndex index(final Rule... rules) {
        return new RuleIndex(new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), List.of(rules),
                "rules.yaml"))));
    }

    /** An evaluator whose {@link #HIGH} fires for {@link #NODE} at 10 s. */
    private static TaskEvaluator firing() {
        final TaskEvaluator e = new TaskEvaluator(index(HIGH), GRACE, 24 * 3600 * S, new EventClock(1));
        e.accept(new Datapoint(NODE, 97, 10 * S));
        e.clock().onWatermark("p0", 10 * S + GRACE);
        assertThat(e.advance().transitions()).extracting(AlertTransition::kind)
                .containsExactly(AlertTransition.Kind.FIRING);
        return e;
    }

    private static List<String> moved(final RuleIndex next, final RuleChange change) {
        return firing().reload(next, change).transitions().stream()
                .map(t -> t.kind() + " " + t.rule().labels().keySet() + " " + t.note().orElse("-")).toList();
    }

    /**
     * As Prometheus keeps a rule's active alerts across a reload by name and labels: a stricter threshold, another
     * {@code for} or summary keep the alert, which the next evaluation judges under the rule as it is now. Until
     * 2026-12-07 a reload resolved it and paged it again, for an edit of the summary's wording.
     */
    @Test
    void aReloadOrARestartKeepsTheAlertOfARuleChangedButForItsIdentity() {
        final Rule edited = new Rule("g", "High", CPU, Aggregate.AVG, Duration.ofSeconds(30), Duration.ofSeconds(10),
                new Condition.Threshold(true, 95, OptionalDouble.empty()), Duration.ofMinutes(1), Duration.ZERO,
                HIGH.labels(), Map.of("summary", Template.literal("CPU is high")), "other.yaml", 7);

        assertThat(moved(index(edited), RuleChange.RELOAD)).isEmpty();
        assertThat(moved(index(edited), RuleChange.RESTART)).isEmpty();
    }

    @Test
    void theAlertsNoRuleInForceWillJudgeAgainResolveSayingWhy() {
        for (RuleChange change : RuleChange.values()) {
            final String reason = "RESOLVED [severity] " + change.reason();
            // Removed.
            assertThat(moved(index(), change)).containsExactly(reason);
            // Its labels changed: its alert would come back under another fingerprint, the old one left firing.
            assertThat(moved(index(high(90, Map.of("severity", Template.literal("warn")), CPU)), change))
                    .containsExactly(reason);
            // Its series no longer selected.
            assertThat(moved(index(high(90, HIGH.labels(), new SeriesSelector("cpu",
                    List.of(LabelMatcher.of("instance", LabelMatcher.Type.EQUAL, "n2"))))), change))
                    .containsExactly(reason);
        }
        assertThat(RuleChange.RELOAD.reason()).isEqualTo("its rule was removed, or its labels or selector changed, by a"
                + " rule reload");
    }

    /**
     * A baseline is kept only while it is built from the same points the same way: compared with sums, a baseline of
     * averages fired, and its firing alert learned nothing, for good (found by a day-2 audit).
     */
    @Test
    void aBaselineIsKeptOnlyWhileItIsBuiltFromTheSamePointsTheSameWay() {
        final Rule avg = deviation(Aggregate.AVG, new Condition.Deviation(Duration.ofMinutes(10),
                Direction.BOTH, 6, 0), CPU);

        for (RuleChange change : RuleChange.values()) {
            assertThat(change.keepsRule(avg, deviation(Aggregate.AVG, new Condition.Deviation(Duration.ofMinutes(10),
                    Direction.HIGH, 4, 5), CPU))).as("judged otherwise: kept").isTrue();
            assertThat(change.keepsRule(avg, deviation(Aggregate.SUM, avg.condition(), CPU))).isFalse();
            assertThat(change.keepsRule(avg, deviation(Aggregate.AVG, new Condition.Deviation(Duration.ofMinutes(30),
                    Direction.BOTH, 6, 0), CPU))).isFalse();
            assertThat(change.keepsRule(avg, deviation(Aggregate.AVG, new Condition.Deviation(Duration.ofMinutes(10),
                    Direction.BOTH, 6, 0, BaselineMethod.STDDEV), CPU))).isFalse();
            assertThat(change.keepsRule(avg, deviation(Aggregate.AVG, avg.condition(), new SeriesSelector("mem",
                    List.of())))).isFalse();
            assertThat(change.keepsRule(avg, high(90, HIGH.labels(), CPU))).as("another kind").isFalse();
        }
    }

    private static Rule deviation(final Aggregate aggregate, final Condition condition, final SeriesSelector selector) {
        return new Rule("g", "High", selector, aggregate, Duration.ofSeconds(30), Duration.ofSeconds(10), condition,
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "rules.yaml", 1);
    }

    @Test
    void theRulesATaskRanComeBackFromWhatItKept() {
        final String yaml = """
                groups:
                  - name: g
                    rules:
                      - alert: High
                        series: cpu
                        threshold: {above: 90}
                """;
        final RuleSet read = RuleLoader.parse("rules/nodes.yaml", yaml).ruleSet();

        final byte[] kept = RulesRan.encode(read.sources());

        assertThat(RulesRan.decode(kept)).hasValueSatisfying(ran ->
                assertThat(ran.rule(0)).isEqualTo(read.rules().get(0)));
        assertThat(RulesRan.encode(List.of())).as("rules not read from files: nothing kept").isNull();
        assertThat(RulesRan.decode(new byte[] {1, 2, 3})).as("bytes of another form: started as before").isEmpty();
        assertThat(RulesRan.decode(RulesRan.encode(List.of(new RuleSource("old.yaml", "groups: [{name: g, rules: 5}]")))))
                .as("files this version no longer loads: started as before").isEmpty();
    }
}
