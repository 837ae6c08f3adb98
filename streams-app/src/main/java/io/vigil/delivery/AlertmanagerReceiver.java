package io.vigil.delivery;

import io.vigil.rules.SeriesSelector;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A real Alertmanager that Vigil pushes to, as Prometheus does ({@code POST /api/v2/alerts}).
 *
 * @param name           unique among receivers
 * @param url            Alertmanager's base URL, e.g. {@code http://alertmanager:9093}
 * @param match          label matchers an alert must satisfy; empty: every alert
 * @param resendInterval how often every firing alert is sent again (Alertmanager keeps no state of its own that
 *                       survives its restart, and expires alerts that are not re-sent)
 */
public record AlertmanagerReceiver(String name, URI url, Optional<SeriesSelector> match, Duration resendInterval) {

    /** How long a resolved alert keeps being re-sent, so an Alertmanager that was down when it resolved hears of it. */
    public static final Duration RESOLVED_RESEND = Duration.ofMinutes(15);
}
