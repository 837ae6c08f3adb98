package io.vigil.evaluation;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Rule;
import java.util.function.Predicate;
import java.util.function.ToIntBiFunction;

/** For tests: a {@link SeriesFilter} of the labels an alert's filter sees, passing every series key and rule on. */
public final class LabelsFilter {

    private LabelsFilter() {
    }

    public static SeriesFilter of(final Predicate<Labels> matches) {
        return of(matches, (ruleId, seriesKey) -> 2);
    }

    /** As {@link #of(Predicate)}, told how the peer stage's outlier alerts stand ({@code outlierAlertRank}). */
    public static SeriesFilter of(final Predicate<Labels> matches, final ToIntBiFunction<String, String> outlierRank) {
        return new SeriesFilter() {
            @Override
            public boolean mayMatch(final String seriesKey) {
                return true;
            }

            @Override
            public boolean mayMatchRule(final Rule rule) {
                return true;
            }

            @Override
            public boolean matches(final Series series, final Rule rule) {
                return matches.test(series.labels().with("__name__", series.name()).with("alertname", rule.alert()));
            }

            @Override
            public SeriesFilter until(final QuestionDeadline deadline) {
                return this;
            }

            @Override
            public int outlierAlertRank(final String ruleId, final String seriesKey) {
                return outlierRank.applyAsInt(ruleId, seriesKey);
            }
        };
    }
}
