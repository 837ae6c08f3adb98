package io.vigil.evaluation;

import io.vigil.model.Series;

/**
 * One member's window aggregate at one evaluation of an outlier rule, on its way to the task that judges its peer
 * group.
 *
 * @param ruleId   the outlier rule
 * @param groupKey the rule id and the values of the rule's {@code peers} labels: equal keys are one group
 * @param series   the member
 * @param time     the evaluation instant
 * @param value    the member's aggregate (never NaN: members without a value are not sent)
 */
public record PeerValue(String ruleId, String groupKey, Series series, long time, double value)
        implements EvaluationOutput {
}
