package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;
import java.util.Optional;

/**
 * An alert changed state at an evaluation, and the alert topic must hear of it.
 *
 * @param rule   the rule
 * @param series the series it is about
 * @param kind   what happened
 * @param status the alert's status after the change, with all its times
 * @param value  the aggregate at this evaluation; NaN when there was no data
 * @param median the baseline median for deviation/outlier kinds, else NaN
 * @param z      the robust z-score for deviation/outlier kinds, else NaN
 * @param note   why it resolved, when that is not the condition turning false (e.g. the series was forgotten)
 * @param labelNumbers the numbers the rule's labels are rendered with: those of the evaluation that made the alert
 *               active, for all its events, so that a label using {@code $value} does not change the alert's
 *               labels (and fingerprint) from one event to the next; {@link AlertNumbers#NONE} for this event's own
 */
public record AlertTransition(Rule rule, Series series, Kind kind, AlertStatus status, double value, double median,
                              double z, Optional<String> note, AlertNumbers labelNumbers) implements EvaluationOutput {

    public enum Kind {
        PENDING, FIRING, RESOLVED
    }

    public AlertTransition(final Rule rule, final Series series, final Kind kind, final AlertStatus status,
                           final double value, final double median, final double z) {
        this(rule, series, kind, status, value, median, z, Optional.empty());
    }

    public AlertTransition(final Rule rule, final Series series, final Kind kind, final AlertStatus status,
                           final double value, final double median, final double z, final Optional<String> note) {
        this(rule, series, kind, status, value, median, z, note, AlertNumbers.NONE);
    }

    /** The numbers the rule's labels are rendered with (see {@code labelNumbers}). */
    public AlertNumbers numbersForLabels() {
        return labelNumbers.equals(AlertNumbers.NONE) ? new AlertNumbers(value, median, z) : labelNumbers;
    }

    /** The evaluation instant of this transition. */
    public long time() {
        return switch (kind) {
            case PENDING -> status.activeAt();
            case FIRING -> status.firedAt();
            case RESOLVED -> status.resolvedAt();
        };
    }
}
