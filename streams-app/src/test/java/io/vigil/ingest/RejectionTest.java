package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectionTest {

    @Test
    void detailsAreOneLineAndCut() {
        final Rejection rejection = new Rejection(DeadLetterReason.INVALID_VALUE, "a\nb\r\tc" + "x".repeat(400));

        assertThat(rejection.detail()).startsWith("a b  c").endsWith("...").hasSize(Rejection.MAX_DETAIL_LENGTH);
        assertThat(rejection.message()).startsWith("invalid_value: a b  c");
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        final String detail = "x".repeat(Rejection.MAX_DETAIL_LENGTH - 4) + "\uD83D\uDE00" + "tail";

        assertThat(new Rejection(DeadLetterReason.EMPTY, detail).detail())
                .isEqualTo("x".repeat(Rejection.MAX_DETAIL_LENGTH - 4) + "...");
    }

    @Test
    void quotedInputIsShortAndOnOneLine() {
        assertThat(Rejection.quote("a\nb")).isEqualTo("\"a b\"");
        assertThat(Rejection.quote("y".repeat(100))).isEqualTo("\"" + "y".repeat(61) + "...\"");
        assertThat(Rejection.singleQuoted("a\nb")).isEqualTo("'a b'");
        assertThat(Rejection.singleQuoted("y".repeat(100))).isEqualTo("'" + "y".repeat(61) + "...'");
    }

    @Test
    void tagsAreUniqueSnakeCase() {
        final List<String> tags = Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::tag).toList();

        assertThat(tags).allMatch(t -> t.matches("[a-z]+(_[a-z]+)*"));
        assertThat(new HashSet<>(tags)).hasSameSizeAs(tags);
        assertThat(DeadLetterReason.INVALID_VALUE.tag()).isEqualTo("invalid_value");
    }

    @Test
    void aFullyValidRecordHasNoDeadLetterMessage() {
        assertThat(new DecodedRecord(List.of(), List.of()).deadLetterMessage()).isEmpty();
    }

    @Test
    void limitsRefuseNonsense() {
        assertThat(IngestLimits.defaults()).isEqualTo(
                new IngestLimits(1_048_576, 64, 128, 2048, Duration.ofMinutes(5), Duration.ofDays(7)));
        assertThatThrownBy(() -> new IngestLimits(0, 64, 128, 2048, Duration.ZERO, Duration.ofDays(7)))
                .hasMessage("maxRecordBytes must be positive, got 0");
        assertThatThrownBy(() -> IngestLimits.defaults().withMaxFutureSkew(Duration.ofSeconds(-1)))
                .hasMessage("maxFutureSkew must not be negative, got PT-1S");
        assertThatThrownBy(() -> IngestLimits.defaults().withMaxFutureSkew(Duration.ofSeconds(Long.MAX_VALUE)))
                .hasMessageContaining("does not fit in milliseconds");
    }
}
