package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
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

    @Property(tries = 3_000)
    void readsTheLinesOfTheFileAsTheyAre(@ForAll("inputs") final byte[] input,
                                         @ForAll @IntRange(min = 1, max = 64) final int buffer,
                                         @ForAll @IntRange(min = 1, max = 64) final int chunk) throws IOException {
        final List<byte[]> actual = new ArrayList<>();
        final InputLines lines = new InputLines(trickle(input, chunk), buffer);
        for (byte[] line = lines.next(); line != null; line = lines.next()) {
            actual.add(line);
        }
        assertThat(actual).containsExactlyElementsOf(byLineEnds(input));
        assertThat(lines.next()).isNull();
        if (isUtf8(input)) {
            assertThat(actual).containsExactlyElementsOf(withReadLine(input));
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

    @Provide
    Arbitrary<byte[]> inputs() {
        return Arbitraries.of(PIECES).list().ofMaxSize(30).map(pieces -> {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            pieces.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    private static byte[] b(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
