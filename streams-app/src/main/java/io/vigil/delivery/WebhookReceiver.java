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
 */
public record WebhookReceiver(String name, URI url, Optional<SeriesSelector> match, boolean sendResolved,
                              Optional<Secret> bearerToken, Optional<Secret> hmacSecret, Duration timeout) {

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
