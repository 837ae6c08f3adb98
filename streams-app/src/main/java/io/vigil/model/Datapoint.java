package io.vigil.model;

/**
 * One sample of one series.
 *
 * @param series      the series it belongs to
 * @param value       the sample; NaN and infinities are carried but ignored by aggregates
 * @param timestampMs event time, epoch milliseconds
 */
public record Datapoint(Series series, double value, long timestampMs) {
}
