package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A key's hash and spelling read from its UTF-8 bytes, inside a larger array, against the string's own. */
class KeyBytesTest {

    /** The bytes of {@code s} at offset {@code at} of an array with junk on both sides. */
    private static byte[] embedded(final String s, final int at) {
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[at + bytes.length + 3];
        java.util.Arrays.fill(out, (byte) 'z');
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return out;
    }

    @Test
    void anAsciiKeyHashesAsItsString() {
        final Random random = new Random(7);
        for (int n = 0; n < 2_000; n++) {
            final StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(140); i > 0; i--) {
                s.append((char) random.nextInt(128));
            }
            final String key = s.toString();
            final int at = random.nextInt(5);
            final byte[] bytes = embedded(key, at);
            assertThat(KeyBytes.hash(bytes, at, key.length())).as(key).isEqualTo(key.hashCode() & 0xFFFF_FFFFL);
            assertThat(KeyBytes.same(key, bytes, at)).isTrue();
            if (!key.isEmpty()) {
                // One char off, anywhere: not the same.
                final int i = random.nextInt(key.length());
                final String other = key.substring(0, i) + (char) ((key.charAt(i) + 1) % 128) + key.substring(i + 1);
                assertThat(KeyBytes.same(other, bytes, at)).isFalse();
            }
        }
    }

    @Test
    void aKeyBeyondAsciiIsLeftToItsString() {
        for (String key : new String[] {"cpu{host=\"é\"}", "cpu{host=\"\u00ff\"}", "\u4e2d", "m{a=\"\uD83D\uDE00\"}"}) {
            final byte[] bytes = embedded(key, 2);
            final int length = key.getBytes(StandardCharsets.UTF_8).length;
            assertThat(KeyBytes.hash(bytes, 2, length)).as(key).isEqualTo(KeyBytes.NOT_ASCII);
        }
        // A non-ASCII char never equals an ASCII byte, even one with its low bits (0x141 is 'A' + 0x100).
        assertThat(KeyBytes.same("\u0141", new byte[] {'A'}, 0)).isFalse();
        assertThat(KeyBytes.same("\u00c1", new byte[] {'A'}, 0)).isFalse();
    }
}
