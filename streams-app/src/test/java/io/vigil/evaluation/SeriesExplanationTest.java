package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.BaselineMethod;
import io.vigil.rules.Condition;
import io.vigil.rules.Direction;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SeriesSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskEvaluator#explain}: what each rule makes of a series at its next evaluation, with the points received so
 * far, judged as the evaluation will judge it, without changing what the evaluation then finds.
 */
class SeriesExplanationTest {

    private static final long S = 1_000;
    private static final long GRACE = 15 * S;
    private static final Series N1 = new Series("cpu", Labels.of("instance", "n1", "cluster", "a"));
    private static final Series N2 = new Series("cpu", Labels.of("instance", "n2", "cluster", "a"));

    private static Rule rule(final String alert, final Aggregate aggregate, final Duration window,
                             final Condition condition, final Duration forDuration) {
        return new Rule("g", alert, new SeriesSelector("cpu", List.of()), aggregate, window, Duration.ofSeconds(10),
                condition, forDuration, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
    }

    private static final Rule HIGH = rule("High", Aggregate.LAST, Duration.ofMinutes(1),
            new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ofSeconds(20));

    private static TaskEvaluator evaluator(final Rule... rules) {
        return new TaskEvaluator(new RuleIndex(new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10),
                List.of(rules), "test.yaml")))), GRACE, 24 * 3600 * S, new EventClock(1));
    }

    /** Points of each series at {@code fromS}, {@code fromS + 10}, ... seconds; the watermark after each step. */
    private static List<AlertTransition> feed(final TaskEvaluator e, final long fromS, final Map<Series, double[]> values) {
        final List<AlertTransition> out = new ArrayList<>();
        final int steps = values.values().iterator().next().length;
        for (int k = 0; k < steps; k++) {
            final long t = (fromS + 10L * k) * S;
            for (Map.Entry<Series, double[]> v : values.entrySet()) {
                e.accept(new Datapoint(v.getKey(), v.getValue()[k], t));
            }
            e.clock().onWatermark("p0", t);
            out.addAll(e.advance().transitions());
        }
        return out;
    }

    private static SeriesExplanation only(final TaskEvaluator e, final Series series) {
        final SeriesQuestions.TaskAnswer explained = e.explain(LabelsFilter.of(labels -> series.labels().get("instance")
                .equals(labels.get("instance"))), 10);
        assertThat(explained.kept()).hasSize(1);
        return explained.kept().get(0);
    }

    @Test
    void aThresholdRuleShowsTheWindowItsNextEvaluationJudgesAndChangesNothing() {
        final TaskEvaluator e = evaluator(HIGH);
        // Watermark 60 s: instants through 40 s are evaluated (grace 15 s); 95 since 30 s is pending, due to fire at 50.
        assertThat(feed(e, 10, Map.of(N1, new double[] {50, 50, 95, 95, 95, 95}))).hasSize(1);
        final SeriesExplanation pending = only(e, N1);
        assertThat(pending.rule()).isEqualTo(HIGH);
        assertThat(pending.series()).isEqualTo(N1);
        assertThat(pending.at()).isEqualTo(50 * S);
        assertThat(pending.points()).isEqualTo(5);
        assertThat(pending.value()).isEqualTo(95);
        assertThat(pending.holds()).isEqualTo(SeriesExplanation.Holds.YES);
        assertThat(pending.status().state()).isEqualTo(AlertState.PENDING);
        assertThat(pending.status().activeAt()).isEqualTo(30 * S);
        assertThat(pending.lastSeen()).isEqualTo(50 * S);
        assertThat(pending.baselineSize()).isEqualTo(-1);

        // Asked again, the same; and the evaluation then fires at 50 s as it would have unasked.
        assertThat(only(e, N1)).isEqualTo(pending);
        final List<AlertTransition> next = feed(e, 70, Map.of(N1, new double[] {20}));
        assertThat(next).hasSize(1);
        assertThat(next.get(0).kind()).isEqualTo(AlertTransition.Kind.FIRING);
        assertThat(next.get(0).status().firedAt()).isEqualTo(50 * S);

        // At 60 s the last point is 95, not yet the 20 of 70 s: the window ends at the instant, not at the newest point.
        final SeriesExplanation firing = only(e, N1);
        assertThat(firing.at()).isEqualTo(60 * S);
        assertThat(firing.value()).isEqualTo(95);
        assertThat(firing.status().isFiring()).isTrue();
    }

    @Test
    void anAnswerKeepsTheFiringFirstUpToItsLimitAndCountsEveryMatch() {
        final TaskEvaluator e = evaluator(HIGH);
        feed(e, 10, Map.of(N1, new double[] {95, 95, 95, 95, 95, 95, 95}, N2, new double[] {40, 40, 40, 40, 40, 40, 40}));
        final SeriesQuestions.TaskAnswer all = e.explain(LabelsFilter.of(labels -> true), 10);
        assertThat(all.matched()).isEqualTo(2);
        assertThat(all.kept()).extracting(x -> x.series().labels().get("instance")).containsExactly("n1", "n2");
        assertThat(all.kept().get(0).status().isFiring()).isTrue();
        assertThat(all.kept().get(1).holds()).isEqualTo(SeriesExplanation.Holds.NO);
        assertThat(all.kept().get(1).value()).isEqualTo(40);

        final SeriesQuestions.TaskAnswer cut = e.explain(LabelsFilter.of(labels -> true), 1);
        assertThat(cut.matched()).isEqualTo(2);
        assertThat(cut.kept()).extracting(x -> x.series().labels().get("instance")).containsExactly("n1");
        assertThat(e.explain(LabelsFilter.of(labels -> "High".equals(labels.get("alertname")) && "n2".equals(labels.get("instance"))), 10)
                .kept()).extracting(x -> x.series().labels().get("instance")).containsExactly("n2");
        assertThat(e.explain(LabelsFilter.of(labels -> "Low".equals(labels.get("alertname"))), 10).matched()).isZero();
    }

    @Test
    void aWindowWithoutItsPointsHasNoValueToJudge() {
        final Rule rate = rule("Rising", Aggregate.RATE, Duration.ofSeconds(10),
                new Condition.Threshold(true, 1, OptionalDouble.empty()), Duration.ZERO);
        final TaskEvaluator e = evaluator(rate);
        feed(e, 10, Map.of(N1, new double[] {1, 2, 3}));
        final SeriesExplanation one = only(e, N1);
        // A rate needs two points; a 10 s window ending at an instant holds one of points 10 s apart.
        assertThat(one.points()).isEqualTo(1);
        assertThat(one.value()).isNaN();
        assertThat(one.holds()).isEqualTo(SeriesExplanation.Holds.NO_DATA);
    }

    @Test
    void anAbsentRuleShowsTheSilenceSoFarAgainstItsAfter() {
        final Rule gone = rule("Gone", Aggregate.LAST, Duration.ofMinutes(1), new Condition.Absent(Duration.ofSeconds(30)),
                Duration.ZERO);
        final TaskEvaluator e = evaluator(gone);
        feed(e, 10, Map.of(N1, new double[] {1, 1, 1}));
        e.clock().onWatermark("p0", 60 * S);
        e.advance();
        // Evaluated through 45 s: silent 20 s at 50 s, under its 30 s.
        final SeriesExplanation quiet = only(e, N1);
        assertThat(quiet.at()).isEqualTo(50 * S);
        assertThat(quiet.lastSeen()).isEqualTo(30 * S);
        assertThat(quiet.value()).isEqualTo(20);
        assertThat(quiet.holds()).isEqualTo(SeriesExplanation.Holds.NO);
        e.clock().onWatermark("p0", 80 * S);
        e.advance();
        final SeriesExplanation silent = only(e, N1);
        assertThat(silent.at()).isEqualTo(70 * S);
        assertThat(silent.value()).isEqualTo(40);
        assertThat(silent.holds()).isEqualTo(SeriesExplanation.Holds.YES);
        assertThat(silent.status().isFiring()).isTrue();
    }

    @Test
    void aDeviationRuleSaysHowMuchBaselineItStillNeedsThenJudgesAgainstIt() {
        // A 5 min baseline at 10 s: 30 evaluations, judged from 15 on.
        final Rule spike = rule("Spike", Aggregate.LAST, Duration.ofSeconds(10), new Condition.Deviation(
                Duration.ofMinutes(5), Direction.HIGH, 3, 0, BaselineMethod.MAD), Duration.ZERO);
        final TaskEvaluator e = evaluator(spike);
        final double[] warming = new double[5];
        java.util.Arrays.fill(warming, 10);
        feed(e, 10, Map.of(N1, warming));
        final SeriesExplanation learning = only(e, N1);
        assertThat(learning.holds()).isEqualTo(SeriesExplanation.Holds.WARMING_UP);
        assertThat(learning.baselineSize()).isEqualTo(3);
        assertThat(learning.baselineWarm()).isEqualTo(15);
        assertThat(learning.median()).isNaN();

        final double[] more = new double[20];
        for (int k = 0; k < more.length; k++) {
            more[k] = k % 2 == 0 ? 10 : 12;
        }
        more[more.length - 1] = 50;
        feed(e, 60, Map.of(N1, more));
        // The newest point (50 at 250 s) lies past the next instant (240 s), whose window holds the usual 10.
        final SeriesExplanation judged = only(e, N1);
        assertThat(judged.at()).isEqualTo(240 * S);
        assertThat(judged.value()).isEqualTo(10);
        assertThat(judged.holds()).isEqualTo(SeriesExplanation.Holds.NO);
        assertThat(judged.median()).isBetween(10.0, 12.0);
        assertThat(judged.z()).isFinite();
        assertThat(judged.baselineSize()).isGreaterThanOrEqualTo(15);
    }

    /**
     * A 1 h baseline at 10 s keeps every second of its 360 evaluations: the answer counts evaluations, as the user
     * does, not the samples kept, and it judges once they reach what it said it needs.
     */
    @Test
    void aLongBaselineCountsEvaluationsNotTheSamplesItKeeps() {
        final Rule shift = rule("Shift", Aggregate.LAST, Duration.ofSeconds(10), new Condition.Deviation(
                Duration.ofHours(1), Direction.HIGH, 3, 0, BaselineMethod.STDDEV), Duration.ZERO);
        final TaskEvaluator e = evaluator(shift);
        SeriesExplanation before = null;
        for (int k = 0; k < 400; k++) {
            feed(e, 10 + 10L * k, Map.of(N1, new double[] {k % 2 == 0 ? 10 : 12}));
            final SeriesExplanation now = only(e, N1);
            assertThat(now.baselineWarm()).isEqualTo(179);
            if (now.holds() != SeriesExplanation.Holds.WARMING_UP) {
                assertThat(before).isNotNull();
                assertThat(before.baselineSize()).isLessThan(179);
                assertThat(now.baselineSize()).isGreaterThanOrEqualTo(179).isLessThanOrEqualTo(181);
                return;
            }
            before = now;
        }
        throw new AssertionError("never warm: " + before);
    }

    @Test
    void anOutlierRuleGivesTheSeriesValueForThePeerStageToJudge() {
        final Rule low = rule("Low", Aggregate.AVG, Duration.ofSeconds(30),
                new Condition.Outlier(List.of("cluster"), Direction.LOW, 3, 0, 3), Duration.ZERO);
        final TaskEvaluator e = evaluator(low);
        feed(e, 10, Map.of(N1, new double[] {1, 2, 3, 4, 5, 6}));
        final SeriesExplanation peer = only(e, N1);
        assertThat(peer.holds()).isEqualTo(SeriesExplanation.Holds.PEERS);
        assertThat(peer.at()).isEqualTo(50 * S);
        assertThat(peer.value()).isEqualTo(4); // avg of 3, 4, 5 in (20 s, 50 s]
        assertThat(peer.points()).isEqualTo(3);
    }

    @Test
    void anOutlierTheQuestionSaysIsFiringIsKeptFirstThoughItsTaskHoldsNoAlert() {
        final Rule low = rule("Low", Aggregate.AVG, Duration.ofSeconds(30),
                new Condition.Outlier(List.of("cluster"), Direction.LOW, 3, 0, 3), Duration.ZERO);
        final TaskEvaluator e = evaluator(low);
        feed(e, 10, Map.of(N1, new double[] {5, 5, 5}, N2, new double[] {0, 0, 0}));
        final SeriesFilter all = LabelsFilter.of(labels -> true);
        // By rule and series, n1 comes first: cut to one, the task keeps n1 unless it is told of n2's alert.
        assertThat(e.explain(all, 1).kept()).extracting(x -> x.series()).containsExactly(N1);
        final SeriesFilter told = LabelsFilter.of(labels -> true,
                (ruleId, seriesKey) -> ruleId.equals(low.id()) && seriesKey.equals(N2.key()) ? 0 : 2);
        final SeriesQuestions.TaskAnswer cut = e.explain(told, 1);
        assertThat(cut.kept()).extracting(x -> x.series()).containsExactly(N2);
        assertThat(cut.matched()).isEqualTo(2);
    }

    /**
     * A backlog read before the task's first evaluation is judged from its first instant, not its newest: a series hot
     * at the start of the backlog fires then, and the answer must say so, not judge its newest point alone.
     */
    @Test
    void beforeTheFirstEvaluationTheAnswerJudgesTheBacklogsFirstInstant() {
        final TaskEvaluator e = evaluator(HIGH);
        for (int k = 1; k <= 10; k++) {
            e.accept(new Datapoint(N1, k <= 3 ? 100 : 50, k * 10 * S));
        }
        final SeriesExplanation first = only(e, N1);
        assertThat(first.at()).isEqualTo(10 * S);
        assertThat(first.value()).isEqualTo(100);
        assertThat(first.holds()).isEqualTo(SeriesExplanation.Holds.YES);
        // What the evaluation then does: pending at that instant.
        e.clock().onWatermark("p0", 100 * S);
        final AlertTransition pending = e.advance().transitions().get(0);
        assertThat(pending.kind()).isEqualTo(AlertTransition.Kind.PENDING);
        assertThat(pending.status().activeAt()).isEqualTo(10 * S);
    }
}
