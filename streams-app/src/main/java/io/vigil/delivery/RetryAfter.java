package io.vigil.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A receiver's {@code Retry-After} header (RFC 9110, 10.2.3): either delay-seconds, a non-negative integer, or an
 * HTTP-date ({@code Sun, 06 Dec 2026 03:00:00 GMT}), which proxies and load balancers often send with a 503. Anything
 * else is ignored and the backoff decides; {@link RetryPolicy#wait} bounds what a valid one asks for.
 */
final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * @param value the header's value
     * @param now   the wall clock, to turn a date into a wait
     * @return the wait the receiver asks for; zero for a date already past; empty when the value is neither form
     */
    static Optional<Duration> parse(final String value, final Instant now) {
        final String v = value.trim();
        try {
            final long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                // RFC_1123_DATE_TIME reads IMF-fixdate, the form RFC 9110 says senders must use.
                final Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
