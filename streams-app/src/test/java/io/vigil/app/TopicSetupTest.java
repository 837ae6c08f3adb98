package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The start-up check that the evaluation state in Kafka was placed the way the configuration places series. */
class TopicSetupTest {

    private static final Set<String> NEVER_RAN = Set.of("metrics", "alerts");
    private static final Set<String> RAN_THROUGH_REPARTITION = Set.of("metrics", "vigil-series-repartition",
            "vigil-vigil-series-changelog");
    private static final Set<String> RAN_IN_TASK = Set.of("metrics", "vigil-vigil-series-changelog");

    @Test
    void aFirstStartOrTheSamePlacementAsBeforeIsAccepted() {
        for (boolean bySeries : new boolean[] {false, true}) {
            assertThatCode(() -> TopicSetup.checkPlacement(NEVER_RAN, "vigil", bySeries)).doesNotThrowAnyException();
        }
        assertThatCode(() -> TopicSetup.checkPlacement(RAN_THROUGH_REPARTITION, "vigil", false))
                .doesNotThrowAnyException();
        assertThatCode(() -> TopicSetup.checkPlacement(RAN_IN_TASK, "vigil", true)).doesNotThrowAnyException();
        // Another application's topics say nothing about this one.
        assertThatCode(() -> TopicSetup.checkPlacement(RAN_THROUGH_REPARTITION, "vigil2", true))
                .doesNotThrowAnyException();
    }

    @Test
    void aChangedPlacementIsRefusedNamingTheKeyAndTheWayOut() {
        assertThatThrownBy(() -> TopicSetup.checkPlacement(RAN_THROUGH_REPARTITION, "vigil", true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("topics.partitioned_by_series: true, but application vigil has evaluated with it false"
                        + " (topic vigil-series-repartition), and its evaluation state is placed that way: set it"
                        + " back, or start afresh with a new kafka.application.id (the evaluation state, windows and"
                        + " firing alerts, is not carried over)");
        assertThatThrownBy(() -> TopicSetup.checkPlacement(RAN_IN_TASK, "vigil", false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("topics.partitioned_by_series: false, but application vigil has evaluated"
                        + " with it true (topic vigil-vigil-series-changelog)");
    }
}
