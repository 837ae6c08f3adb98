package io.vigil.ingest;

import java.util.Objects;

/**
 * Decodes Kafka record values into datapoints, detecting the format per record from its first significant byte:
 * '{' or '[' is JSON — Telegraf's when the object has {@code fields} or {@code metrics} (input 3), native otherwise
 * (input 1); anything else is InfluxDB line protocol (input 2).
 *
 * <p>Holds no per-record state: one instance may serve any number of threads, and a call costs no setup.
 */
public final class RecordDecoder {

    private final IngestLimits limits;
    private final NativeJsonDecoder json;
    private final LineProtocolDecoder lineProtocol;
    private final TelegrafJsonDecoder telegraf;

    public RecordDecoder(final IngestLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        final DatapointValidator validator = new DatapointValidator(limits);
        this.json = new NativeJsonDecoder(validator);
        this.lineProtocol = new LineProtocolDecoder(validator, LineProtocolDecoder.Precision.NANOSECONDS);
        this.telegraf = new TelegrafJsonDecoder(validator);
    }

    /**
     * Decodes one record value. Never throws, whatever the bytes: everything that is not a valid datapoint comes
     * back as a {@link Rejection}, and a non-empty value always yields at least one datapoint or rejection.
     *
     * @param value the record value; null or empty is rejected as {@link DeadLetterReason#EMPTY}
     * @param nowMs the wall clock in epoch milliseconds, for the {@link IngestLimits#maxFutureSkew()} check;
     *              passed in so that decoding is a pure function of its arguments
     */
    public DecodedRecord decode(final byte[] value, final long nowMs) {
        return decode(value, nowMs, nowMs);
    }

    /**
     * As {@link #decode(byte[], long)}, for a record whose own timestamp is known: a line protocol line without a
     * timestamp takes it.
     */
    public DecodedRecord decode(final byte[] value, final long nowMs, final long recordTimestampMs) {
        if (value == null || value.length == 0) {
            return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the record has no value");
        }
        if (value.length > limits.maxRecordBytes()) {
            return DecodedRecord.rejected(DeadLetterReason.RECORD_TOO_LARGE,
                    value.length + " bytes, more than the limit of " + limits.maxRecordBytes());
        }
        final int start = RecordFormat.firstSignificantByte(value);
        if (start < 0) {
            return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the record value is only whitespace");
        }
        try {
            return switch (RecordFormat.of(value[start])) {
                case JSON -> TelegrafJsonDecoder.looksLikeTelegraf(value) ? telegraf.decode(value, nowMs)
                        : json.decode(value, nowMs);
                case LINE_PROTOCOL -> lineProtocol.decode(value, nowMs, recordTimestampMs);
            };
        } catch (RuntimeException e) {
            // The contract is to never stop the stream: a decoder bug sends the record to the dead-letter topic,
            // counted under its own reason so that it stands out from bad input.
            return DecodedRecord.rejected(DeadLetterReason.DECODER_FAILURE, e.toString());
        }
    }
}
