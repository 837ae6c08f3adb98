package io.vigil.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The other instances that gave no answer lately ({@link PeerClient.NoAnswer}), each with why and when, so that an
 * answer allowed to be partial names them at once rather than wait for them again. With one instance stopped
 * (SIGSTOP, a frozen VM), every refresh of the alerts page waited its full timeout (5 s) until Kafka Streams gave its
 * work to the others (the consumer's session timeout, 45 s by default). An instance that refused the connection or
 * answered an error is not kept: asking it again costs no wait, and one restarting is seen at the next refresh.
 * Shared by every answer of an instance, from any thread.
 */
final class SilentPeers {

    /**
     * How long a failure is remembered, then the instance is asked again: short beside the 45 s a takeover takes, so
     * that one back after a pause is soon seen, and long enough that the page (every 5 s) waits about one refresh in
     * three rather than every one.
     */
    static final Duration REMEMBERED = Duration.ofSeconds(10);
    /** Instances remembered at most: instances come and go (a redeploy gives new addresses), this must not grow. */
    static final int MAX_REMEMBERED = 64;

    private record Failure(Instant at, String reason) {
    }

    private final Clock clock;
    /** Oldest failure first: a failure again moves its instance to the end. */
    private final Map<HostInfo, Failure> failures = new LinkedHashMap<>();

    SilentPeers(final Clock clock) {
        this.clock = clock;
    }

    /** {@code host} gave no answer now, for {@code reason} (the message naming it). */
    synchronized void failed(final HostInfo host, final String reason) {
        final Instant now = clock.instant();
        failures.remove(host);
        failures.put(host, new Failure(now, reason));
        final Iterator<Failure> oldest = failures.values().iterator();
        while (oldest.hasNext()) {
            final Failure f = oldest.next();
            if (failures.size() <= MAX_REMEMBERED && remembered(f, now)) {
                break;
            }
            oldest.remove();
        }
    }

    /** {@code host} answered, or refused at once: it is asked from now on. */
    synchronized void answered(final HostInfo host) {
        failures.remove(host);
    }

    /**
     * Why {@code host} gave no answer, when it did within {@link #REMEMBERED}, with how long ago and when it is asked
     * again ({@code instance h:p did not answer within 5000 ms (2 s ago; asked again in 8 s)}); empty otherwise.
     */
    synchronized Optional<String> lately(final HostInfo host) {
        final Failure f = failures.get(host);
        final Instant now = clock.instant();
        if (f == null || !remembered(f, now)) {
            failures.remove(host);
            return Optional.empty();
        }
        final long ago = Duration.between(f.at(), now).toSeconds();
        return Optional.of(f.reason() + " (" + ago + " s ago; asked again in " + (REMEMBERED.toSeconds() - ago)
                + " s)");
    }

    /** How many instances are kept, their failures recent or not yet dropped. */
    synchronized int size() {
        return failures.size();
    }

    /** Whether {@code f} is recent at {@code now}; a clock set back forgets it rather than keep it longer. */
    private static boolean remembered(final Failure f, final Instant now) {
        final Duration ago = Duration.between(f.at(), now);
        return !ago.isNegative() && ago.compareTo(REMEMBERED) < 0;
    }
}
