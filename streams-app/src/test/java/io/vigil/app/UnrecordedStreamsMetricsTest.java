package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka Streams' metrics its recording level never records are left out of /metrics, and only those. */
class UnrecordedStreamsMetricsTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();

    private static final List<String> DEBUG = List.of("kafka.stream.state.put.rate", "kafka.stream.state.get.latency.avg",
            "kafka.stream.state.put.if.absent.latency.max", "kafka.stream.state.prefix.scan.rate",
            "kafka.stream.state.iterator.duration.max", "kafka.stream.task.process.latency.avg",
            "kafka.stream.task.punctuate.total", "kafka.stream.task.active.buffer.count",
            "kafka.stream.processor.node.process.rate");
    private static final List<String> TRACE = List.of("kafka.stream.state.record.e2e.latency.avg");
    private static final List<String> INFO = List.of("kafka.stream.state.num.keys", "kafka.stream.state.num.open.iterators",
            "kafka.stream.state.oldest.iterator.open.since.ms", "kafka.stream.state.updater.restore.call.rate",
            "kafka.stream.task.dropped.records.total", "kafka.stream.task.restore.remaining.records.total",
            "kafka.stream.task.active.process.ratio", "kafka.stream.processor.node.record.e2e.latency.max",
            "kafka.stream.thread.process.rate", "kafka.consumer.fetch.manager.records.lag.max", "vigil.ingest.datapoints");

    private static List<String> exposed(final String level) {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new UnrecordedStreamsMetrics(level));
        for (List<String> names : List.of(DEBUG, TRACE, INFO)) {
            names.forEach(name -> registry.gauge(name, 1.0));
        }
        return registry.getMeters().stream().map(m -> m.getId().getName()).toList();
    }

    @Test
    void atInfoTheDebugAndTraceMetricsAreLeftOut() {
        assertThat(exposed("INFO")).containsExactlyInAnyOrderElementsOf(INFO);
        assertThat(exposed("info")).containsExactlyInAnyOrderElementsOf(INFO);
    }

    /**
     * Against Kafka's own: the production topology's metrics after points went through it and alerts fired. Every
     * metric left out has stayed NaN or 0 (never recorded), and the state stores' and tasks' unrecorded ones are
     * left out.
     */
    @Test
    void everyMetricLeftOutIsOneKafkaStreamsNeverRecordedAtInfo(@TempDir final Path stateDir) {
        try (TopologyFixture fixture = new TopologyFixture(TopologyTest.RULES, stateDir, Instant.ofEpochMilli(T0))) {
            for (int i = 1; i <= 12; i++) {
                fixture.send(TopologyTest.point("n1", i >= 3 ? 95 : 40, T0 + i * 10_000L));
                fixture.send(TopologyTest.point("n2", 40, T0 + i * 10_000L));
            }
            fixture.driver.advanceWallClockTime(Duration.ofSeconds(5));
            assertThat(fixture.events()).isNotEmpty();
            final UnrecordedStreamsMetrics filter = new UnrecordedStreamsMetrics("INFO");
            final Map<String, Integer> leftOut = new TreeMap<>();
            int recordedKept = 0;
            for (Map.Entry<MetricName, ? extends Metric> m : fixture.driver.metrics().entrySet()) {
                final String name = micrometerName(m.getKey());
                final Object value = m.getValue().metricValue();
                final boolean recorded = value instanceof Double d && !d.isNaN() && d != 0.0;
                final Meter.Id id = new Meter.Id(name, Tags.empty(), null, null, Meter.Type.GAUGE);
                if (filter.accept(id) == MeterFilterReply.DENY) {
                    assertThat(recorded).as(name + " = " + value + " is recorded, yet left out").isFalse();
                    leftOut.merge(m.getKey().group(), 1, Integer::sum);
                } else if (recorded && m.getKey().group().startsWith("stream-")) {
                    recordedKept++;
                }
            }
            assertThat(leftOut).containsKeys("stream-state-metrics", "stream-task-metrics");
            assertThat(leftOut.get("stream-state-metrics")).isGreaterThan(100);
            assertThat(recordedKept).isPositive();
        }
    }

    /** The name Micrometer's Kafka binder gives a Kafka metric (KafkaMetrics). */
    private static String micrometerName(final MetricName name) {
        final String group = name.group().endsWith("-metrics")
                ? name.group().substring(0, name.group().length() - "-metrics".length()) : name.group();
        return ("kafka." + group + "." + name.name()).replace('-', '.');
    }

    @Test
    void atDebugOnlyTheTraceOnesAndAtTraceNone() {
        assertThat(exposed("DEBUG")).containsAll(DEBUG).containsAll(INFO).doesNotContainAnyElementsOf(TRACE);
        assertThat(exposed("TRACE")).hasSize(DEBUG.size() + TRACE.size() + INFO.size());
    }
}
