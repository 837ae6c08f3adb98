package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import io.vigil.model.Labels;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Which alerts fire at a time, from the events of a run: at or after startsAt, before endsAt. */
class RuleTestTimelineTest {

    private static Instant s(final long seconds) {
        return Instant.ofEpochSecond(seconds);
    }

    private static AlertEvent event(final String fp, final EventStatus status, final long activeAt,
                                    final Optional<Instant> startsAt, final Optional<Instant> endsAt) {
        return new AlertEvent(fp, status, Labels.of("alertname", "A", "instance", fp), Map.of(), s(activeAt),
                startsAt, endsAt, OptionalDouble.of(1), "g/A", "http://x");
    }

    @Test
    void anAlertFiresFromItsStartUntilJustBeforeItResolvesAndAgainWhenItRefires() {
        final RuleTestTimeline timeline = RuleTestTimeline.of(List.of(
                event("x", EventStatus.PENDING, 10, Optional.empty(), Optional.empty()),
                event("x", EventStatus.FIRING, 10, Optional.of(s(30)), Optional.empty()),
                event("x", EventStatus.RESOLVED, 10, Optional.of(s(30)), Optional.of(s(60))),
                event("x", EventStatus.FIRING, 90, Optional.of(s(90)), Optional.empty())));

        assertThat(timeline.firingAt(s(29))).isEmpty();
        assertThat(timeline.firingAt(s(30))).hasSize(1);
        assertThat(timeline.firingAt(s(59))).hasSize(1);
        assertThat(timeline.firingAt(s(60))).isEmpty();
        assertThat(timeline.firingAt(s(89))).isEmpty();
        assertThat(timeline.firingAt(s(90))).extracting(a -> a.labels().get("instance")).containsExactly("x");
        assertThat(timeline.firingAt(s(100_000))).hasSize(1);
    }

    @Test
    void alertsOfDifferentFingerprintsAreApart() {
        final RuleTestTimeline timeline = RuleTestTimeline.of(List.of(
                event("x", EventStatus.FIRING, 0, Optional.of(s(0)), Optional.empty()),
                event("y", EventStatus.FIRING, 0, Optional.of(s(10)), Optional.empty()),
                event("x", EventStatus.RESOLVED, 0, Optional.of(s(0)), Optional.of(s(20)))));

        assertThat(timeline.firingAt(s(15))).extracting(a -> a.labels().get("instance")).containsExactly("x", "y");
        assertThat(timeline.firingAt(s(20))).extracting(a -> a.labels().get("instance")).containsExactly("y");
    }
}
