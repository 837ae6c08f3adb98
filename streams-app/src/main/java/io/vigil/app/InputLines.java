package io.vigil.app;

import static io.vigil.ingest.ByteWords.HIGH_BITS;
import static io.vigil.ingest.ByteWords.ONES;
import static io.vigil.ingest.ByteWords.word;
import static io.vigil.ingest.ByteWords.zeroByte;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records of a replay input: its lines that are not blank, as the bytes they are in the file ({@code \n},
 * {@code \r} and {@code \r\n} end a line; a line is blank if it decodes as UTF-8 to {@link String#isBlank()}
 * text). Bytes that are not UTF-8 are handed on as they are, for ingest to dead-letter them as `run` would a record of
 * those bytes, and the rest of the file is replayed (cli.md: a raw capture of a topic replays as it is). A line of
 * ASCII, nearly every line, is taken as read, without decoding it to a string: that was a fifth of the ingesting
 * thread.
 *
 * <p>A line longer than the record limit ({@code ingest.max_record_bytes}) is never held whole: {@link #next()} gives
 * its first limit + 1 bytes, whatever they are, and reads past the rest keeping none of it but its length
 * ({@link #lineBytes()}). That is enough for ingest, which refuses a record over the limit unread, to count it as
 * {@code record_too_large} as {@code run} counts such a record, and for the summary to name its real size; a line of
 * any length, a capture without line ends, costs the reader no more memory than that.
 */
final class InputLines {

    // Lines are scanned eight bytes at a step: is there a line end among them, a byte beyond ASCII?
    private static final long NEWLINES = ONES * '\n';
    private static final long RETURNS = ONES * '\r';
    /** Bytes below this are control characters, among them both line ends. */
    private static final long BELOW_CONTROLS_END = ONES * ('\r' + 1);
    /** The longest line kept whole: one byte short of the longest array the JVM makes, which its cut then fills. */
    static final int MAX_LINE_BYTES = Integer.MAX_VALUE - 9;
    /** What {@link #lineEnd()} returns for a line over {@link #maxLineBytes} whose end is not read yet. */
    private static final int OVER_LIMIT = -2;

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buffer;
    /** Bytes of {@link #buffer} read and not yet returned: {@code [start, end)}. */
    private int start;
    private int end;
    private boolean eof;
    /** The bytes of the line {@link #lineEnd()} found, ORed: beyond ASCII where a high bit is set. */
    private long lineBits;
    /** Lines read so far, blank ones included: the number of the line {@link #next()} returned last. */
    private long lineNumber;
    /** Whether the line read last ended in {@code \r}: a {@code \n} right after it ends no further line (CRLF). */
    private boolean afterReturn;
    /** The length of the line {@link #next()} returned last, cut or not. */
    private long lineBytes;

    /** @param maxLineBytes the record limit, a longer line is cut ({@link #next()}); at most {@link #MAX_LINE_BYTES} */
    InputLines(final InputStream in, final int maxLineBytes) {
        this(in, 1 << 16, maxLineBytes);
    }

    /** @param bufferBytes the buffer's first size (it grows to hold a longer line, up to the limit); small in tests */
    InputLines(final InputStream in, final int bufferBytes, final int maxLineBytes) {
        this.in = in;
        this.buffer = new byte[bufferBytes];
        this.maxLineBytes = Math.min(maxLineBytes, MAX_LINE_BYTES);
    }

    /**
     * The next line that is not blank, without its line end, or null at the end of the input. A line longer than the
     * limit, blank or not, is a record too large: its first limit + 1 bytes, the rest of it read past and dropped.
     */
    byte[] next() throws IOException {
        while (true) {
            final int lineEnd = lineEnd();
            if (lineEnd == OVER_LIMIT) {
                return cutLine();
            }
            if (lineEnd < 0) {
                return null;
            }
            final int from = start;
            start = lineEnd == end ? end : lineEnd + 1;
            if (!(afterReturn && lineEnd == from && buffer[lineEnd] == '\n')) {
                lineNumber++;
            }
            afterReturn = lineEnd < end && buffer[lineEnd] == '\r';
            lineBytes = lineEnd - from;
            if (lineEnd - from > maxLineBytes) {
                return Arrays.copyOfRange(buffer, from, from + maxLineBytes + 1); // over the limit, though read whole
            }
            final byte[] line = line(from, lineEnd);
            if (line != null) {
                return line;
            }
        }
    }

    /**
     * The line number in the input of the line {@link #next()} returned last, from 1, counting blank lines and taking
     * {@code \n}, {@code \r\n} and a lone {@code \r} each as one line end; 0 before the first.
     */
    long lineNumber() {
        return lineNumber;
    }

    /**
     * The length in bytes, without its line end, of the line {@link #next()} returned last: more than that record's
     * length when the line was over the limit and cut, counted as it was read past. 0 before the first.
     */
    long lineBytes() {
        return lineBytes;
    }

    /**
     * Where the line at {@link #start} ends (its {@code \n} or {@code \r}, or the input's end), reading as needed;
     * with {@link #lineBits} of its bytes, taken on the way rather than in a second pass. {@link #OVER_LIMIT} once more
     * than {@link #maxLineBytes} of the line are read without its end.
     */
    private int lineEnd() throws IOException {
        int scanned = start;
        long bits = 0;
        while (true) {
            int i = scanned;
            for (; i + Long.BYTES <= end; i += Long.BYTES) {
                final long word = word(buffer, i);
                // One test for a byte below '\r' + 1 first: lines of text rarely hold one but their end.
                if ((word - BELOW_CONTROLS_END & ~word & HIGH_BITS) != 0 && hasLineEnd(word)) {
                    break;
                }
                bits |= word;
            }
            for (; i < end; i++) {
                final byte b = buffer[i];
                if (b == '\n' || b == '\r') {
                    lineBits = bits;
                    return i;
                }
                bits |= b;
            }
            if (eof) {
                lineBits = bits;
                return start < end ? end : -1;
            }
            if (end - start > maxLineBytes) {
                return OVER_LIMIT;
            }
            scanned = end - start;
            fill();
            scanned += start;
        }
    }

    /**
     * The line at {@link #start}, over the limit, as its first limit + 1 bytes; the rest of it is read past up to its
     * line end, a buffer at a time, and dropped, its bytes counted in {@link #lineBytes}.
     */
    private byte[] cutLine() throws IOException {
        final byte[] kept = Arrays.copyOfRange(buffer, start, start + maxLineBytes + 1);
        lineNumber++;
        afterReturn = false;
        long length = end - start;
        start = end; // lineEnd() has scanned the buffer: no line end in it
        while (!eof) {
            fill();
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n' || buffer[i] == '\r') {
                    afterReturn = buffer[i] == '\r';
                    lineBytes = length + i - start;
                    start = i + 1;
                    return kept;
                }
            }
            length += end - start;
            start = end;
        }
        lineBytes = length;
        return kept;
    }

    /**
     * Moves what is left to the front, grows the buffer when a line fills it, reads more. It grows to one byte over
     * the limit at most, a line's most that is kept (doubling without end ran out of memory on a line of 200 MB under
     * a heap of 512 MB, and overflowed past 1 GiB).
     */
    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            // Here end <= maxLineBytes (a longer line is cut before reading more), so the buffer does grow.
            buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, maxLineBytes + 1L));
        }
        final int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    /** {@code buffer[from, to)}, the line {@link #lineEnd()} found last, as a record, or null when it is blank. */
    private byte[] line(final int from, final int to) {
        int i = from;
        while (i < to && buffer[i] >= 0 && isAsciiWhitespace(buffer[i])) {
            i++;
        }
        if (i == to) {
            return null; // blank
        }
        return (lineBits & HIGH_BITS) != 0 ? nonAscii(from, to) : Arrays.copyOfRange(buffer, from, to);
    }

    /** Whether one of the eight bytes of {@code word} is {@code \n} or {@code \r}: a zero byte of the XOR. */
    private static boolean hasLineEnd(final long word) {
        return (zeroByte(word ^ NEWLINES) | zeroByte(word ^ RETURNS)) != 0;
    }

    /** A line with bytes beyond ASCII: blank if its text is (malformed bytes decode to U+FFFD, which is not). */
    private byte[] nonAscii(final int from, final int to) {
        return new String(buffer, from, to - from, StandardCharsets.UTF_8).isBlank() ? null
                : Arrays.copyOfRange(buffer, from, to);
    }

    /** {@link Character#isWhitespace} of an ASCII character. */
    private static boolean isAsciiWhitespace(final byte b) {
        return b == ' ' || b >= 0x09 && b <= 0x0D || b >= 0x1C && b <= 0x1F;
    }
}
