package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.Condition;
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
 * What a move to other rules keeps of a firing alert: a hot reload only an unchanged rule's; a restart with other
 * rules what a restart always kept, resolving only the alerts no rule in force will judge again.
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

    @Test
    void aRestartKeepsTheAlertOfARuleChangedButForItsIdentityWhereAReloadStartsAfresh() {
        final RuleIndex stricter = index(high(95, HIGH.labels(), CPU));

        assertThat(moved(stricter, RuleChange.RESTART)).isEmpty();
        assertThat(moved(stricter, RuleChange.RELOAD)).containsExactly(
                "RESOLVED [severity] its rule was removed or changed by a rule reload");
    }

    @Test
    void aRestartResolvesTheAlertsNoRuleInForceWillJudgeAgain() {
        final String reason = "RESOLVED [severity] its rule was removed, or its labels changed, while Vigil was stopped";
        // Removed.
        assertThat(moved(index(), RuleChange.RESTART)).containsExactly(reason);
        // Its labels changed: its alert would come back under another fingerprint, the old one left firing.
        assertThat(moved(index(high(90, Map.of("severity", Template.literal("warn")), CPU)), RuleChange.RESTART))
                .containsExactly(reason);
        // Its series no longer selected.
        assertThat(moved(index(high(90, HIGH.labels(), new SeriesSelector("cpu",
                List.of(LabelMatcher.of("instance", LabelMatcher.Type.EQUAL, "n2"))))), RuleChange.RESTART))
                .containsExactly(reason);
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
                assertThat(ran.rule(0).sameDefinition(read.rules().get(0))).isTrue());
        assertThat(RulesRan.encode(List.of())).as("rules not read from files: nothing kept").isNull();
        assertThat(RulesRan.decode(new byte[] {1, 2, 3})).as("bytes of another form: started as before").isEmpty();
        assertThat(RulesRan.decode(RulesRan.encode(List.of(new RuleSource("old.yaml", "groups: [{name: g, rules: 5}]")))))
                .as("files this version no longer loads: started as before").isEmpty();
    }
}
