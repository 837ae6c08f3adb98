package io.vigil.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code vigil replay}: the production topology's processors over recorded datapoints (one record per line), without
 * Kafka Streams (see {@link ReplayPipeline}): ingest on a thread of its own ({@link ReplayReader}), evaluation on the
 * calling thread. No broker; the same alert events as {@code vigil run} over the same records.
 */
public final class Replay {

    /** What a replay read and wrote. */
    public record Summary(long lines, long alertEvents, long deadLetters, Map<String, Long> rejectedByReason) {
    }


    private Replay() {
    }

    /**
     * @param events receives each alert event's JSON, in the order the topology emits them, on the calling thread
     */
    public static Summary run(final RuleSet rules, final VigilConfig config, final List<Path> inputs,
                              final Consumer<byte[]> events) throws IOException {
        final MeterRegistry registry = new SimpleMeterRegistry();
        final ReplayPipeline pipeline = new ReplayPipeline(new LiveRules(rules), settings(config), registry,
                System.currentTimeMillis(), events);
        try (ReplayReader reader = new ReplayReader(pipeline, inputs)) {
            IngestedBatch batch;
            while ((batch = reader.next()) != null) {
                pipeline.evaluate(batch);
            }
        }
        final Map<String, Long> rejected = new TreeMap<>();
        registry.find("vigil.ingest.rejected").counters()
                .forEach(c -> rejected.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum));
        final Counter late = registry.find("vigil.ingest.late.dropped").counter();
        if (late != null && late.count() > 0) {
            rejected.put("late", (long) late.count());
        }
        final long alertEvents = (long) registry.find("vigil.alert.transitions").counters().stream()
                .mapToDouble(Counter::count).sum();
        return new Summary(pipeline.records(), alertEvents, pipeline.deadLetters(), rejected);
    }

    static TopologySettings settings(final VigilConfig config) {
        return TopologySettings.of(config.withMetricsTopics(List.of(ReplayPipeline.INPUT)), Map.of(ReplayPipeline.INPUT, 1));
    }
}
