package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;

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
 */
public record AlertTransition(Rule rule, Series series, Kind kind, AlertStatus status, double value, double median, double z) {

    public enum Kind {
        PENDING, FIRING, RESOLVED
    }
}
