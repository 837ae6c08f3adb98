package io.vigil.evaluation;

import io.vigil.rules.Condition;
import java.util.Map;

/**
 * A peer group's last judgment by an outlier rule ({@link PeerGroupEvaluator}): when, how many members had a value,
 * and the median and median absolute deviation their values were judged against (NaN when the group had fewer than
 * {@code min_peers} members with a value and was not judged). Kept in memory per group, for {@code /api/series}: an
 * outlier that does not fire is explained by its value against these.
 *
 * @param peers the group's values of the rule's {@code peers} labels
 */
public record PeerJudgment(String ruleId, Map<String, String> peers, long at, int members, double median,
                           double mad) {

    public PeerJudgment {
        peers = Map.copyOf(peers);
    }

    public boolean judged() {
        return !Double.isNaN(median);
    }

    /** {@code value}'s robust z-score against the group, as the judgment scores its members. */
    public double z(final double value) {
        return RobustStatistics.z(value, median, mad);
    }

    /** Whether {@code value} is an outlier of this group by {@code outlier}, as the judgment decides it. */
    public boolean isOutlier(final double value, final Condition.Outlier outlier) {
        return judged() && RobustStatistics.isAnomalous(value, median, z(value), outlier.direction(), outlier.z(),
                outlier.minChange(), outlier.minDelta());
    }
}
