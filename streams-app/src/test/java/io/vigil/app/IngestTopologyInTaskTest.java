package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link IngestTopologyTest} where the input is partitioned by series: ingest's points go to the evaluator of its own
 * task, its dead letters still to their topic. And what ingest can see of a broken promise: records without a key.
 */
class IngestTopologyInTaskTest extends IngestTopologyTest {

    @Override
    boolean partitionedBySeries() {
        return true;
    }

    @Test
    void recordsWithoutAKeyOnATopicOfSeveralPartitionsAreCounted() {
        final Instant now = Instant.parse("2022-06-21T06:00:00Z");
        final TopologySettings settings = new TopologySettings(List.of(InputTopic.auto("metrics"), InputTopic.auto("one")),
                "alerts", "metrics.dlq", java.time.Duration.ofSeconds(15), java.time.Duration.ofHours(24),
                TopologyFixture.IDLE_TIMEOUT, IngestLimits.defaults(), "http://vigil:8080", Map.of("metrics", 3, "one", 1))
                .withPartitionedBySeries(true);
        try (TopologyFixture f = new TopologyFixture(new LiveRules(TopologyFixture.parse(TopologyTest.RULES)),
                stateDir.resolve("unkeyed"), now, settings)) {
            final byte[] point = TopologyTest.point("n1", 40, now.toEpochMilli()).getBytes(StandardCharsets.UTF_8);
            f.metrics.pipeInput("node-1".getBytes(StandardCharsets.UTF_8), point);
            assertThat(unkeyed(f, "metrics")).as("a keyed record").isZero();
            f.metrics.pipeInput(null, point);
            f.metrics.pipeInput(null, point);
            f.input("one").pipeInput(null, point);

            assertThat(unkeyed(f, "metrics")).isEqualTo(2);
            assertThat(unkeyed(f, "one")).as("a topic of one partition holds every series anyway").isZero();
        }
    }

    private static double unkeyed(final TopologyFixture f, final String topic) {
        final Counter c = f.registry.find("vigil.ingest.unkeyed").tag("topic", topic).counter();
        return c == null ? 0 : c.count();
    }
}
