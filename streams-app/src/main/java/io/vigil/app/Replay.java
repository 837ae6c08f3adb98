package io.vigil.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.InputFormat;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.TimestampPrecision;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code vigil replay}: the production topology's processors over recorded datapoints (one record per line), without
 * Kafka Streams (see {@link ReplayPipeline}): ingest on a thread of its own ({@link ReplayReader}), evaluation on the
 * calling thread. No broker; the same alert events as {@code vigil run} over the same records.
 */
public final class Replay {

    /**
     * What a replay read and wrote.
     *
     * @param rejectedByReason the rejections for which {@code run} would dead-letter a record, by reason (each of a
     *                         datapoint, a line protocol line, a Telegraf metric or field, or a whole record), and
     *                         {@code late}: the datapoints dropped for coming more than the grace behind (ingest's
     *                         newest point, or an instant evaluated)
     * @param skippedFields    line protocol and Telegraf JSON fields that are strings or booleans, which make no
     *                         datapoint
     * @param firstByReason    for each reason a record was skipped for, where its first rejection is and what it
     *                         says, as compilers say it: {@code FILE:LINE:COLUMN: reason: problem} (no column where
     *                         the problem is with a whole line, or record), the line the file's; the problem is
     *                         {@code run}'s {@code vigil.error} words without those that say where in the record;
     *                         and the first point dropped as late, {@code FILE:LINE: late: SERIES at T: ...}
     * @param earliestMs       the time of the earliest datapoint taken, Long.MAX_VALUE for none
     * @param latestMs         the event time the replay reached: the latest datapoint taken, or the newest of any
     *                         rule's or none's as ingest announced it (each evaluation step); Long.MIN_VALUE for none
     */
    public record Summary(long lines, long alertEvents, long deadLetters, Map<String, Long> rejectedByReason,
                          long skippedFields,
                          Map<String, String> firstByReason, long earliestMs, long latestMs) {
    }


    private Replay() {
    }

    /**
     * @param events receives each alert event's JSON, in the order the topology emits them, on the calling thread
     */
    public static Summary run(final RuleSet rules, final VigilConfig config, final List<Path> inputs,
                              final Consumer<byte[]> events) throws IOException {
        return run(rules, config, inputs, InputFormat.AUTO, events);
    }

    /**
     * As {@link #run(RuleSet, VigilConfig, List, Consumer)}, every line read as {@code format}, as {@code run} reads a
     * topic configured with it (line protocol in nanoseconds).
     */
    public static Summary run(final RuleSet rules, final VigilConfig config, final List<Path> inputs,
                              final InputFormat format, final Consumer<byte[]> events) throws IOException {
        return run(rules, config, inputs, format, TimestampPrecision.NANOSECONDS, events);
    }

    /**
     * As {@link #run(RuleSet, VigilConfig, List, InputFormat, Consumer)}, line protocol timestamps in
     * {@code precision}, as {@code run} reads a topic configured with it.
     */
    public static Summary run(final RuleSet rules, final VigilConfig config, final List<Path> inputs,
                              final InputFormat format, final TimestampPrecision precision,
                              final Consumer<byte[]> events) throws IOException {
        final MeterRegistry registry = new SimpleMeterRegistry();
        final ReplayPipeline pipeline = new ReplayPipeline(new LiveRules(rules), settings(config, format, precision),
                registry, System.currentTimeMillis(), events);
        try (ReplayReader reader = new ReplayReader(pipeline, inputs, config.limits().maxRecordBytes())) {
            IngestedBatch batch;
            while ((batch = reader.next()) != null) {
                pipeline.evaluate(batch);
            }
        }
        final Map<String, Long> rejected = new TreeMap<>();
        registry.find("vigil.ingest.rejected").counters().stream().filter(c -> c.count() > 0)
                .forEach(c -> rejected.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum));
        // Late at ingest (behind the newest point) or at evaluation (behind an instant evaluated): dropped either way.
        final long late = count(registry, "vigil.ingest.late.dropped") + count(registry, "vigil.evaluation.late.dropped");
        if (late > 0) {
            rejected.put(ReplayPipeline.LATE, late);
        }
        return new Summary(pipeline.records(), count(registry, "vigil.alert.transitions"), pipeline.deadLetters(),
                rejected, count(registry, "vigil.ingest.fields.skipped"), pipeline.firstByReason(),
                pipeline.earliestMs(), pipeline.latestMs());
    }

    /** The sum of the counters named {@code name}, whatever their tags; 0 for none. */
    private static long count(final MeterRegistry registry, final String name) {
        return (long) registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    static TopologySettings settings(final VigilConfig config) {
        return settings(config, InputFormat.AUTO, TimestampPrecision.NANOSECONDS);
    }

    static TopologySettings settings(final VigilConfig config, final InputFormat format,
                                     final TimestampPrecision precision) {
        return TopologySettings.of(config.withInputTopics(List.of(new InputTopic(ReplayPipeline.INPUT, format,
                precision))),
                // A file has no offsets to start from: it is read whole.
                Map.of(ReplayPipeline.INPUT, 1), Optional.empty());
    }
}
