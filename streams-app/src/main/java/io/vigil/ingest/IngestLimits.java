package io.vigil.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what one record may hold, so that a misbehaving producer cannot exhaust memory or flood the engine
 * with series. Lengths count UTF-16 chars, as {@link String#length()} does.
 *
 * @param maxRecordBytes      the largest record value decoded at all; larger ones are rejected unread
 * @param maxLabels           labels per datapoint, not counting {@code __name__} and labels with an empty value
 * @param maxLabelNameLength  chars per label name
 * @param maxLabelValueLength chars per label value
 * @param maxFutureSkew       how far a timestamp may be ahead of the wall clock ({@code evaluation.max_future_skew})
 */
public record IngestLimits(int maxRecordBytes, int maxLabels, int maxLabelNameLength, int maxLabelValueLength,
                           Duration maxFutureSkew) {

    private static final IngestLimits DEFAULTS = new IngestLimits(1024 * 1024, 64, 128, 2048, Duration.ofMinutes(5));

    public IngestLimits {
        requirePositive("maxRecordBytes", maxRecordBytes);
        requirePositive("maxLabels", maxLabels);
        requirePositive("maxLabelNameLength", maxLabelNameLength);
        requirePositive("maxLabelValueLength", maxLabelValueLength);
        Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must not be negative, got " + maxFutureSkew);
        }
        try {
            maxFutureSkew.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("maxFutureSkew " + maxFutureSkew + " does not fit in milliseconds", e);
        }
    }

    /** 1 MiB records, 64 labels, names of 128 and values of 2048 chars, 5 minutes of future skew. */
    public static IngestLimits defaults() {
        return DEFAULTS;
    }

    /** These limits with another future skew, as {@code evaluation.max_future_skew} configures it. */
    public IngestLimits withMaxFutureSkew(final Duration skew) {
        return new IngestLimits(maxRecordBytes, maxLabels, maxLabelNameLength, maxLabelValueLength, skew);
    }

    private static void requirePositive(final String name, final int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
