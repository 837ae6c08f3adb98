package io.vigil.evaluation;

import io.vigil.rules.BaselineMethod;
import io.vigil.rules.Condition;

/** A deviation rule's test of one window aggregate against the series' own baseline (rules.md, "deviation"). */
final class DeviationCheck {

    /**
     * Whether the value deviates, and the numbers that say how much (NaN when there was nothing to compare). With
     * {@code method: stddev} the centre reported as {@code median} is the history's mean.
     */
    record Verdict(boolean holds, double median, double z) {
        static final Verdict NO_VERDICT = new Verdict(false, Double.NaN, Double.NaN);
    }

    private DeviationCheck() {
    }

    /**
     * @param value the window aggregate at this evaluation; NaN when the window had no value
     * @param work  room for {@link Baseline#MAX_SAMPLES} values, the caller's to reuse
     */
    static Verdict judge(final double value, final Baseline baseline, final Condition.Deviation deviation,
                         final double[] work) {
        if (Double.isNaN(value) || !baseline.isWarm()) {
            return Verdict.NO_VERDICT;
        }
        final double[] centreAndSpread = new double[2];
        final double z;
        if (deviation.method() == BaselineMethod.STDDEV) {
            baseline.meanAndStddev(centreAndSpread);
            z = RobustStatistics.standardScore(value, centreAndSpread[0], centreAndSpread[1]);
        } else {
            baseline.medianAndMad(centreAndSpread, work);
            z = RobustStatistics.z(value, centreAndSpread[0], centreAndSpread[1]);
        }
        final double median = centreAndSpread[0];
        return new Verdict(RobustStatistics.isAnomalous(value, median, z, deviation.direction(), deviation.z(),
                deviation.minChange(), deviation.minDelta()), median, z);
    }

    /**
     * Adds the value to the history unless the alert is pending or firing after this evaluation: a sustained anomaly
     * must not become the new normal.
     */
    static void learn(final double value, final Baseline baseline, final AlertStatus after) {
        if (!Double.isNaN(value) && after.isInactive()) {
            baseline.offer(value);
        }
    }
}
