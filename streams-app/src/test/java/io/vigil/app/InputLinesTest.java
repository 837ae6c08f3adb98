package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Replay's input lines were read with {@code BufferedReader.readLine} over a strict UTF-8 reader, blank lines skipped,
 * each line encoded back to UTF-8: {@link InputLines} must give the same records from UTF-8, whatever its buffer size
 * and however the stream hands its bytes over; and from bytes that are not UTF-8 (a raw capture of a topic may hold
 * any), the lines as they are in the file, for ingest to judge, where that reader failed the replay.
 */
class InputLinesTest {

    /** ASCII (some longer than the eight bytes scanned at a step), line ends of every kind, whitespace that is and is not blank, text beyond ASCII, malformed bytes. */
    private static final byte[][] PIECES = {
        b("{\"a\":1}"), b("x"), b("0123456789abcdef"), b(" "), b("\t"), b("\n"), b("\r"), b("\r\n"), b("\u000B"), b("\u001C"), b("\u0000"),
        b("\u00e9"), b("\u2003"), b("\u00a0"), b("\u3000"), b("\u0085"), b("\ud83d\ude00"), {(byte) 0xC3},
        {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    };

    @Test
    void readsTheLinesOfTheFileAsTheyAre() {
        Tries.run(0x11E_0001L, 3_000, r -> new Reading(input(r), bufferOrChunk(r), bufferOrChunk(r), NO_LIMIT), c -> {
            final List<byte[]> actual = read(c);
            assertThat(actual).containsExactlyElementsOf(byLineEnds(c.input(), NO_LIMIT));
            assertThat(readEach(c, InputLines::lineNumber)).containsExactlyElementsOf(lineNumbers(c.input(), NO_LIMIT));
            if (isUtf8(c.input())) {
                assertThat(actual).containsExactlyElementsOf(withReadLine(c.input()));
            }
        });
    }

    /** Under a limit, whatever the buffer and the reads: a longer line is cut to limit + 1 bytes, the others kept. */
    @Test
    void aLineOverTheLimitIsCutAndTheLinesAfterItAreRead() {
        Tries.run(0x11E_0002L, 3_000, r -> new Reading(input(r), bufferOrChunk(r), bufferOrChunk(r),
                Gen.biased(r, 1, 40)),
                c -> {
                    assertThat(read(c)).containsExactlyElementsOf(byLineEnds(c.input(), c.limit()));
                    assertThat(readEach(c, InputLines::lineNumber)).containsExactlyElementsOf(lineNumbers(c.input(), c.limit()));
                    assertThat(readEach(c, InputLines::lineBytes)).containsExactlyElementsOf(lineBytes(c.input(), c.limit()));
                });
    }

    /**
     * A line longer than any array, with no line end for 2 GiB (a capture of binary data, {@code head -c 700M
     * /dev/zero}): reading it whole ran out of memory (with 512 MB of heap a line of 200 MB did) or overflowed the
     * buffer's size. It is cut and read past, in the memory of one line at the limit, and the next line is read.
     */
    @Test
    void aLineLongerThanAnyArrayIsCutInLittleMemory() throws IOException {
        final long length = (1L << 31) + 11;
        final int limit = 1 << 20;
        final InputLines lines = new InputLines(new java.io.SequenceInputStream(new Repeated('a', length),
                new ByteArrayInputStream(b("\r\n{\"ok\":1}\nz"))), limit);

        final byte[] cut = lines.next();
        assertThat(cut).hasSize(limit + 1);
        assertThat(cut[0]).isEqualTo((byte) 'a');
        assertThat(cut[limit]).isEqualTo((byte) 'a');
        // What replay's summary names: the line's length, counted as it was read past, not the cut's.
        assertThat(lines.lineBytes()).isEqualTo(length);
        assertThat(lines.next()).isEqualTo(b("{\"ok\":1}"));
        assertThat(lines.lineBytes()).isEqualTo(8);
        assertThat(lines.next()).isEqualTo(b("z"));
        assertThat(lines.next()).isNull();

        // And at the end of the input, with no line end after it.
        final InputLines last = new InputLines(new Repeated(' ', 3L * limit), limit);
        assertThat(last.next()).hasSize(limit + 1);
        assertThat(last.lineBytes()).isEqualTo(3L * limit);
        assertThat(last.next()).isNull();
    }

    /** {@code length} bytes of {@code b}, made as they are read: no array of them is ever held. */
    private static final class Repeated extends InputStream {
        private final byte b;
        private long left;

        Repeated(final char b, final long length) {
            this.b = (byte) b;
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return b;
        }

        @Override
        public int read(final byte[] into, final int off, final int len) {
            if (left == 0) {
                return -1;
            }
            final int n = (int) Math.min(len, left);
            java.util.Arrays.fill(into, off, off + n, b);
            left -= n;
            return n;
        }
    }

    /** An input, the reader's buffer size, the most bytes the stream hands over per read, and the line limit. */
    private record Reading(byte[] input, int buffer, int chunk, int limit) {
        @Override
        public String toString() {
            return "buffer " + buffer + ", chunk " + chunk + ", limit " + limit + ", " + Tries.describe(input);
        }
    }

    private static final int NO_LIMIT = InputLines.MAX_LINE_BYTES;

    private static List<byte[]> read(final Reading c) throws IOException {
        final List<byte[]> actual = new ArrayList<>();
        final InputLines lines = new InputLines(trickle(c.input(), c.chunk()), c.buffer(), c.limit());
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            actual.add(line);
        }
        assertThat(lines.next()).isNull();
        return actual;
    }

    @Test
    void aLineThatIsNotUtf8IsARecordAndTheLinesAfterItAreRead() throws IOException {
        final byte[] input = {'{', (byte) 0xC3, '}', '\n', (byte) 0xFF, '\n', 'o', 'k', '\n'};
        final InputLines lines = new InputLines(new ByteArrayInputStream(input), NO_LIMIT);

        assertThat(lines.next()).containsExactly('{', (byte) 0xC3, '}');
        assertThat(lines.next()).containsExactly((byte) 0xFF);
        assertThat(lines.next()).containsExactly('o', 'k');
        assertThat(lines.next()).isNull();
    }

    @Test
    void linesLongerThanTheBufferAndEveryLineEnd() throws IOException {
        final String longLine = "y".repeat(100);
        final InputLines lines = new InputLines(new ByteArrayInputStream(b("a\r\nb\rc\n\n  \n" + longLine + "\nd")), 4,
                NO_LIMIT);
        final List<String> read = new ArrayList<>();
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            read.add(new String(line, StandardCharsets.UTF_8));
        }
        assertThat(read).containsExactly("a", "b", "c", longLine, "d");
    }

    /** Replay's summary names where the first bad record of each reason is: the line an editor shows it on. */
    @Test
    void eachLineIsNumberedAsAnEditorNumbersIt() throws IOException {
        final InputLines lines = new InputLines(new ByteArrayInputStream(b("a\r\n\r\nb\rc\n\n  \n" + "y".repeat(30)
                + "\r\nd")), 4, 8);
        final List<String> read = new ArrayList<>();
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            read.add(lines.lineNumber() + ":" + new String(line, StandardCharsets.UTF_8));
        }
        assertThat(read).containsExactly("1:a", "3:b", "4:c", "7:" + "y".repeat(9), "8:d");
    }

    private static List<byte[]> withReadLine(final byte[] input) throws IOException {
        final List<byte[]> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(input),
                StandardCharsets.UTF_8.newDecoder()))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    lines.add(line.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return lines;
    }

    /**
     * The lines of {@code input} cut at {@code \n}, {@code \r} and {@code \r\n}, byte by byte, without those whose
     * text (as UTF-8, malformed bytes replaced) is blank; a line longer than {@code limit} as its first limit + 1
     * bytes.
     */
    private static List<byte[]> byLineEnds(final byte[] input, final int limit) {
        return byLineEnds(input, limit, new ArrayList<>());
    }

    /** The line numbers, from 1, of the lines {@link #byLineEnds} gives, blank lines counted. */
    private static List<Long> lineNumbers(final byte[] input, final int limit) {
        final List<Long> numbers = new ArrayList<>();
        byLineEnds(input, limit, numbers);
        return numbers;
    }

    private static List<byte[]> byLineEnds(final byte[] input, final int limit, final List<Long> numbers) {
        final List<byte[]> lines = new ArrayList<>();
        int from = 0;
        long number = 0;
        // The input's end ends a line only when something is after the last line end, as for BufferedReader.
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n' || input[i] == '\r') {
                number++;
                final byte[] line = java.util.Arrays.copyOfRange(input, from, i);
                if (line.length > limit) {
                    lines.add(java.util.Arrays.copyOf(line, limit + 1));
                    numbers.add(number);
                } else if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
                    lines.add(line);
                    numbers.add(number);
                }
                if (i + 1 < input.length && input[i] == '\r' && input[i + 1] == '\n') {
                    i++;
                }
                from = i + 1;
            }
        }
        return lines;
    }

    private static boolean isUtf8(final byte[] input) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(input));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** The length of each line {@link #byLineEnds} gives, as it is in the input: more than the record if it is cut. */
    private static List<Long> lineBytes(final byte[] input, final int limit) {
        final List<Long> numbers = new ArrayList<>();
        final List<Long> lengths = new ArrayList<>();
        byLineEnds(input, limit, numbers);
        long number = 0;
        int from = 0;
        for (int i = 0; i <= input.length && lengths.size() < numbers.size(); i++) {
            if (i == input.length || input[i] == '\n' || input[i] == '\r') {
                if (++number == numbers.get(lengths.size())) {
                    lengths.add((long) (i - from));
                }
                if (i + 1 < input.length && input[i] == '\r' && input[i + 1] == '\n') {
                    i++;
                }
                from = i + 1;
            }
        }
        return lengths;
    }

    /**
     * What {@code property} of the reader ({@link InputLines#lineNumber()}, {@link InputLines#lineBytes()}) gives
     * after each line read.
     */
    private static List<Long> readEach(final Reading c, final java.util.function.ToLongFunction<InputLines> property)
            throws IOException {
        final List<Long> values = new ArrayList<>();
        final InputLines lines = new InputLines(trickle(c.input(), c.chunk()), c.buffer(), c.limit());
        while (lines.next() != null) {
            values.add(property.applyAsLong(lines));
        }
        return values;
    }

    /** A stream that hands over at most {@code chunk} bytes per read. */
    private static InputStream trickle(final byte[] input, final int chunk) {
        return new ByteArrayInputStream(input) {
            @Override
            public synchronized int read(final byte[] b, final int off, final int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    /** Up to 30 pieces, now and then none or one: the first or the last. */
    private static byte[] input(final Random r) {
        final List<byte[]> pieces = Gen.edge(r) ? (r.nextBoolean() ? List.of() : List.of(Gen.pick(r, PIECES[0],
                PIECES[PIECES.length - 1]))) : Gen.list(r, 0, 30, random -> Gen.pick(random, PIECES));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** 1 to 64, small ones more often; now and then one at an end of the range. */
    private static int bufferOrChunk(final Random r) {
        return Gen.edge(r) ? Gen.pick(r, 1, 2, 63, 64) : Gen.biased(r, 1, 64);
    }

    private static byte[] b(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
