package io.vigil.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.rules.RuleSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * {@code vigil replay}: the production topology, driven in-process by Kafka Streams' own test driver, over recorded
 * datapoints (one record per line). No broker; the same alert events as {@code vigil run} over the same records.
 */
public final class Replay {

    /** What a replay read and wrote. */
    public record Summary(long lines, long alertEvents, long deadLetters, Map<String, Long> rejectedByReason) {
    }

    private static final String INPUT = "metrics";
    private static final int DRAIN_EVERY = 4_096;

    private Replay() {
    }

    /**
     * @param events receives each alert event's JSON, in the order the topology emits them
     */
    public static Summary run(final RuleSet rules, final VigilConfig config, final List<Path> inputs,
                              final Consumer<byte[]> events) throws IOException {
        final MeterRegistry registry = new SimpleMeterRegistry();
        final TopologySettings settings = settings(config);
        final Properties props = VigilTopology.streamsDefaults("vigil-replay");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("vigil-replay").toString());
        long lines = 0;
        long alertEvents = 0;
        long deadLetters = 0;
        try (TopologyTestDriver driver = new TopologyTestDriver(VigilTopology.build(rules, settings, registry), props,
                Instant.now())) {
            final TestInputTopic<byte[], byte[]> in = driver.createInputTopic(INPUT, new ByteArraySerializer(),
                    new ByteArraySerializer());
            final TestOutputTopic<String, byte[]> alerts = driver.createOutputTopic(settings.alertsTopic(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            final TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(settings.deadLetterTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            final long now = System.currentTimeMillis();
            for (Path input : inputs) {
                try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.isBlank()) {
                            continue;
                        }
                        in.pipeInput(null, line.getBytes(StandardCharsets.UTF_8), now);
                        if (++lines % DRAIN_EVERY == 0) {
                            alertEvents += drain(alerts, events);
                            deadLetters += dlq.readRecordsToList().size();
                        }
                    }
                }
            }
            alertEvents += drain(alerts, events);
            deadLetters += dlq.readRecordsToList().size();
        }
        final Map<String, Long> rejected = new TreeMap<>();
        registry.find("vigil.ingest.rejected").counters()
                .forEach(c -> rejected.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum));
        final Counter late = registry.find("vigil.ingest.late.dropped").counter();
        if (late != null && late.count() > 0) {
            rejected.put("late", (long) late.count());
        }
        return new Summary(lines, alertEvents, deadLetters, rejected);
    }

    private static long drain(final TestOutputTopic<String, byte[]> alerts, final Consumer<byte[]> events) {
        final List<byte[]> values = alerts.readValuesToList();
        values.forEach(events);
        return values.size();
    }

    static TopologySettings settings(final VigilConfig config) {
        return TopologySettings.of(config.withMetricsTopics(List.of(INPUT)), Map.of(INPUT, 1));
    }
}
