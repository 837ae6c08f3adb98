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
        Tries.run(0x11E_0001L, 3_000, r -> new Reading(input(r), bufferOrChunk(r), bufferOrChunk(r)), c -> {
            final List<byte[]> actual = new ArrayList<>();
            final InputLines lines = new InputLines(trickle(c.input(), c.chunk()), c.buffer());
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                actual.add(line);
            }
            assertThat(actual).containsExactlyElementsOf(byLineEnds(c.input()));
            assertThat(lines.next()).isNull();
            if (isUtf8(c.input())) {
                assertThat(actual).containsExactlyElementsOf(withReadLine(c.input()));
            }
        });
    }

    /** An input, the reader's buffer size and the most bytes the stream hands over per read. */
    private record Reading(byte[] input, int buffer, int chunk) {
        @Override
        public String toString() {
            return "buffer " + buffer + ", chunk " + chunk + ", " + Tries.describe(input);
        }
    }

    @Test
    void aLineThatIsNotUtf8IsARecordAndTheLinesAfterItAreRead() throws IOException {
        final byte[] input = {'{', (byte) 0xC3, '}', '\n', (byte) 0xFF, '\n', 'o', 'k', '\n'};
        final InputLines lines = new InputLines(new ByteArrayInputStream(input));

        assertThat(lines.next()).containsExactly('{', (byte) 0xC3, '}');
        assertThat(lines.next()).containsExactly((byte) 0xFF);
        assertThat(lines.next()).containsExactly('o', 'k');
        assertThat(lines.next()).isNull();
    }

    @Test
    void linesLongerThanTheBufferAndEveryLineEnd() throws IOException {
        final String longLine = "y".repeat(100);
        final InputLines lines = new InputLines(new ByteArrayInputStream(b("a\r\nb\rc\n\n  \n" + longLine + "\nd")), 4);
        final List<String> read = new ArrayList<>();
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            read.add(new String(line, StandardCharsets.UTF_8));
        }
        assertThat(read).containsExactly("a", "b", "c", longLine, "d");
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
     * text (as UTF-8, malformed bytes replaced) is blank.
     */
    private static List<byte[]> byLineEnds(final byte[] input) {
        final List<byte[]> lines = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n' || input[i] == '\r') {
                final byte[] line = java.util.Arrays.copyOfRange(input, from, i);
                if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
                    lines.add(line);
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
