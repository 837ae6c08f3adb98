package io.vigil.evaluation;

import io.vigil.model.Series;

/**
 * A series key as the repartition record carries it, UTF-8 bytes, looked up without decoding it into a string: a
 * datapoint of a known series (nearly every one) then builds no key string at all, where building one cost a
 * decode, a copy, an allocation and a hash per point.
 *
 * <p>Only ASCII keys are read this way (what exporters' names and labels are); their {@link String#hashCode} is the
 * same sum over the bytes as over the chars, so a state finds itself by either. Any other key goes the string's way.
 */
final class KeyBytes {

    /** What {@link #hash} returns for bytes that are not all ASCII. */
    static final long NOT_ASCII = Series.NOT_ASCII;

    private KeyBytes() {
    }

    /**
     * The {@link String#hashCode} of the string the ASCII bytes {@code bytes[offset, offset + length)} spell, as a
     * non-negative long; {@link #NOT_ASCII} if a byte is not ASCII ({@link Series#asciiKeyHash}).
     */
    static long hash(final byte[] bytes, final int offset, final int length) {
        return Series.asciiKeyHash(bytes, offset, length);
    }

    /** Whether {@code s} is spelled by the ASCII bytes at {@code offset} (the caller checked there are enough). */
    static boolean same(final String s, final byte[] bytes, final int offset) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) != bytes[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
