package io.vigil.evaluation;

import io.vigil.rules.Aggregate;
import java.util.Arrays;
import java.util.Objects;

/**
 * The arithmetic of rules.md "Aggregates": turns the points of one window into one number, with the
 * semantics of Prometheus' {@code *_over_time} functions (except {@code rate}, which rules.md defines
 * without extrapolation).
 *
 * <p>Every aggregate skips non-finite values (NaN, ±Inf): formats.md accepts them on ingest and has
 * aggregates ignore them. "No value" is returned as {@link Double#NaN}; callers turn it into an empty
 * {@code OptionalDouble} before it leaves the evaluation package.
 *
 * <p>Stateless and thread-safe. Nothing is allocated per call except, for quantiles without a caller's
 * scratch array, the first time a thread needs a larger per-thread buffer.
 */
public final class WindowAggregator {

    // Grows to the largest window a thread has seen; windows are bounded by the ingest limits.
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[64]);

    private static final double[] NO_SCRATCH = new double[0];

    private WindowAggregator() {
    }

    /** Whether {@code aggregate} reads the points' timestamps; the others read only their values. */
    public static boolean readsTimestamps(final Aggregate aggregate) {
        return aggregate == Aggregate.RATE;
    }

    /**
     * The aggregate of the points {@code [from, to)}.
     *
     * @param aggregate    which aggregate
     * @param timestampsMs epoch milliseconds, ascending over {@code [from, to)}; equal timestamps allowed
     * @param values       the values, parallel to {@code timestampsMs}
     * @param from         first index, inclusive
     * @param to           last index, exclusive
     * @return the aggregate, or NaN when the window has no value for it: no finite point at all, or for
     *         {@code rate}/{@code increase} fewer than 2 finite points, or for {@code rate} a zero time span
     * @throws IndexOutOfBoundsException when {@code [from, to)} is not within both arrays
     */
    public static double compute(final Aggregate aggregate, final long[] timestampsMs, final double[] values,
            final int from, final int to) {
        return compute(aggregate, timestampsMs, values, from, to, NO_SCRATCH);
    }

    /**
     * As {@link #compute(Aggregate, long[], double[], int, int)}, sorting quantiles in the caller's
     * {@code scratch} when it holds at least {@code to - from} elements (its contents are overwritten);
     * a shorter {@code scratch} falls back to a per-thread buffer. No aggregate but the quantiles touches it.
     */
    public static double compute(final Aggregate aggregate, final long[] timestampsMs, final double[] values,
            final int from, final int to, final double[] scratch) {
        Objects.requireNonNull(aggregate, "aggregate");
        Objects.requireNonNull(scratch, "scratch");
        Objects.checkFromToIndex(from, to, values.length);
        Objects.checkFromToIndex(from, to, timestampsMs.length);
        return switch (aggregate) {
            case AVG -> avg(values, from, to);
            case MIN -> min(values, from, to);
            case MAX -> max(values, from, to);
            case SUM -> sum(values, from, to);
            case COUNT -> count(values, from, to);
            case LAST -> last(values, from, to);
            case P50 -> quantile(0.50, values, from, to, scratch);
            case P90 -> quantile(0.90, values, from, to, scratch);
            case P95 -> quantile(0.95, values, from, to, scratch);
            case P99 -> quantile(0.99, values, from, to, scratch);
            case STDDEV -> stddev(values, from, to);
            case RATE -> rate(timestampsMs, values, from, to);
            case INCREASE -> increase(values, from, to);
        };
    }

    private static double avg(final double[] values, final int from, final int to) {
        final CompensatedSum sum = new CompensatedSum();
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                sum.add(values[i]);
                n++;
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        final double total = sum.value();
        // Finite points can still overflow the sum; Prometheus then falls back to an incremental mean.
        return Double.isInfinite(total) ? incrementalMean(values, from, to) : total / n;
    }

    private static double incrementalMean(final double[] values, final int from, final int to) {
        double mean = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                n++;
                mean += values[i] / n - mean / n;
            }
        }
        return mean;
    }

    private static double min(final double[] values, final int from, final int to) {
        double min = Double.NaN;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                // Math.min orders -0.0 below 0.0, which a plain < does not.
                min = Double.isNaN(min) ? values[i] : Math.min(min, values[i]);
            }
        }
        return min;
    }

    private static double max(final double[] values, final int from, final int to) {
        double max = Double.NaN;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                max = Double.isNaN(max) ? values[i] : Math.max(max, values[i]);
            }
        }
        return max;
    }

    private static double sum(final double[] values, final int from, final int to) {
        final CompensatedSum sum = new CompensatedSum();
        boolean any = false;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                sum.add(values[i]);
                any = true;
            }
        }
        return any ? sum.value() : Double.NaN;
    }

    private static double count(final double[] values, final int from, final int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                n++;
            }
        }
        // An empty window yields no series in Prometheus, so no value rather than 0.
        return n == 0 ? Double.NaN : n;
    }

    private static double last(final double[] values, final int from, final int to) {
        for (int i = to - 1; i >= from; i--) {
            if (Double.isFinite(values[i])) {
                return values[i];
            }
        }
        return Double.NaN;
    }

    /** Prometheus' {@code quantile_over_time}: linear interpolation between the closest ranks, rank = q(n-1). */
    private static double quantile(final double q, final double[] values, final int from, final int to,
            final double[] scratch) {
        final double[] sorted = scratchFor(to - from, scratch);
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                sorted[n++] = values[i];
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        Arrays.sort(sorted, 0, n);
        final double rank = q * (n - 1);
        final int lower = (int) Math.floor(rank);
        final int upper = Math.min(n - 1, lower + 1);
        final double weight = rank - lower;
        return sorted[lower] * (1 - weight) + sorted[upper] * weight;
    }

    private static double[] scratchFor(final int size, final double[] scratch) {
        if (scratch.length >= size) {
            return scratch;
        }
        final double[] perThread = SCRATCH.get();
        if (perThread.length >= size) {
            return perThread;
        }
        final double[] grown = new double[Math.max(size, perThread.length * 2)];
        SCRATCH.set(grown);
        return grown;
    }

    /** Population standard deviation, as {@code stddev_over_time}; two passes keep it exact for large offsets. */
    private static double stddev(final double[] values, final int from, final int to) {
        final double mean = avg(values, from, to);
        if (Double.isNaN(mean)) {
            return Double.NaN;
        }
        final CompensatedSum squares = new CompensatedSum();
        int n = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                final double d = values[i] - mean;
                squares.add(d * d);
                n++;
            }
        }
        return Math.sqrt(squares.value() / n);
    }

    /**
     * The counter increase over the window: positive steps between consecutive finite points, and on a
     * drop (a counter reset) the new value itself, as Prometheus counts resets.
     */
    private static double increase(final double[] values, final int from, final int to) {
        final CompensatedSum increase = new CompensatedSum();
        double previous = Double.NaN;
        int n = 0;
        for (int i = from; i < to; i++) {
            final double v = values[i];
            if (!Double.isFinite(v)) {
                continue;
            }
            if (n > 0) {
                increase.add(v >= previous ? v - previous : v);
            }
            previous = v;
            n++;
        }
        return n < 2 ? Double.NaN : increase.value();
    }

    /** {@link #increase} per second over the span from the first to the last finite point; no extrapolation. */
    private static double rate(final long[] timestampsMs, final double[] values, final int from, final int to) {
        int first = -1;
        int last = -1;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(values[i])) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0 || timestampsMs[last] == timestampsMs[first]) {
            return Double.NaN;
        }
        final double increase = increase(values, first, last + 1);
        return increase / ((timestampsMs[last] - timestampsMs[first]) / 1000.0);
    }

    /**
     * Neumaier's variant of Kahan summation, as Prometheus' {@code kahanSumInc}: it also stays exact when
     * an added term is larger than the running sum. A mutable local, never shared.
     */
    private static final class CompensatedSum {
        private double sum;
        private double compensation;

        void add(final double x) {
            final double t = sum + x;
            if (Math.abs(sum) >= Math.abs(x)) {
                compensation += (sum - t) + x;
            } else {
                compensation += (x - t) + sum;
            }
            sum = t;
        }

        double value() {
            // Once the sum has overflowed the compensation is NaN or meaningless.
            return Double.isInfinite(sum) ? sum : sum + compensation;
        }
    }
}
