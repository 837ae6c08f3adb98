package io.vigil.app;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import io.vigil.model.Labels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which alerts were firing when, read back from the alert events of a run. Times are the events' own
 * ({@code startsAt}, {@code endsAt}), not the order they were emitted in, so an {@code absent} alert whose firing is
 * only seen later still counts from when it fired.
 */
final class RuleTestTimeline {

    /** A firing alert as the firing event described it. */
    record FiringAlert(Labels labels, Map<String, String> annotations) {
        FiringAlert {
            annotations = Map.copyOf(annotations);
        }
    }

    /** One stretch of firing of one alert: from {@code startsAt}, until {@code endsAt} when it resolved. */
    private record Episode(FiringAlert alert, Instant startsAt, Optional<Instant> endsAt) {
        boolean firingAt(final Instant t) {
            return !startsAt.isAfter(t) && endsAt.map(t::isBefore).orElse(true);
        }
    }

    private final List<Episode> episodes;

    private RuleTestTimeline(final List<Episode> episodes) {
        this.episodes = List.copyOf(episodes);
    }

    /** @param events in the order one run emitted them (events of one fingerprint are in order) */
    static RuleTestTimeline of(final List<AlertEvent> events) {
        final List<Episode> episodes = new ArrayList<>();
        final Map<String, Integer> openByFingerprint = new HashMap<>();
        for (final AlertEvent e : events) {
            if (e.status() == EventStatus.FIRING) {
                openByFingerprint.put(e.fingerprint(), episodes.size());
                episodes.add(new Episode(new FiringAlert(e.labels(), e.annotations()),
                        e.startsAt().orElse(e.activeAt()), Optional.empty()));
            } else if (e.status() == EventStatus.RESOLVED && openByFingerprint.containsKey(e.fingerprint())) {
                final int i = openByFingerprint.remove(e.fingerprint());
                final Episode open = episodes.get(i);
                final Instant endsAt = e.endsAt().orElse(e.activeAt());
                episodes.set(i, new Episode(open.alert(), open.startsAt(), Optional.of(endsAt)));
            }
        }
        return new RuleTestTimeline(episodes);
    }

    /** The alerts that had fired at or before {@code t} and had not resolved at or before it. */
    List<FiringAlert> firingAt(final Instant t) {
        return episodes.stream().filter(e -> e.firingAt(t)).map(Episode::alert).toList();
    }
}
