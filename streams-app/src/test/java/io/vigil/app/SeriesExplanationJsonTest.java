package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.evaluation.AlertStatus;
import io.vigil.evaluation.SeriesExplanation;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import io.vigil.rules.SeriesSelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** {@code /api/series}' entry as JSON fields: what each kind of rule judges, and nothing it does not. */
class SeriesExplanationJsonTest {

    private static final Series NODE = new Series("cpu", Labels.of("instance", "n1"));
    private static final long AT = 1_700_000_000_000L;

    private static SeriesExplanation explained(final Condition condition, final double value) {
        final Rule rule = new Rule("g", "A", new SeriesSelector("cpu", List.of()), Aggregate.AVG, Duration.ofMinutes(5),
                Duration.ofSeconds(10), condition, Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "r.yaml", 3);
        return new SeriesExplanation(rule, NODE, AlertStatus.INACTIVE, AT, 12, value, SeriesExplanation.Holds.NO,
                Double.NaN, Double.NaN, -1, -1, AT - 340_000);
    }

    @Test
    void aWindowedRuleShowsItsAggregateWindowAndPoints() {
        final Map<String, Object> m = SeriesExplanationJson.of(explained(
                new Condition.Threshold(true, 90, OptionalDouble.empty()), 42.5));

        assertThat(m).containsEntry("aggregate", "avg").containsEntry("window", "5m").containsEntry("points", 12)
                .containsEntry("value", 42.5).containsEntry("condition", "above 90");
    }

    /** min_delta, an extension, is shown where a rule gives it, as the rule's YAML would say it. */
    @Test
    void aConditionJudgedByDeviationsNamesMinDeltaOnlyWhereGiven() {
        assertThat(SeriesExplanationJson.of(explained(new Condition.Outlier(List.of("cluster"),
                io.vigil.rules.Direction.HIGH, 4, 0.5, 5, 1), 7))).containsEntry("condition",
                "z 4, direction high, min_change 0.5, min_delta 1, peers [cluster], min_peers 5");
        assertThat(SeriesExplanationJson.of(explained(new Condition.Deviation(Duration.ofHours(1),
                io.vigil.rules.Direction.HIGH, 6, 0), 7))).containsEntry("condition",
                "z 6, direction up, min_change 0, baseline 1h");
    }

    @Test
    void anAbsentRuleShowsItsSilenceAndNoWindowItDoesNotJudge() {
        final Map<String, Object> m = SeriesExplanationJson.of(explained(new Condition.Absent(Duration.ofMinutes(2)), 340));

        assertThat(m).containsEntry("value", 340.0).containsEntry("condition", "after 2m")
                .containsEntry("lastSeen", "2023-11-14T22:07:40Z")
                .containsEntry("aggregate", null).containsEntry("window", null).containsEntry("points", null);
    }
}
