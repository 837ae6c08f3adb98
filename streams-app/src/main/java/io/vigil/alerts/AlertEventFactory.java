package io.vigil.alerts;

import io.vigil.evaluation.AlertNumbers;
import io.vigil.evaluation.AlertStatus;
import io.vigil.evaluation.AlertTransition;
import io.vigil.model.Labels;
import io.vigil.model.LogPacing;
import io.vigil.rules.Rule;
import io.vigil.rules.Template;
import io.vigil.rules.TemplateValues;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an alert transition into the event the alert topic carries: labels (alertname, the series' labels, then the
 * rule's rendered labels, which win), rendered annotations, fingerprint, times and the rule's URL.
 */
public final class AlertEventFactory {

    /** The annotation that says why an alert resolved when its condition did not turn false (a forgotten series). */
    public static final String RESOLVED_REASON = "resolved_reason";
    /** The annotation that says an event's annotations were left out for its size. */
    public static final String CUT_NOTE = "vigil_cut";
    /**
     * The most an event takes as JSON: half the 1 MiB a Kafka record (and Vigil's producer) takes, so that a webhook
     * or Alertmanager request of a few such alerts stays within what a receiver reads.
     */
    static final int MAX_EVENT_BYTES = 512 * 1024;
    /** Where each label value of an event whose labels alone are over {@link #MAX_EVENT_BYTES} is cut. */
    private static final int MAX_CUT_LABEL = 1_024;

    /** How often a rule's cut events are logged at most. */
    static final long CUT_LOG_EVERY_MS = LogPacing.TEN_MINUTES_MS;

    private static final Logger LOG = LoggerFactory.getLogger(AlertEventFactory.class);

    private final String externalUrl;
    /** The wall clock, where cut events are logged ({@link #loggingCuts}); null where they are not. */
    private final LongSupplier wallClockMs;
    /** When each rule's cut event is logged, by rule id. */
    private final LogPacing<String> cutLog = new LogPacing<>(CUT_LOG_EVERY_MS);

    /**
     * A factory that does not log the events it cuts: the API's, which makes again the events the engine made (and
     * logged) for the alerts it shows.
     *
     * @param externalUrl where Vigil's HTTP endpoints are reached, e.g. {@code http://vigil.example:8080}
     */
    public AlertEventFactory(final String externalUrl) {
        this(externalUrl, null);
    }

    private AlertEventFactory(final String externalUrl, final LongSupplier wallClockMs) {
        this.externalUrl = externalUrl.endsWith("/") ? externalUrl.substring(0, externalUrl.length() - 1) : externalUrl;
        this.wallClockMs = wallClockMs;
    }

    /**
     * A factory that logs a rule's event cut for its size at WARN, then at most once every 10 minutes per rule: the
     * event's {@value #CUT_NOTE} annotation says so to whoever reads it, the log to whoever runs Vigil.
     */
    public static AlertEventFactory loggingCuts(final String externalUrl, final LongSupplier wallClockMs) {
        return new AlertEventFactory(externalUrl, wallClockMs);
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

        final EventStatus status = switch (t.kind()) {
            case PENDING -> EventStatus.PENDING;
            case FIRING -> EventStatus.FIRING;
            case RESOLVED -> EventStatus.RESOLVED;
        };
        final AlertEvent event = event(t, status, alertLabels, annotations);
        final int bytes = AlertEventJson.write(event).length;
        if (bytes <= MAX_EVENT_BYTES) {
            return event;
        }
        // Each template renders 16 KB at most, but a rule may have many, and the series' labels are as long as
        // ingest's limits allow: an event over the 1 MiB a Kafka record takes stopped the engine at every restart.
        // The annotations go first (the labels are the alert's identity), then each label is cut, the same way at
        // every event of the alert.
        final Map<String, String> note = Map.of(CUT_NOTE, "the annotations were left out: the event came to "
                + bytes + " bytes, more than " + MAX_EVENT_BYTES);
        final AlertEvent withoutAnnotations = event(t, status, alertLabels, note);
        if (AlertEventJson.write(withoutAnnotations).length <= MAX_EVENT_BYTES) {
            logCut(rule, bytes, "its annotations were left out");
            return withoutAnnotations;
        }
        final Map<String, String> cut = new LinkedHashMap<>();
        alertLabels.toMap().forEach((name, value) -> cut.put(name, value.length() <= MAX_CUT_LABEL ? value
                : value.substring(0, MAX_CUT_LABEL)));
        logCut(rule, bytes, "its annotations were left out and its label values cut at " + MAX_CUT_LABEL
                + " characters");
        return event(t, status, Labels.of(cut), note);
    }

    private void logCut(final Rule rule, final int bytes, final String what) {
        if (wallClockMs != null && cutLog.due(rule.id(), wallClockMs.getAsLong())) {
            LOG.warn("an alert event of rule {} came to {} bytes as JSON, more than {}: {}, as its {} annotation says;"
                    + " its rule's templates or its series' labels are too long (logged at most every 10 minutes a"
                    + " rule)", rule.id(), bytes, MAX_EVENT_BYTES, what, CUT_NOTE);
        }
    }

    private AlertEvent event(final AlertTransition t, final EventStatus status, final Labels labels,
                             final Map<String, String> annotations) {
        final AlertStatus s = t.status();
        return new AlertEvent(
                Fingerprint.of(labels),
                status,
                labels,
                annotations,
                Instant.ofEpochMilli(s.activeAt()),
                instant(s.firedAt()),
                status == EventStatus.RESOLVED ? instant(s.resolvedAt()) : Optional.empty(),
                Double.isNaN(t.value()) ? OptionalDouble.empty() : OptionalDouble.of(t.value()),
                t.rule().id(),
                externalUrl + "/rules/" + pathSegment(t.rule().group()) + "/" + pathSegment(t.rule().alert()));
    }

    /**
     * {@code name} as one segment of a URL's path: a group named {@code team a/b?c#d%} made a link that cut at its
     * {@code ?} and {@code #}, and read its {@code /} as two segments. Names of letters, digits, {@code -}, {@code _}
     * and {@code .} stand as written.
     */
    static String pathSegment(final String name) {
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))) {
                return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
            }
        }
        return name;
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
