package io.vigil.evaluation;

import io.vigil.rules.Direction;

/** Median, MAD and the robust z-score that deviation and outlier rules share (rules.md, "Kinds"). */
final class RobustStatistics {

    /** Scales the MAD to the standard deviation of a normal distribution. */
    static final double MAD_TO_SIGMA = 1.4826;

    private RobustStatistics() {
    }

    /** The median of {@code sorted[0, n)}; NaN when n is 0. */
    static double median(final double[] sorted, final int n) {
        if (n == 0) {
            return Double.NaN;
        }
        final int mid = n / 2;
        return n % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** {@code (x - median) / (1.4826 * MAD)}: the robust z-score. */
    static double z(final double x, final double median, final double mad) {
        return standardScore(x, median, MAD_TO_SIGMA * mad);
    }

    /**
     * {@code (x - centre) / sigma}. With a sigma of 0 (most of the history or group is one value) any difference is
     * infinitely unusual; {@code min_change} is what guards such rules against noise.
     */
    static double standardScore(final double x, final double centre, final double sigma) {
        final double diff = x - centre;
        if (sigma == 0) {
            return diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
        }
        return diff / sigma;
    }

    /** The anomaly test both kinds use: far enough in z, on the watched side, and by enough relative to the median. */
    static boolean isAnomalous(final double x, final double median, final double z, final Direction direction,
                               final double zThreshold, final double minChange) {
        return direction.accepts(x, median)
                && Math.abs(z) > zThreshold
                && Math.abs(x - median) > minChange * Math.abs(median);
    }
}
