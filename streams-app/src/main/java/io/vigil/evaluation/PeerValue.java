package io.vigil.evaluation;

/**
 * One member's window aggregate at one evaluation of an outlier rule. Evaluation sends the values of one pass to the
 * peer-group stage grouped by group, as {@link PeerValues}.
 *
 * @param groupKey  the rule id and the values of the rule's {@code peers} labels: equal keys are one group (the rule
 *                  id is its first part, see {@link PeerGroupEvaluator#groupKey})
 * @param seriesKey the member's {@link io.vigil.model.Series#key()}; its labels are parsed only if it alerts
 * @param time      the evaluation instant
 * @param value     the member's aggregate (never NaN: members without a value are not sent)
 */
public record PeerValue(String groupKey, String seriesKey, long time, double value) {
}
