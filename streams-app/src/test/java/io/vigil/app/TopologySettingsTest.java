package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How many input partitions each evaluator waits for, with the series repartition and without it. */
class TopologySettingsTest {

    private static final TopologySettings SETTINGS = new TopologySettings(
            List.of(InputTopic.auto("a"), InputTopic.auto("b")), "alerts", "metrics.dlq", Duration.ofSeconds(15),
            Duration.ofHours(24), Duration.ofSeconds(30), IngestLimits.defaults(), "http://vigil:8080",
            Map.of("a", 3, "b", 1));

    @Test
    void throughTheRepartitionEveryEvaluatorHearsFromEveryInputPartition() {
        assertThat(SETTINGS.seriesPartitions()).isEqualTo(3);
        for (int task = 0; task < 3; task++) {
            assertThat(SETTINGS.sourcesOfTask(task)).isEqualTo(4);
        }
    }

    @Test
    void partitionedBySeriesAnEvaluatorHearsFromItsTasksPartitionOfEachTopicThatHasOne() {
        final TopologySettings bySeries = SETTINGS.withPartitionedBySeries(true);
        assertThat(bySeries.seriesPartitions()).as("tasks").isEqualTo(3);
        assertThat(bySeries.sourcesOfTask(0)).as("a/0 and b/0").isEqualTo(2);
        assertThat(bySeries.sourcesOfTask(1)).as("a/1").isEqualTo(1);
        assertThat(bySeries.sourcesOfTask(2)).as("a/2").isEqualTo(1);
    }

    /**
     * A restored clock's sources that no ingest task reads any more: a topic taken out of the input, and a partition
     * of a topic deleted and made again with fewer (kept, each would hold event time back for good).
     */
    @Test
    void onlyPartitionsOfTheInputTopicsAsTheyAreNowAreInputs() {
        final var isInput = SETTINGS.inputSources().isInput();
        assertThat(List.of("a/0", "a/2", "b/0")).allMatch(isInput);
        assertThat(List.of("a/3", "b/1", "c/0")).noneMatch(isInput);

        // A topic whose count is not known has every partition, as ingest reads it.
        final TopologySettings countUnknown = new TopologySettings(List.of(InputTopic.auto("a"), InputTopic.auto("c")),
                "alerts", "metrics.dlq", Duration.ofSeconds(15), Duration.ofHours(24), Duration.ofSeconds(30),
                IngestLimits.defaults(), "http://vigil:8080", Map.of("a", 3));
        assertThat(countUnknown.inputSources().isInput()).accepts("c/0", "c/5").rejects("a/3");
    }
}
