package io.vigil.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what one record may hold, so that a misbehaving producer cannot exhaust memory or flood the engine
 * with series, and on how far a timestamp may stray, so that a producer with a broken clock is seen rather than
 * silently folded into the alerts. Lengths count UTF-16 chars, as {@link String#length()} does.
 *
 * @param maxRecordBytes      the largest record value decoded at all; larger ones are rejected unread
 * @param maxLabels           labels per datapoint, not counting {@code __name__} and labels with an empty value
 * @param maxLabelNameLength  chars per label name
 * @param maxLabelValueLength chars per label value
 * @param maxFutureSkew       how far a timestamp may be ahead of the wall clock ({@code evaluation.max_future_skew})
 * @param maxAge              how far a timestamp may be behind the newest timestamp seen on its input partition
 *                            ({@code ingest.max_age}); not the wall clock, so that a capture of last year, produced
 *                            today, is evaluated as live data is (formats.md)
 */
public record IngestLimits(int maxRecordBytes, int maxLabels, int maxLabelNameLength, int maxLabelValueLength,
                           Duration maxFutureSkew, Duration maxAge) {

    private static final IngestLimits DEFAULTS = new IngestLimits(1024 * 1024, 64, 128, 2048, Duration.ofMinutes(5),
            Duration.ofDays(7));

    public IngestLimits {
        requirePositive("maxRecordBytes", maxRecordBytes);
        requirePositive("maxLabels", maxLabels);
        requirePositive("maxLabelNameLength", maxLabelNameLength);
        requirePositive("maxLabelValueLength", maxLabelValueLength);
        requireMillis("maxFutureSkew", maxFutureSkew);
        requireMillis("maxAge", maxAge);
        if (maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
        }
    }

    /** 1 MiB records, 64 labels, names of 128 and values of 2048 chars, 5 minutes of future skew, 7 days of age. */
    public static IngestLimits defaults() {
        return DEFAULTS;
    }

    /** These limits with another future skew. */
    public IngestLimits withMaxFutureSkew(final Duration skew) {
        return new IngestLimits(maxRecordBytes, maxLabels, maxLabelNameLength, maxLabelValueLength, skew, maxAge);
    }

    private static void requirePositive(final String name, final int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void requireMillis(final String name, final Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        try {
            value.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " " + value + " does not fit in milliseconds", e);
        }
    }
}
