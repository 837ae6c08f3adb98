package io.vigil.alerts;

import io.vigil.evaluation.AlertNumbers;
import io.vigil.evaluation.AlertStatus;
import io.vigil.evaluation.AlertTransition;
import io.vigil.model.Labels;
import io.vigil.rules.Rule;
import io.vigil.rules.Template;
import io.vigil.rules.TemplateValues;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Turns an alert transition into the event the alert topic carries: labels (alertname, the series' labels, then the
 * rule's rendered labels, which win), rendered annotations, fingerprint, times and the rule's URL.
 */
public final class AlertEventFactory {

    /** The annotation that says why an alert resolved when its condition did not turn false (a forgotten series). */
    public static final String RESOLVED_REASON = "resolved_reason";

    private final String externalUrl;

    /** @param externalUrl where Vigil's HTTP endpoints are reached, e.g. {@code http://vigil.example:8080} */
    public AlertEventFactory(final String externalUrl) {
        this.externalUrl = externalUrl.endsWith("/") ? externalUrl.substring(0, externalUrl.length() - 1) : externalUrl;
    }

    public AlertEvent create(final AlertTransition t) {
        final Rule rule = t.rule();
        // Templates see the series' labels plus alertname, as Prometheus' $labels does.
        final Labels templateLabels = t.series().labels().with("alertname", rule.alert());
        final TemplateValues values = new TemplateValues(t.value(), t.median(), t.z());
        final Labels alertLabels = labels(rule, templateLabels, t);
        final Map<String, String> annotations = new TreeMap<>();
        rule.annotations().forEach((name, template) -> annotations.put(name, template.render(templateLabels, values)));
        t.note().ifPresent(note -> annotations.put(RESOLVED_REASON, note));

        final AlertStatus s = t.status();
        final EventStatus status = switch (t.kind()) {
            case PENDING -> EventStatus.PENDING;
            case FIRING -> EventStatus.FIRING;
            case RESOLVED -> EventStatus.RESOLVED;
        };
        return new AlertEvent(
                Fingerprint.of(alertLabels),
                status,
                alertLabels,
                annotations,
                Instant.ofEpochMilli(s.activeAt()),
                instant(s.firedAt()),
                status == EventStatus.RESOLVED ? instant(s.resolvedAt()) : Optional.empty(),
                Double.isNaN(t.value()) ? OptionalDouble.empty() : OptionalDouble.of(t.value()),
                rule.id(),
                externalUrl + "/rules/" + rule.id());
    }

    /** The labels {@link #create} gives the event of {@code t}, without the rest of it. */
    public Labels labels(final AlertTransition t) {
        return labels(t.rule(), t.series().labels().with("alertname", t.rule().alert()), t);
    }

    /**
     * The series' labels and alertname, then the rule's labels rendered (which win), with the numbers the alert
     * became active with: its labels are its identity, the same at every event of it.
     */
    private static Labels labels(final Rule rule, final Labels templateLabels, final AlertTransition t) {
        final AlertNumbers n = t.numbersForLabels();
        final TemplateValues values = new TemplateValues(n.value(), n.median(), n.z());
        final Map<String, String> labels = new LinkedHashMap<>(templateLabels.toMap());
        for (Map.Entry<String, Template> e : new TreeMap<>(rule.labels()).entrySet()) {
            final String rendered = e.getValue().render(templateLabels, values);
            final Labels own = t.series().labels();
            if (own.has(e.getKey()) && !own.get(e.getKey()).equals(rendered)) {
                LabelOverrides.seen(rule, e.getKey(), own.get(e.getKey()), rendered);
            }
            labels.put(e.getKey(), rendered);
        }
        return Labels.of(labels);
    }

    private static Optional<Instant> instant(final long epochMs) {
        return epochMs == AlertStatus.NONE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(epochMs));
    }
}
