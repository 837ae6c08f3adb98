package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A byte offset of a record becomes the line and column an editor shows: characters, not bytes. */
class RecordPositionTest {

    private static final byte[] TEXT = "a\u00e9\r\n\u20ac\ud83d\ude00x".getBytes(StandardCharsets.UTF_8);

    @Test
    void linesEndAtNewlinesAndColumnsCountCharacters() {
        assertThat(RecordPosition.ofByte(TEXT, 0)).isEqualTo(new RecordPosition(1, 1));
        assertThat(RecordPosition.ofByte(TEXT, 1)).isEqualTo(new RecordPosition(1, 2));
        // After the two bytes of U+00E9, at the '\r' that ends the line with the '\n'.
        assertThat(RecordPosition.ofByte(TEXT, 3)).isEqualTo(new RecordPosition(1, 3));
        // After the three bytes of U+20AC and the four of U+1F600.
        assertThat(RecordPosition.ofByte(TEXT, 5 + 3 + 4)).isEqualTo(new RecordPosition(2, 3));
        assertThat(RecordPosition.ofByte(TEXT, TEXT.length)).isEqualTo(new RecordPosition(2, 4));
    }

    /** Jackson may give an offset inside a character; the character is where the problem is. */
    @Test
    void anOffsetInsideACharacterIsThatCharacters() {
        for (int inside = 6; inside < 12; inside++) {
            assertThat(RecordPosition.ofCharacterAt(TEXT, inside))
                    .isEqualTo(new RecordPosition(2, inside < 8 ? 1 : 2));
        }
    }

    /** A stray continuation byte is where UTF-8 goes wrong: it is placed itself, not as part of what is before. */
    @Test
    void aStrayContinuationByteIsPlacedItself() {
        final byte[] stray = {'a', 'b', (byte) 0x80};
        assertThat(RecordPosition.ofByte(stray, 2)).isEqualTo(new RecordPosition(1, 3));
    }

    @Test
    void noneHasNoLineAndAColumnNeedsOne() {
        assertThat(RecordPosition.NONE.known()).isFalse();
        assertThat(new RecordPosition(3, 0).known()).isTrue();
        assertThat(new RecordPosition(3, 0).hasColumn()).isFalse();
        assertThatThrownBy(() -> new RecordPosition(0, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
