package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** A dead letter is sent as it came unless the dead-letter topic cannot take it whole; then it is cut, and says so. */
class DeadLetterSizeTest {

    @Test
    void aRecordThatFitsIsSentAsItCame() {
        final RecordHeaders headers = headers();
        final byte[] key = bytes(10);
        final byte[] value = bytes(DeadLetterSize.MAX_RECORD_BYTES - 1_000);
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(key, value, headers);
        assertThat(fitted.key()).isSameAs(key);
        assertThat(fitted.value()).isSameAs(value);
        assertThat(headers.toArray()).hasSize(1);
    }

    @Test
    void aValueTooLargeIsCutToTheRoomLeftAndItsLengthSaid() {
        final RecordHeaders headers = headers();
        final byte[] value = bytes(3_000_000);
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(bytes(10), value, headers);
        assertThat(fitted.key()).hasSize(10);
        assertThat(fitted.value().length).isLessThan(DeadLetterSize.MAX_RECORD_BYTES - 100)
                .isGreaterThan(DeadLetterSize.MAX_RECORD_BYTES - 500);
        assertThat(fitted.value()).containsExactly(java.util.Arrays.copyOf(value, fitted.value().length));
        assertThat(new String(headers.lastHeader("vigil.value.bytes").value(), StandardCharsets.UTF_8))
                .isEqualTo("3000000");
        assertThat(headers.lastHeader("vigil.key.bytes")).isNull();
    }

    @Test
    void aKeyTooLargeIsCutTooAndTheWholeStaysWithinTheLimit() {
        final RecordHeaders headers = headers();
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(bytes(2_000_000), bytes(2_000_000), headers);
        assertThat(fitted.key().length + fitted.value().length).isLessThan(DeadLetterSize.MAX_RECORD_BYTES - 100);
        assertThat(new String(headers.lastHeader("vigil.key.bytes").value(), StandardCharsets.UTF_8))
                .isEqualTo("2000000");
        assertThat(new String(headers.lastHeader("vigil.value.bytes").value(), StandardCharsets.UTF_8))
                .isEqualTo("2000000");
    }

    @Test
    void theRecordsOwnHeadersAreDroppedWhereTheyAloneTakeMoreThanAQuarter() {
        final RecordHeaders headers = headers();
        headers.add("trace", bytes(600_000));
        headers.add("small", bytes(3));
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(bytes(10), bytes(100), headers);
        assertThat(fitted.value()).hasSize(100);
        assertThat(headers.toArray()).extracting(h -> h.key())
                .containsExactly("vigil.error", "vigil.headers.bytes");
        assertThat(Integer.parseInt(new String(headers.lastHeader("vigil.headers.bytes").value(),
                StandardCharsets.UTF_8))).isGreaterThan(600_000);
    }

    private static RecordHeaders headers() {
        final RecordHeaders headers = new RecordHeaders();
        headers.add("vigil.error", "record_too_large: 3000000 bytes".getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static byte[] bytes(final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }
}
