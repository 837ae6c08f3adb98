package io.vigil.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bytes read eight at a time, as one little-endian word, and the usual test for a byte of a given value in it: what
 * ingest's readers use to scan records and lines faster than byte by byte.
 */
public final class ByteWords {

    /** A byte of 1 in each of the eight places: {@code ONES * c} has {@code c} in each. */
    public static final long ONES = 0x0101010101010101L;
    /** The high bit of each byte: set where a byte is beyond ASCII. */
    public static final long HIGH_BITS = 0x8080808080808080L;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ByteWords() {
    }

    /** {@code bytes[at, at + 8)} as a word, the first byte lowest. */
    public static long word(final byte[] bytes, final int at) {
        return (long) LONGS.get(bytes, at);
    }

    /**
     * The zero bytes of {@code x}, each as its high bit; non-zero exactly when there is one. Exact for the lowest
     * (above a zero byte a borrow may mark others), which is all a scan for the first takes.
     */
    public static long zeroByte(final long x) {
        return (x - ONES) & ~x & HIGH_BITS;
    }

    /** The first {@code n} bytes of {@code word} ({@code n} below 8), the others zero. */
    public static long firstBytes(final long word, final int n) {
        return word & ~(-1L << (Byte.SIZE * n));
    }

    /**
     * The zero bytes of {@code x}, each as its high bit, every one exact: no carry crosses a byte, so a scan can
     * take them all at once, not only the lowest.
     */
    public static long zeroBytes(final long x) {
        final long low7 = ~HIGH_BITS;
        return ~(((x & low7) + low7) | x | low7);
    }
}
