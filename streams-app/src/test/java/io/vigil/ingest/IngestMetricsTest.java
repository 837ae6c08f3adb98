package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {

    @Test
    void theDatapointsOfATopicAreEveryTasksCountAndStayCountedWhenATaskCloses() {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final IngestMetrics metrics = new IngestMetrics(registry);
        final IngestMetrics.TaskCount first = metrics.accepted("metrics");
        final IngestMetrics.TaskCount second = metrics.accepted("metrics");
        final IngestMetrics.TaskCount other = metrics.accepted("telegraf");
        first.add(3);
        second.add(4);
        other.add(1);
        assertThat(count(registry, "metrics")).isEqualTo(7.0);

        first.close();
        first.close();
        assertThat(count(registry, "metrics")).as("closed, still counted, once").isEqualTo(7.0);
        final IngestMetrics.TaskCount reopened = metrics.accepted("metrics");
        reopened.add(2);
        assertThat(count(registry, "metrics")).isEqualTo(9.0);
        assertThat(count(registry, "telegraf")).isEqualTo(1.0);
    }

    @Test
    void twoStagesOnOneRegistryCountIntoOneMeter() {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new IngestMetrics(registry).accepted("metrics").add(2);
        new IngestMetrics(registry).accepted("metrics").add(5);
        assertThat(count(registry, "metrics")).isEqualTo(7.0);
    }

    private static double count(final SimpleMeterRegistry registry, final String topic) {
        final FunctionCounter c = registry.get("vigil.ingest.datapoints").tag("topic", topic).functionCounter();
        return c.count();
    }
}
