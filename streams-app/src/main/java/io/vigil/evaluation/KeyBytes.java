package io.vigil.evaluation;

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
    static final long NOT_ASCII = -1;

    private static final int P2 = 31 * 31;
    private static final int P3 = 31 * 31 * 31;
    private static final int P4 = 31 * 31 * 31 * 31;

    private KeyBytes() {
    }

    /**
     * The {@link String#hashCode} of the string the ASCII bytes {@code bytes[offset, offset + length)} spell, as a
     * non-negative long; {@link #NOT_ASCII} if a byte is not ASCII.
     */
    static long hash(final byte[] bytes, final int offset, final int length) {
        final int end = offset + length;
        int h = 0;
        int any = 0;
        int i = offset;
        // Four bytes a step: String.hashCode's chain of multiply-adds, one step per byte, is what made hashing slow.
        for (; i + 3 < end; i += 4) {
            final int b0 = bytes[i];
            final int b1 = bytes[i + 1];
            final int b2 = bytes[i + 2];
            final int b3 = bytes[i + 3];
            any |= b0 | b1 | b2 | b3;
            h = h * P4 + b0 * P3 + b1 * P2 + b2 * 31 + b3;
        }
        for (; i < end; i++) {
            final int b = bytes[i];
            any |= b;
            h = 31 * h + b;
        }
        return any < 0 ? NOT_ASCII : h & 0xFFFF_FFFFL;
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
