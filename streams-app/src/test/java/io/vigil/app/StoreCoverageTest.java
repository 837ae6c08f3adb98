package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.evaluation.SeriesQuestions;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.SourceLag;
import java.util.List;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Which partitions of the production topology hold each store the API reads. */
class StoreCoverageTest {

    @Test
    void eachStoreTheApiReadsIsFoundWithTheSourcesOfItsTasks() {
        final StoreCoverage coverage = StoreCoverage.of(null, new HostInfo("localhost", 8080), "vigil",
                VigilTopology.build(new LiveRules(TopologyFixture.parse(TopologyTest.RULES)),
                        TopologyFixture.settings(List.of(InputTopic.auto("metrics")), IngestLimits.defaults()),
                        new SimpleMeterRegistry(), SourceLag.CAUGHT_UP, new SeriesQuestions()).describe(),
                AlertsApi.READ_STORES);
        // Were a store not found, its tasks would never be checked, and a restoring one would go unnamed again.
        assertThat(coverage.sourcesOfStore()).containsOnlyKeys(AlertsApi.READ_STORES);
        assertThat(coverage.sourcesOfStore().get(SeriesEvaluationProcessor.SERIES_STORE)).contains("metrics");
        coverage.sourcesOfStore().values().forEach(topics -> assertThat(topics).isNotEmpty());
    }
}
