package io.vigil.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt: exponential backoff with full jitter, bounded, so that receivers coming back
 * from an outage are not hit by every sender at once.
 *
 * @param initial the first backoff
 * @param max     no wait is longer, whatever the attempt count or a Retry-After header says
 */
public record RetryPolicy(Duration initial, Duration max) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(60));

    /** @param attempt 1 for the first retry */
    Duration backoff(final int attempt) {
        final long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(20, attempt - 1));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** A receiver's own Retry-After (429, 503) wins over the backoff, up to {@link #max}. */
    Duration after(final Duration retryAfter) {
        return retryAfter.compareTo(max) > 0 ? max : retryAfter;
    }
}
