package io.vigil.ingest;

import java.util.Locale;
import java.util.Objects;

/**
 * Decodes Kafka record values into datapoints, detecting the format per record from its first significant byte:
 * '{' or '[' is native JSON (formats.md, input 1); anything else will be InfluxDB line protocol, which is not
 * supported yet and is rejected as {@link DeadLetterReason#UNPARSEABLE}.
 *
 * <p>Holds no per-record state: one instance may serve any number of threads, and a call costs no setup.
 */
public final class RecordDecoder {

    private final IngestLimits limits;
    private final NativeJsonDecoder json;

    public RecordDecoder(final IngestLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.json = new NativeJsonDecoder(new DatapointValidator(limits));
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
                case JSON -> json.decode(value, nowMs);
                case LINE_PROTOCOL -> DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE, "not JSON (starts with "
                        + printable(value[start]) + " at byte " + start + "); only JSON is supported yet, "
                        + "InfluxDB line protocol is not");
            };
        } catch (RuntimeException e) {
            // The contract is to never stop the stream: a decoder bug sends the record to the dead-letter topic,
            // counted under its own reason so that it stands out from bad input.
            return DecodedRecord.rejected(DeadLetterReason.DECODER_FAILURE, e.toString());
        }
    }

    private static String printable(final byte b) {
        return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format(Locale.ROOT, "byte 0x%02x", b & 0xff);
    }
}
