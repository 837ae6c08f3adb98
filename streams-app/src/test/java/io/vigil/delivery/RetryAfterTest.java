package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The two forms of Retry-After RFC 9110 allows, and what is ignored. */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-12-06T02:59:40Z");

    @Test
    void delaySecondsIsANonNegativeInteger() {
        assertThat(RetryAfter.parse(" 7 ", NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse("0", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    }

    @Test
    void anHttpDateIsTheWaitUntilThen() {
        assertThat(RetryAfter.parse("Sun, 06 Dec 2026 03:00:00 GMT", NOW)).contains(Duration.ofSeconds(20));
        assertThat(RetryAfter.parse("Sun, 06 Dec 2026 02:00:00 GMT", NOW)).contains(Duration.ZERO);
    }
}
