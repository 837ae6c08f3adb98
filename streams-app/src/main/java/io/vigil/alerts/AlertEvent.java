package io.vigil.alerts;

import io.vigil.model.Labels;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One alert transition as the {@code alerts} topic carries it (formats.md, "Output: alert events").
 *
 * @param fingerprint  16 hex digits, a stable hash of the sorted alert labels
 * @param status       pending, firing or resolved
 * @param labels       {@code alertname}, the series' labels, then the rule's labels (rule labels win)
 * @param annotations  rendered annotations, sorted by name
 * @param activeAt     the first true evaluation
 * @param startsAt     when it fired; empty on a pending event
 * @param endsAt       when it resolved; present only on a resolved event
 * @param value        the aggregate at the evaluation that caused the event; empty when there was no data
 * @param rule         {@code group/alert}
 * @param generatorURL where the rule is shown
 */
public record AlertEvent(
        String fingerprint,
        EventStatus status,
        Labels labels,
        Map<String, String> annotations,
        Instant activeAt,
        Optional<Instant> startsAt,
        Optional<Instant> endsAt,
        OptionalDouble value,
        String rule,
        String generatorURL) {

    public AlertEvent {
        annotations = Map.copyOf(annotations);
    }
}
