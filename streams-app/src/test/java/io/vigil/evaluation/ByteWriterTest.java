package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The changelog's bytes must not change with the writer: the same calls give what DataOutputStream gives. */
class ByteWriterTest {

    private static final String[] TEXTS = {"", "g/High", "a\ttab/and\nline", "nul\u0000inside", "caf\u00e9",
        "\u20ac and \ud83d\ude00", "\u07ff\u0800\u007f\u0080"};

    @Test
    void randomCallsWriteWhatDataOutputStreamWrites() throws IOException {
        final Random random = new Random(7);
        for (int round = 0; round < 1_000; round++) {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final DataOutputStream expected = new DataOutputStream(bytes);
            // A small start: the writer grows many times.
            final ByteWriter actual = new ByteWriter(1);
            for (int call = random.nextInt(40); call > 0; call--) {
                apply(random.nextInt(13), random, expected, actual);
            }
            expected.flush();
            assertThat(actual.toByteArray()).as("round %d", round).isEqualTo(bytes.toByteArray());
        }
    }

    /** Makes the same call, with the same random argument, on both. */
    private static void apply(final int which, final Random random, final DataOutput a, final DataOutput b)
            throws IOException {
        final long r = random.nextLong();
        final String text = TEXTS[random.nextInt(TEXTS.length)];
        final byte[] some = new byte[random.nextInt(20)];
        random.nextBytes(some);
        for (DataOutput out : new DataOutput[] {a, b}) {
            switch (which) {
                case 0 -> out.write((int) r);
                case 1 -> out.write(some);
                case 2 -> out.write(some, some.length / 3, some.length / 2);
                case 3 -> out.writeBoolean((r & 1) == 0);
                case 4 -> out.writeByte((int) r);
                case 5 -> out.writeShort((int) r);
                case 6 -> out.writeChar((int) r);
                case 7 -> out.writeInt((int) r);
                case 8 -> out.writeLong(r);
                case 9 -> out.writeFloat(Float.intBitsToFloat((int) r));
                case 10 -> out.writeDouble(Double.longBitsToDouble(r));
                case 11 -> out.writeUTF(text);
                default -> {
                    out.writeBytes(text);
                    out.writeChars(text);
                }
            }
        }
    }

    @Test
    void aStringTooLongForTwoLengthBytesIsRefusedAsByDataOutputStream() {
        final String long3 = "\u20ac".repeat(21_846); // 65,538 bytes of modified UTF-8
        assertThatThrownBy(() -> new DataOutputStream(new ByteArrayOutputStream()).writeUTF(long3))
                .isInstanceOf(UTFDataFormatException.class);
        assertThatThrownBy(() -> new ByteWriter(8).writeUTF(long3)).isInstanceOf(UTFDataFormatException.class);
    }
}
