package io.vigil.ingest;

import java.util.Objects;

/**
 * Decodes Kafka record values into datapoints, in the format of their topic. With {@link InputFormat#AUTO} the
 * format is detected per record from its first significant byte: '{' or '[' is JSON — Telegraf's when the object
 * has {@code fields} or {@code metrics} and neither {@code value} nor {@code labels} (input 3), native otherwise
 * (input 1); anything else is InfluxDB line protocol (input 2).
 *
 * <p>Holds no per-record state: one instance may serve any number of threads, and a call costs no setup.
 */
public final class RecordDecoder {

    private final IngestLimits limits;
    private final InputFormat format;
    private final NativeJsonDecoder json;
    private final LineProtocolDecoder lineProtocol;
    private final TelegrafJsonDecoder telegraf;

    /** Detects the format per record; line protocol timestamps in nanoseconds. */
    public RecordDecoder(final IngestLimits limits) {
        this(limits, InputFormat.AUTO, TimestampPrecision.NANOSECONDS);
    }

    /**
     * @param format    the format of every record, or {@link InputFormat#AUTO} to detect it per record
     * @param precision the unit of line protocol timestamps
     */
    public RecordDecoder(final IngestLimits limits, final InputFormat format, final TimestampPrecision precision) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.format = Objects.requireNonNull(format, "format");
        final DatapointValidator validator = new DatapointValidator(limits);
        this.json = new NativeJsonDecoder(validator);
        this.lineProtocol = new LineProtocolDecoder(validator, Objects.requireNonNull(precision, "precision"));
        this.telegraf = new TelegrafJsonDecoder(validator);
    }

    /** The decoder for the records of {@code topic}, in its configured format and precision. */
    public static RecordDecoder forTopic(final InputTopic topic, final IngestLimits limits) {
        return new RecordDecoder(limits, topic.format(), topic.precision());
    }

    /**
     * Decodes one record value. Never throws, whatever the bytes: everything that is not a valid datapoint comes
     * back as a {@link Rejection}, and a non-empty value always yields at least one datapoint, rejection or skipped
     * field, but for a line protocol record of only comments (and blank lines), which holds nothing to do.
     *
     * @param value the record value; null or empty is rejected as {@link DeadLetterReason#EMPTY}
     * @param nowMs the wall clock in epoch milliseconds, for the {@link IngestLimits#maxFutureSkew()} check;
     *              passed in so that decoding is a pure function of its arguments
     */
    public DecodedRecord decode(final byte[] value, final long nowMs) {
        return decode(value, nowMs, null);
    }

    /**
     * As {@link #decode(byte[], long)}, to the same result, finding native JSON label sets and metric names
     * read before in {@code known} and keeping new ones there: what a caller that decodes a stream of records keeps
     * between them (the decoder itself keeps nothing).
     *
     * @param known null to read every label set; one caller's own, as it is not thread-safe
     */
    /**
     * The detail of a {@code record_too_large} rejection of a record of {@code bytes}; also for a replay's line, which
     * is handed to ingest cut to the limit + 1 bytes and named by its whole length.
     */
    public String tooLarge(final long bytes) {
        return bytes + " bytes, more than the limit of " + limits.maxRecordBytes();
    }

    public DecodedRecord decode(final byte[] value, final long nowMs, final KnownLabels known) {
        if (value == null || value.length == 0) {
            return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the record has no value");
        }
        if (value.length > limits.maxRecordBytes()) {
            return DecodedRecord.rejected(DeadLetterReason.RECORD_TOO_LARGE, tooLarge(value.length));
        }
        final int start = RecordFormat.firstSignificantByte(value);
        if (start < 0) {
            return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the record value is only whitespace");
        }
        try {
            if (format == InputFormat.AUTO && RecordFormat.of(value[start]) == RecordFormat.JSON) {
                // Plain native JSON has no "fields" or "metrics" field, so detection would call it native: no need to
                // look (detection decodes the whole record to text to search it).
                final DecodedRecord plain = json.decodePlain(value, nowMs, known);
                if (plain != null) {
                    return plain;
                }
            }
            final InputFormat actual = format == InputFormat.AUTO ? detect(value, start) : format;
            if (actual == InputFormat.JSON) {
                return json.decode(value, nowMs, known);
            }
            if (actual == InputFormat.TELEGRAF_JSON) {
                return telegraf.decode(value, nowMs);
            }
            return lineProtocol.decode(value, nowMs);
        } catch (RuntimeException e) {
            // The contract is to never stop the stream: a decoder bug sends the record to the dead-letter topic,
            // counted under its own reason so that it stands out from bad input.
            return DecodedRecord.rejected(DeadLetterReason.DECODER_FAILURE, e.toString());
        }
    }

    /** The format of one record of an auto-detected topic; never {@link InputFormat#AUTO}. */
    private static InputFormat detect(final byte[] value, final int firstSignificant) {
        return switch (RecordFormat.of(value[firstSignificant])) {
            case JSON -> TelegrafJsonDecoder.looksLikeTelegraf(value) ? InputFormat.TELEGRAF_JSON : InputFormat.JSON;
            case LINE_PROTOCOL -> InputFormat.INFLUX;
        };
    }

    @Override
    public String toString() {
        return "RecordDecoder[" + format.configName() + ", " + lineProtocol + "]";
    }
}
