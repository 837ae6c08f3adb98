package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;

/**
 * What one rule makes of one series right now, for the question an SRE asks of a rule that stays quiet: "why is it
 * not firing?". It is the rule's next evaluation with the points received so far: the window ending at that
 * instant, its aggregate, and whether the condition holds there, judged by the same code the evaluation runs, beside
 * the alert's state. Numbers that do not apply are NaN, times that do not apply {@link AlertStatus#NONE}.
 *
 * @param at            the instant the rule's next evaluation judges: its window ends there
 * @param points        the series' points in that window
 * @param value         the window's aggregate (NaN: too few points for it); for absent, the seconds of silence at
 *                      {@code at}
 * @param holds         whether the condition holds at {@code at}; {@link Holds#PEERS} for outlier rules, which the
 *                      peer stage judges against the group
 * @param median        deviation: the baseline's centre (its mean with {@code method: stddev})
 * @param z             deviation: the value's score against it
 * @param baselineSize  deviation: the evaluations the baseline spans (not its samples, one per stride); -1 for other
 *                      kinds
 * @param baselineWarm  deviation: how many it must see before it judges (half the baseline); -1 for other kinds
 * @param lastSeen      the series' newest point at or before {@code at}
 */
public record SeriesExplanation(Rule rule, Series series, AlertStatus status, long at, int points, double value,
                                Holds holds, double median, double z, int baselineSize, int baselineWarm,
                                long lastSeen) {

    /** Whether the condition holds at the explained instant. */
    public enum Holds {
        YES, NO,
        /** No aggregate to judge: the window holds too few points. */
        NO_DATA,
        /** A deviation baseline still learning: it judges once it holds half its evaluations. */
        WARMING_UP,
        /** An outlier rule: judged against its peer group by the peer stage, not by the series' own evaluation. */
        PEERS
    }
}
