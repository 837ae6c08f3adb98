package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InputPartitionWatchTest {

    @Test
    void theSameCountsOrATopicNotDescribedAreNoChange() {
        assertThat(InputPartitionWatch.difference(Map.of("metrics", 4), Map.of("metrics", 4), "vigil")).isEmpty();
        assertThat(InputPartitionWatch.difference(Map.of("metrics", 4), Map.of(), "vigil"))
                .as("a topic Kafka did not describe (deleted, or a failed answer)").isEmpty();
    }

    @Test
    void aChangedCountIsNamedWithTheApplicationAndTheWayOut() {
        assertThat(InputPartitionWatch.difference(Map.of("metrics", 4, "telegraf", 2),
                Map.of("metrics", 8, "telegraf", 2), "vigil"))
                .hasValueSatisfying(message -> assertThat(message)
                        .startsWith("the partitions of input topic metrics went from 4 to 8 while application vigil"
                                + " ran: the engine was built for the old count and does not read the new partitions,"
                                + " so their series would look silent and page as absent. Stopping it (exit 1).")
                        .contains("start afresh with a new kafka.application.id"));
    }
}
