package io.vigil.delivery;

import io.vigil.rules.SeriesSelector;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * One webhook receiver of the configuration ({@code receivers:} in cli.md).
 *
 * @param name         unique; names the consumer group, so each receiver keeps its own place in the alerts topic
 * @param url          where alerts are POSTed
 * @param match        label matchers an alert must satisfy (the metric-name part is unused); empty: every alert
 * @param sendResolved whether resolved events are sent too
 * @param bearerToken  sent as {@code Authorization: Bearer ...}; read from a file or the environment, never printed
 * @param hmacSecret   signs the body as {@code X-Vigil-Signature: sha256=HEX}; from a file or the environment
 * @param timeout      per request
 * @param maxInFlight  requests at once at most (an alert's own events are sent one after the other, in order)
 * @param retry        the backoff between attempts at one event ({@code min_backoff}, {@code max_backoff}), which also
 *                     bounds a Retry-After, and between restarts of the receiver's delivery
 */
public record WebhookReceiver(String name, URI url, Optional<SeriesSelector> match, boolean sendResolved,
                              Optional<Secret> bearerToken, Optional<Secret> hmacSecret, Duration timeout,
                              int maxInFlight, RetryPolicy retry) {

    /** Requests at once unless the configuration says otherwise ({@code max_in_flight}). */
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;

    public WebhookReceiver {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max_in_flight must be at least 1, not " + maxInFlight);
        }
    }

    /** A receiver with {@link #DEFAULT_MAX_IN_FLIGHT} requests at once at most and {@link RetryPolicy#DEFAULT}. */
    public WebhookReceiver(final String name, final URI url, final Optional<SeriesSelector> match,
                           final boolean sendResolved, final Optional<Secret> bearerToken,
                           final Optional<Secret> hmacSecret, final Duration timeout) {
        this(name, url, match, sendResolved, bearerToken, hmacSecret, timeout, DEFAULT_MAX_IN_FLIGHT);
    }

    /** A receiver with {@link RetryPolicy#DEFAULT}. */
    public WebhookReceiver(final String name, final URI url, final Optional<SeriesSelector> match,
                           final boolean sendResolved, final Optional<Secret> bearerToken,
                           final Optional<Secret> hmacSecret, final Duration timeout, final int maxInFlight) {
        this(name, url, match, sendResolved, bearerToken, hmacSecret, timeout, maxInFlight, RetryPolicy.DEFAULT);
    }

    /** A secret value that never shows itself in logs, messages or toString. */
    public static final class Secret {
        private final String value;

        public Secret(final String value) {
            this.value = value;
        }

        String reveal() {
            return value;
        }

        @Override
        public String toString() {
            return "****";
        }
    }
}
