package io.vigil.ingest;

import java.nio.charset.StandardCharsets;

/**
 * Native JSON as producers nearly always write it, read straight from the bytes: an object, or an array of
 * objects, with only the fields {@code name} (a string), {@code labels} (an object of strings), {@code value} (a
 * number, or a numeric string such as {@code "NaN"}) and {@code timestamp} (a number of epoch milliseconds, or an
 * RFC 3339 string), every string printable ASCII without escapes. Each datapoint fills the same
 * {@link DatapointDraft} as {@link NativeJsonDecoder}'s and goes through the same {@link DatapointValidator}, so
 * what the validator accepts or rejects is decided exactly as there.
 *
 * <p>Everything else is left to {@link NativeJsonDecoder}'s reading with Jackson, from the start of the record: a
 * byte beyond ASCII or an escape in a string, another field or a null, a number JSON does not allow or that this
 * reader does not convert itself, a value the decoder would reject (a non-numeric value string, an unreadable
 * timestamp), any syntax error. For those this returns null having decided nothing, so that every message and
 * dead-letter reason is Jackson's decoder's, word for word. {@code PlainNativeJsonPropertiesTest} holds the two
 * to the same result over generated records and their mutations.
 */
final class PlainNativeJson {

    /**
     * Longer strings go to Jackson, whose own limits (names of 50,000 chars, numbers of 1,000 digits) then apply as
     * ever; a label value longer than this is rejected by the validator anyway.
     */
    private static final int MAX_STRING_BYTES = 4_096;
    /** Longer numbers go to Jackson: no millisecond timestamp or sample value needs more digits. */
    private static final int MAX_NUMBER_BYTES = 32;
    /** Integers of up to 18 digits fit a long. */
    private static final int MAX_LONG_DIGITS = 18;
    /** 10^n for the exact conversion of short decimals. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    };
    private static final byte[] NAME = bytes("name");
    private static final byte[] LABELS = bytes("labels");
    private static final byte[] VALUE = bytes("value");
    private static final byte[] TIMESTAMP = bytes("timestamp");

    private final byte[] in;
    private final DatapointValidator validator;
    private final long nowMs;
    private final DecodedRecord.Builder out = new DecodedRecord.Builder();
    private int pos;

    // What the last number read was: its value as a long (an integer of up to 18 digits) or as a double.
    private boolean numberIsLong;
    private long longNumber;
    private double doubleNumber;

    private PlainNativeJson(final byte[] in, final DatapointValidator validator, final long nowMs) {
        this.in = in;
        this.validator = validator;
        this.nowMs = nowMs;
    }

    /** The record, or null when it is not plain native JSON (then nothing about it has been decided). */
    static DecodedRecord decode(final byte[] value, final DatapointValidator validator, final long nowMs) {
        final PlainNativeJson reader = new PlainNativeJson(value, validator, nowMs);
        return reader.read() ? reader.out.build() : null;
    }

    /** Whether the whole record was read; {@link #out} then holds its outcome. */
    private boolean read() {
        pos = RecordFormat.firstSignificantByte(in);
        if (pos < 0) {
            return false;
        }
        if (in[pos] == '[') {
            pos++;
            int index = 0;
            do {
                skipWhitespace();
                if (!datapoint(index++)) {
                    return false;
                }
                skipWhitespace();
            } while (skip(','));
            if (!skip(']')) {
                return false;
            }
        } else if (!datapoint(-1)) {
            return false;
        }
        skipWhitespace();
        return pos == in.length;
    }

    /** One object at {@link #pos}, to its closing brace; {@code index} as {@link DatapointValidator#validate} takes. */
    private boolean datapoint(final int index) {
        if (!skip('{')) {
            return false;
        }
        final DatapointDraft draft = new DatapointDraft();
        skipWhitespace();
        if (!skip('}')) {
            do {
                skipWhitespace();
                final int nameStart = pos + 1;
                final int nameEnd = string();
                skipWhitespace();
                if (nameEnd < 0 || !skip(':')) {
                    return false;
                }
                skipWhitespace();
                if (!field(nameStart, nameEnd, draft)) {
                    return false;
                }
                skipWhitespace();
            } while (skip(','));
            if (!skip('}')) {
                return false;
            }
        }
        validator.validate(draft, index, nowMs, out);
        return true;
    }

    /** The value of the field named by {@code in[from, to)}, into the draft as {@link NativeJsonDecoder} puts it. */
    private boolean field(final int from, final int to, final DatapointDraft draft) {
        if (is(NAME, from, to)) {
            final String name = text();
            if (name == null) {
                return false;
            }
            draft.name = name;
            draft.nameProblem = null;
            return true;
        }
        if (is(LABELS, from, to)) {
            return labels(draft);
        }
        if (is(VALUE, from, to)) {
            return value(draft);
        }
        if (is(TIMESTAMP, from, to)) {
            return timestamp(draft);
        }
        return false;
    }

    private boolean labels(final DatapointDraft draft) {
        if (!skip('{')) {
            return false;
        }
        skipWhitespace();
        if (skip('}')) {
            return true;
        }
        do {
            skipWhitespace();
            final String name = text();
            skipWhitespace();
            if (name == null || !skip(':')) {
                return false;
            }
            skipWhitespace();
            final String value = text();
            if (value == null) {
                return false;
            }
            draft.labels.put(name, value);
            skipWhitespace();
        } while (skip(','));
        return skip('}');
    }

    private boolean value(final DatapointDraft draft) {
        if (pos < in.length && in[pos] == '"') {
            final String text = text();
            if (text == null || !NumericText.isNumber(text)) {
                return false;
            }
            draft.value(NumericText.parse(text));
            return true;
        }
        if (!number()) {
            return false;
        }
        draft.value(numberIsLong ? (double) longNumber : doubleNumber);
        return true;
    }

    private boolean timestamp(final DatapointDraft draft) {
        if (pos < in.length && in[pos] == '"') {
            final String text = text();
            final long ms = text == null ? Rfc3339Timestamps.INVALID : Rfc3339Timestamps.parseMillis(text);
            if (ms == Rfc3339Timestamps.INVALID) {
                return false;
            }
            draft.timestamp(ms);
            return true;
        }
        if (!number()) {
            return false;
        }
        if (numberIsLong) {
            draft.timestamp(longNumber);
            return true;
        }
        // As NativeJsonDecoder: a fraction of a millisecond is dropped; out of range is its to reject.
        if (!(Math.abs(doubleNumber) < 9.2e18)) {
            return false;
        }
        draft.timestamp((long) doubleNumber);
        return true;
    }

    /**
     * A JSON number at {@link #pos}, into {@link #numberIsLong} and {@link #longNumber} or {@link #doubleNumber},
     * converted as Jackson converts it: an integer as a long (so {@code -0} is 0, as Jackson reads it), anything else
     * as {@link Double#parseDouble} would.
     */
    private boolean number() {
        final int start = pos;
        final boolean negative = skip('-');
        long mantissa = 0;
        int digits = 0;
        if (skip('0')) {
            digits = 1;
        } else {
            while (pos < in.length && isDigit(in[pos])) {
                mantissa = mantissa * 10 + (in[pos++] - '0');
                if (++digits > MAX_LONG_DIGITS) {
                    return false;
                }
            }
        }
        if (digits == 0 || pos < in.length && isDigit(in[pos])) {
            return false; // no digits, or a leading zero
        }
        int fractionDigits = 0;
        if (skip('.')) {
            while (pos < in.length && isDigit(in[pos])) {
                if (digits + fractionDigits < MAX_LONG_DIGITS) { // beyond, it is unused (and would overflow)
                    mantissa = mantissa * 10 + (in[pos] - '0');
                }
                pos++;
                fractionDigits++;
            }
            if (fractionDigits == 0) {
                return false;
            }
        }
        boolean exponent = false;
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            exponent = true;
            pos++;
            if (!skip('+')) {
                skip('-');
            }
            int exponentDigits = 0;
            while (pos < in.length && isDigit(in[pos])) {
                pos++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        if (pos - start > MAX_NUMBER_BYTES) {
            return false;
        }
        numberIsLong = fractionDigits == 0 && !exponent;
        if (numberIsLong) {
            longNumber = negative ? -mantissa : mantissa;
        } else if (!exponent && digits + fractionDigits <= 15) {
            // Both exact in a double (< 2^53 and 10^22 at most), so one division rounds correctly, as
            // Double.parseDouble does (Clinger's fast path).
            final double magnitude = mantissa / POWERS_OF_TEN[fractionDigits];
            doubleNumber = negative ? -magnitude : magnitude;
        } else {
            doubleNumber = Double.parseDouble(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
        }
        return true;
    }

    /** A string at {@link #pos} as text, or null when there is none or it is not plain. */
    private String text() {
        final int start = pos + 1;
        final int end = string();
        return end < 0 ? null : new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Skips a plain string at {@link #pos}: printable ASCII between quotes, no escape. Returns the index of its closing
     * quote, or -1 when there is no such string here.
     */
    private int string() {
        if (!skip('"')) {
            return -1;
        }
        final int limit = Math.min(in.length, pos + MAX_STRING_BYTES);
        for (int i = pos; i < limit; i++) {
            final byte b = in[i];
            if (b == '"') {
                pos = i + 1;
                return i;
            }
            if (b < 0x20 || b == '\\') { // bytes beyond ASCII are negative
                return -1;
            }
        }
        return -1;
    }

    private boolean is(final byte[] name, final int from, final int to) {
        if (to - from != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (in[from + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean skip(final char c) {
        if (pos < in.length && in[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (pos < in.length) {
            final byte b = in[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    private static boolean isDigit(final byte b) {
        return b >= '0' && b <= '9';
    }

    private static byte[] bytes(final String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
