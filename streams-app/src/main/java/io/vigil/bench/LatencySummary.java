package io.vigil.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * Percentiles of a set of latencies, by nearest rank (p99 of 150 samples is the 149th smallest), in milliseconds.
 * With no sample each is NaN.
 */
public record LatencySummary(int samples, double p50Ms, double p99Ms, double maxMs) {

    public static LatencySummary of(final Collection<Long> latenciesMs) {
        final long[] sorted = latenciesMs.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new LatencySummary(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99),
                Arrays.stream(sorted).max().orElseThrow());
    }

    private static double rank(final long[] sorted, final double quantile) {
        final int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
