package io.vigil.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt: exponential backoff with "equal jitter", bounded, so that receivers coming
 * back from an outage are not hit by every sender at once. The ceiling doubles from {@code initial} up to {@code max},
 * and the wait is drawn uniformly from its upper half, [ceiling/2, ceiling]: never shorter than half the ceiling, so
 * retries of a failing receiver stay spread out (full jitter, [0, ceiling], could retry at once, many times).
 *
 * Each webhook receiver has its own ({@code min_backoff}, {@code max_backoff} of its configuration, README): a
 * receiver behind a rate limit may want longer waits than one on loopback.
 *
 * @param initial the first backoff ({@code min_backoff}), positive
 * @param max     no wait is longer, whatever the attempt count or a Retry-After header says ({@code max_backoff}), at
 *                least {@code initial}
 */
public record RetryPolicy(Duration initial, Duration max) {

    /** {@code min_backoff: 500ms}, {@code max_backoff: 60s}: what a receiver has unless its configuration says. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(60));

    public RetryPolicy {
        // A zero first backoff would retry at once, in a loop, until the ceiling grew; a max below it would be no bound.
        if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("a backoff from " + initial + " to " + max + " is not one: the first"
                    + " must be at least 1ms and the longest at least the first");
        }
    }

    /** @param attempt 1 for the first retry */
    Duration backoff(final int attempt) {
        final long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(20, attempt - 1));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /**
     * The wait before retry {@code attempt}: the longer of the backoff and the receiver's own Retry-After (429, 503),
     * at most {@link #max}. A Retry-After shorter than the backoff (zero, say) does not shorten it: a receiver or proxy
     * that always answers {@code Retry-After: 0} would otherwise get a retry loop without any pause.
     *
     * @param attempt    1 for the first retry
     * @param retryAfter the receiver's Retry-After, if it gave a valid one (not negative)
     */
    Duration wait(final int attempt, final Optional<Duration> retryAfter) {
        final Duration backoff = backoff(attempt);
        return retryAfter.filter(r -> r.compareTo(backoff) > 0).map(r -> r.compareTo(max) > 0 ? max : r).orElse(backoff);
    }
}
