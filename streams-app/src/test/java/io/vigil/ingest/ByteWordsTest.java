package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ByteWords#same} answers as {@link Arrays#equals(byte[], int, int, byte[], int, int)} does. */
class ByteWordsTest {

    @Test
    void equalRunsOfEveryLengthAndOffsetAreTheSame() {
        final Random random = new Random(7);
        for (int length = 0; length <= 40; length++) {
            for (int aFrom = 0; aFrom < 9; aFrom++) {
                final byte[] run = new byte[length];
                random.nextBytes(run);
                final byte[] a = new byte[aFrom + length + 3];
                final byte[] b = new byte[length + 5];
                System.arraycopy(run, 0, a, aFrom, length);
                System.arraycopy(run, 0, b, 2, length);
                assertThat(ByteWords.same(a, aFrom, b, 2, length)).as("length %d at %d", length, aFrom).isTrue();
            }
        }
    }

    @Test
    void aRunDifferingInAnyOneByteIsNotTheSame() {
        final Random random = new Random(11);
        for (int length = 1; length <= 40; length++) {
            final byte[] a = new byte[length + 1];
            random.nextBytes(a);
            for (int differs = 0; differs < length; differs++) {
                final byte[] b = Arrays.copyOfRange(a, 1, length + 1);
                b[differs] ^= (byte) (1 << (differs % 8));
                assertThat(ByteWords.same(a, 1, b, 0, length)).as("length %d, byte %d", length, differs).isFalse();
            }
        }
    }

    @Test
    void bytesOutsideTheRunsDoNotCount() {
        final byte[] a = "xx\"timestamp\":\"yy".getBytes(StandardCharsets.US_ASCII);
        final byte[] b = "\"timestamp\":\"".getBytes(StandardCharsets.US_ASCII);
        assertThat(ByteWords.same(a, 2, b, 0, b.length)).isTrue();
        assertThat(ByteWords.same(a, 1, b, 0, b.length)).isFalse();
    }
}
