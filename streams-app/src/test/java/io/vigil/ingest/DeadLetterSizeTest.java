package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** A dead letter is sent as it came unless the dead-letter topic cannot take it whole; then it is cut, and says so. */
class DeadLetterSizeTest {

    @Test
    void aRecordThatFitsIsSentAsItCame() {
        final RecordHeaders own = new RecordHeaders();
        own.add("trace", bytes(16));
        final byte[] key = bytes(10);
        final byte[] value = bytes(DeadLetterSize.MAX_RECORD_BYTES - 1_000);
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(key, value, own, vigil());
        assertThat(fitted.key()).isSameAs(key);
        assertThat(fitted.value()).isSameAs(value);
        assertThat(fitted.headers().toArray()).extracting(Header::key).containsExactly("trace", "vigil.error");
    }

    @Test
    void aValueTooLargeIsCutToTheRoomLeftAndItsLengthSaid() {
        final byte[] value = bytes(3_000_000);
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(bytes(10), value, new RecordHeaders(), vigil());
        assertThat(fitted.key()).hasSize(10);
        assertThat(fitted.value().length).isLessThan(DeadLetterSize.MAX_RECORD_BYTES - 100)
                .isGreaterThan(DeadLetterSize.MAX_RECORD_BYTES - 500);
        assertThat(fitted.value()).containsExactly(java.util.Arrays.copyOf(value, fitted.value().length));
        assertThat(header(fitted, "vigil.value.bytes")).isEqualTo("3000000");
        assertThat(fitted.headers().lastHeader("vigil.key.bytes")).isNull();
    }

    @Test
    void aKeyTooLargeIsCutTooAndTheWholeStaysWithinTheLimit() {
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(bytes(2_000_000), bytes(2_000_000),
                new RecordHeaders(), vigil());
        assertThat(fitted.key().length + fitted.value().length).isLessThan(DeadLetterSize.MAX_RECORD_BYTES - 100);
        assertThat(header(fitted, "vigil.key.bytes")).isEqualTo("2000000");
        assertThat(header(fitted, "vigil.value.bytes")).isEqualTo("2000000");
    }

    @Test
    void theRecordsOwnHeadersAreDroppedWhereTheyAloneTakeMoreThanAQuarter() {
        final RecordHeaders own = new RecordHeaders();
        own.add("trace", bytes(600_000));
        own.add("small", bytes(3));
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(bytes(10), bytes(100), own, vigil());
        assertThat(fitted.value()).hasSize(100);
        assertThat(fitted.headers().toArray()).extracting(Header::key)
                .containsExactly("vigil.error", "vigil.headers.bytes");
        assertThat(Integer.parseInt(header(fitted, "vigil.headers.bytes"))).isGreaterThan(600_000);
    }

    /**
     * 400 KB of headers named as Vigil's on a record without a key were taken for Vigil's, never dropped, and left
     * negative room: the key's cut copied null and stopped the stream thread.
     */
    @Test
    void theRecordsOwnHeadersNamedAsVigilsAreNotCarriedOver() {
        final RecordHeaders own = new RecordHeaders();
        own.add("vigil.error", bytes(6));
        for (int i = 0; i < 100; i++) {
            own.add("vigil." + "k".repeat(4_000) + i, bytes(1));
        }
        own.add("trace", bytes(16));
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(null, bytes(100), own, vigil());
        assertThat(fitted.key()).isNull();
        assertThat(fitted.value()).hasSize(100);
        assertThat(fitted.headers().toArray()).extracting(Header::key).containsExactly("trace", "vigil.error");
        assertThat(header(fitted, "vigil.error")).startsWith("record_too_large");
    }

    private static RecordHeaders vigil() {
        final RecordHeaders headers = new RecordHeaders();
        headers.add("vigil.error", "record_too_large: 3000000 bytes".getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static String header(final DeadLetterSize.Fitted fitted, final String name) {
        return new String(fitted.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }
}
