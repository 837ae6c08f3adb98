package io.vigil.bench;

import io.vigil.evaluation.EventClock;
import io.vigil.evaluation.RuleIndex;
import io.vigil.evaluation.TaskEvaluator;
import io.vigil.model.Datapoint;
import io.vigil.model.Series;

/**
 * One evaluator task holding a fleet of series under {@link GeneratedRules}, stepped through event time as the
 * engine steps it: one point per series every 10 s, then a watermark that makes that instant due.
 */
final class Fleet {

    static final long GRACE_MS = 15_000;
    static final long FORGET_MS = 24 * 3_600_000L;
    /** 2023-11-14T22:13:20Z, a multiple of every step. */
    private static final long START_MS = 1_700_000_000_000L;

    private final TaskEvaluator evaluator;
    private final Series[] series;
    private long t = START_MS;

    Fleet(final int rules, final int metrics, final GeneratedRules.Mix mix, final int seriesCount) {
        final RuleIndex index = GeneratedRules.index(rules, metrics, mix);
        this.series = GeneratedRules.allSeries(seriesCount, rules, metrics);
        GeneratedRules.checkEachSelectedOnce(index, series);
        this.evaluator = new TaskEvaluator(index, GRACE_MS, FORGET_MS, new EventClock(1));
    }

    TaskEvaluator evaluator() {
        return evaluator;
    }

    Series[] series() {
        return series;
    }

    /** Moves to the next evaluation instant; returns it. */
    long nextStep() {
        t += GeneratedRules.EVERY_MS;
        return t;
    }

    /** A value that wanders between 50 and 70, differently for each series: no threshold of the rules is crossed. */
    static double value(final int i, final long t) {
        return 50 + (i * 7L + t / GeneratedRules.EVERY_MS * 13) % 20;
    }

    /**
     * Takes one point of every series at the next instant, then drains what changed once, as the engine persists the
     * changed states once per commit, not per datapoint. Drained after each point, as until 2026-12-05, every 127th
     * drain walked every state of the task (the changed list's numbering wraps): 10,000 series cost 79 state visits
     * per datapoint, the same for any number of rules, which the benchmarks then counted. Returns how many were
     * accepted.
     */
    int acceptStep() {
        final long now = nextStep();
        int accepted = 0;
        for (int i = 0; i < series.length; i++) {
            if (evaluator.accept(new Datapoint(series[i], value(i, now), now))) {
                accepted++;
            }
        }
        evaluator.drainChanged();
        return accepted;
    }

    /** Lets the current instant become due and runs it. */
    TaskEvaluator.Outcome evaluate() {
        evaluator.clock().onWatermark("p0", t + GRACE_MS);
        return evaluator.advance();
    }

    /** Steps until windows (and baselines) hold what they hold in steady state; fails if a point is refused. */
    void warmUp(final int steps) {
        for (int s = 0; s < steps; s++) {
            final int accepted = acceptStep();
            if (accepted != series.length) {
                throw new IllegalStateException("only " + accepted + " of " + series.length + " points accepted");
            }
            evaluate();
        }
        if (evaluator.seriesCount() != series.length) {
            throw new IllegalStateException(evaluator.seriesCount() + " series held, not " + series.length);
        }
    }
}
