package io.vigil.evaluation;

import io.vigil.rules.Direction;

/** Median, MAD and the robust z-score that deviation and outlier rules share (rules.md, "Kinds"). */
final class RobustStatistics {

    /** Scales the MAD to the standard deviation of a normal distribution. */
    static final double MAD_TO_SIGMA = 1.4826;

    private RobustStatistics() {
    }

    /**
     * The median of {@code values[0, n)}, found by selection rather than sorting (linear on average instead of
     * n log n: deviation rules take the median and MAD of up to 180 values per series at every evaluation). Reorders
     * {@code values[0, n)}; the result equals the median of the values sorted. NaN when n is 0.
     */
    static double medianInPlace(final double[] values, final int n) {
        if (n == 0) {
            return Double.NaN;
        }
        final int mid = n / 2;
        final double upper = select(values, n, mid);
        if (n % 2 == 1) {
            return upper;
        }
        // select() left every value below index mid at most `upper`: the largest of them is the lower middle.
        double lower = values[0];
        for (int i = 1; i < mid; i++) {
            lower = Math.max(lower, values[i]);
        }
        return (lower + upper) / 2;
    }

    /** Hoare's selection: puts the k-th smallest of {@code a[0, n)} at {@code a[k]}, smaller ones before it. */
    private static double select(final double[] a, final int n, final int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            final double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    final double swap = a[i];
                    a[i++] = a[j];
                    a[j--] = swap;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                break;
            }
        }
        return a[k];
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

    /**
     * The anomaly test both kinds use: far enough in z, on the watched side, and by enough relative to the median and
     * in the series' units.
     */
    static boolean isAnomalous(final double x, final double median, final double z, final Direction direction,
                               final double zThreshold, final double minChange, final double minDelta) {
        return direction.accepts(x, median)
                && Math.abs(z) > zThreshold
                && Math.abs(x - median) > minChange * Math.abs(median)
                && Math.abs(x - median) > minDelta;
    }
}
