package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;

/** Which pairs of rule and series a question ({@link SeriesQuestions}) asks about. */
public interface SeriesFilter {

    /**
     * Whether a series of this key ({@code name{labels}}) may be in a pair the filter matches: false only where none
     * can be. Most series of a large task are passed over on this, without being parsed: a question is answered on
     * the stream thread, and every microsecond per series there is a second per million series that no point is read.
     */
    boolean mayMatch(String seriesKey);

    /** Whether this rule may be in a pair the filter matches: false only where none can be. */
    boolean mayMatchRule(Rule rule);

    /**
     * Whether the pair of a rule and a series is asked about: by the labels its alert would have (the series',
     * {@code alertname}, the rule's own {@code labels}, which win) and the series' name as {@code __name__}.
     */
    boolean matches(Series series, Rule rule);

    /**
     * This filter, stopping with {@link QuestionDeadline.Passed} once {@code deadline} has passed, within a regex's
     * matching too: a task answers on its stream thread.
     */
    SeriesFilter until(QuestionDeadline deadline);

    /**
     * How the outlier alert of this pair ranks, as the question was told of it: 0 firing, 1 pending, 2 none known.
     * An outlier's alert is held by the peer stage, not by its series' task, which ranks the pair by this instead.
     */
    default int outlierAlertRank(final String ruleId, final String seriesKey) {
        return 2;
    }
}
