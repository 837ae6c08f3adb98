package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** How long an instance that gave no answer is named without being asked, and how many are kept. */
class SilentPeersTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SilentPeers silent = new SilentPeers(clock);
    private final HostInfo b = new HostInfo("10.0.0.8", 8080);

    @Test
    void namesAnInstanceWithWhenForTenSeconds() {
        silent.failed(b, "instance 10.0.0.8:8080 did not answer within 5000 ms");
        assertThat(silent.lately(b)).hasValue("instance 10.0.0.8:8080 did not answer within 5000 ms"
                + " (0 s ago; asked again in 10 s)");
        clock.advance(Duration.ofMillis(2500));
        assertThat(silent.lately(b)).hasValue("instance 10.0.0.8:8080 did not answer within 5000 ms"
                + " (2 s ago; asked again in 8 s)");
        clock.advance(Duration.ofMillis(7499));
        assertThat(silent.lately(b)).hasValueSatisfying(r -> assertThat(r).endsWith("(9 s ago; asked again in 1 s)"));
        clock.advance(Duration.ofMillis(1));
        assertThat(silent.lately(b)).isEmpty();
    }

    @Test
    void forgetsAnInstanceThatAnswered() {
        silent.failed(b, "instance 10.0.0.8:8080 did not answer within 5000 ms");
        silent.answered(b);
        assertThat(silent.lately(b)).isEmpty();
    }

    /** A clock set back does not keep a failure longer than it was to be kept. */
    @Test
    void forgetsAFailureFromAfterNow() {
        silent.failed(b, "instance 10.0.0.8:8080 did not answer within 5000 ms");
        clock.advance(Duration.ofSeconds(-1));
        assertThat(silent.lately(b)).isEmpty();
    }

    @Test
    void keepsAtMostSoManyInstancesTheOldestFailureGoingFirst() {
        silent.failed(b, "failed b");
        for (int i = 0; i < SilentPeers.MAX_REMEMBERED - 1; i++) {
            silent.failed(new HostInfo("10.0.1." + i, 8080), "failed " + i);
        }
        // Failing again makes it the newest: the next one past the bound pushes out the oldest, 10.0.1.0.
        silent.failed(b, "failed b again");
        silent.failed(new HostInfo("10.0.2.0", 8080), "one more");
        assertThat(silent.lately(new HostInfo("10.0.1.0", 8080))).isEmpty();
        assertThat(silent.lately(new HostInfo("10.0.1.1", 8080))).isPresent();
        assertThat(silent.lately(new HostInfo("10.0.2.0", 8080))).isPresent();
        assertThat(silent.lately(b)).hasValueSatisfying(r -> assertThat(r).startsWith("failed b again"));
    }

    /** Instances come and go: a failure drops every other past its ten seconds. */
    @Test
    void dropsTheFailuresPastTheirTimeAtTheNext() {
        for (int i = 0; i < SilentPeers.MAX_REMEMBERED; i++) {
            silent.failed(new HostInfo("10.0.1." + i, 8080), "failed " + i);
            clock.advance(Duration.ofMillis(100));
        }
        assertThat(silent.size()).isEqualTo(SilentPeers.MAX_REMEMBERED);
        clock.advance(SilentPeers.REMEMBERED.minusSeconds(5));
        silent.failed(b, "failed b");
        assertThat(silent.size()).isEqualTo(1 + SilentPeers.MAX_REMEMBERED - 15);
    }
}
