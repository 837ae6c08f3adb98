package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.DurationSyntax;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns input records into datapoints keyed by series (each in its topic's format), sends what cannot be read to the
 * dead-letter topic, drops points more than {@code grace} behind their partition's newest timestamp, dead-letters
 * points more than {@code maxAge} behind it, and reports each partition's progress in event time (its watermark) to
 * every evaluator.
 */
public final class IngestProcessor implements Processor<byte[], byte[], byte[], IngestOutput> {

    /** Each source partition's newest datapoint timestamp, changelogged so a restart judges lateness the same way. */
    public static final String PROGRESS_STORE = "vigil-ingest-progress";

    private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);

    private final TopicDecoders decoders;
    private final List<String> topics;
    private final Map<String, Integer> partitionsByTopic;
    private final long graceMs;
    private final Duration maxAge;
    private final long maxAgeMs;
    private final java.util.function.LongSupplier watermarkStepMs;
    private final Duration idleTimeout;
    private final IngestMetrics metrics;
    private final SourceLag lag;

    private ProcessorContext<byte[], IngestOutput> context;
    private KeyValueStore<String, Long> progress;
    private final Map<String, Long> lastRecordWallMs = new HashMap<>();
    private final Map<String, Boolean> idle = new HashMap<>();
    private final Map<String, Long> idleAnnouncedWallMs = new HashMap<>();
    private final Map<String, String> topicBySource = new HashMap<>();
    /** Sources that had a record since the last idle check. */
    private final java.util.Set<String> heardSinceCheck = new java.util.HashSet<>();

    /**
     * @param decoders          each input topic's decoder
     * @param topics            the input topics this processor reads
     * @param partitionsByTopic how many partitions each has, where known (to name only sources that exist)
     * @param graceMs           how far behind its partition's newest timestamp a point may be before it is dropped
     * @param maxAge            how far behind its partition's newest timestamp a point may be before it is
     *                          dead-lettered as {@link DeadLetterReason#OLD_TIMESTAMP}
     * @param watermarkStepMs   watermarks are sent when {@code newest - grace} crosses a multiple of this; read per
     *                          record, as reloaded rules may change it
     * @param idleTimeout       a partition with no record for this long (wall clock) is reported idle
     * @param lag               whether a partition still has records waiting to be read; such a partition is not idle
     */
    public IngestProcessor(final TopicDecoders decoders, final List<String> topics, final Map<String, Integer> partitionsByTopic,
                           final long graceMs, final Duration maxAge,
                           final java.util.function.LongSupplier watermarkStepMs,
                           final Duration idleTimeout,
                           final IngestMetrics metrics, final SourceLag lag) {
        this.decoders = decoders;
        this.topics = List.copyOf(topics);
        this.partitionsByTopic = Map.copyOf(partitionsByTopic);
        this.graceMs = graceMs;
        this.maxAge = maxAge;
        this.maxAgeMs = maxAge.toMillis();
        this.watermarkStepMs = watermarkStepMs;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
        this.lag = lag;
    }

    @Override
    public void init(final ProcessorContext<byte[], IngestOutput> context) {
        this.context = context;
        this.progress = context.getStateStore(PROGRESS_STORE);
        final int partition = context.taskId().partition();
        final long now = context.currentSystemTimeMs();
        for (String topic : topics) {
            final Integer count = partitionsByTopic.get(topic);
            if (count == null || partition < count) {
                lastRecordWallMs.put(source(topic, partition), now);
                idle.put(source(topic, partition), false);
                topicBySource.put(source(topic, partition), topic);
            }
        }
        final long checkMs = Math.max(100, Math.min(5_000, idleTimeout.toMillis() / 4));
        context.schedule(Duration.ofMillis(checkMs), PunctuationType.WALL_CLOCK_TIME, this::reportIdleSources);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        final String source = source(meta.topic(), meta.partition());
        final long now = context.currentSystemTimeMs();
        final DecodedRecord decoded = decoders.forTopic(meta.topic()).decode(record.value(), now, record.timestamp());
        metrics.skippedFields(decoded.skippedFields());
        final Long stored = progress.get(source);
        final long before = stored == null ? Long.MIN_VALUE : stored;
        long newest = before;
        final List<Datapoint> kept = new ArrayList<>(decoded.datapoints().size());
        final List<Rejection> old = new ArrayList<>(0);
        for (Datapoint point : decoded.datapoints()) {
            final long behind = newest == Long.MIN_VALUE ? Long.MIN_VALUE : saturatedSubtract(newest, point.timestampMs());
            if (behind > maxAgeMs) {
                old.add(tooOld(point, newest, source));
                continue;
            }
            kept.add(point);
            if (behind >= graceMs) {
                metrics.late();
                LOG.debug("late datapoint dropped: {} at {} is more than grace behind {} on {}",
                        point.series(), point.timestampMs(), newest, source);
                continue;
            }
            metrics.accepted(meta.topic());
            context.forward(new Record<>(point.series().key().getBytes(StandardCharsets.UTF_8),
                    new SeriesMessage.Point(point), record.timestamp()));
            newest = Math.max(newest, point.timestampMs());
        }
        if (!decoded.rejections().isEmpty() || !old.isEmpty()) {
            final List<Rejection> rejections = new ArrayList<>(decoded.rejections());
            rejections.addAll(old);
            deadLetter(record, meta, new DecodedRecord(kept, rejections, decoded.skippedFields()));
        }
        lastRecordWallMs.put(source, now);
        heardSinceCheck.add(source);
        final boolean wasIdle = Boolean.TRUE.equals(idle.put(source, false));
        idleAnnouncedWallMs.remove(source);
        if (newest != before) {
            progress.put(source, newest);
        }
        if (newest != Long.MIN_VALUE && (wasIdle || crossesStep(before, newest))) {
            broadcast(new SeriesMessage.Watermark(source, newest), record.timestamp());
        }
    }

    /** Whether a new evaluation instant may have become due: {@code newest - grace} entered a new step. */
    private boolean crossesStep(final long before, final long newest) {
        if (before == Long.MIN_VALUE) {
            return true;
        }
        final long step = watermarkStepMs.getAsLong();
        return Math.floorDiv(newest - graceMs, step) != Math.floorDiv(before - graceMs, step);
    }

    /**
     * Announces sources without records for the idle timeout, and repeats the notice every idle timeout while they
     * stay idle: an evaluator that restarts does not trust idleness it had stored, and must hear it again.
     *
     * <p>A source with records still waiting in Kafka is behind, not idle, however long it has had no record: its
     * task may simply not have had its turn yet. That happens on a start with a backlog: the clock runs from the
     * task's start, a poll returns at most {@code max.poll.records} and may hand over one partition's records only,
     * and a busy machine easily spends a short idle timeout on processing and committing those while the other
     * partitions' records sit in the consumer. A source announced idle in that state lets the evaluators run past
     * every point it has yet to send, and those are then dropped as late: alerts missed or resolved early (seen as
     * RunMatchesReplayIT losing 6 of 15 events under load). So records waiting, or a lag not known yet (no fetch
     * answered), restart the clock, and only a caught-up source can fall idle, as Kafka Streams' own task idling
     * judges (KIP-695).
     *
     * <p>The consumer's lag does not count records already polled and buffered by Kafka Streams, and a record's
     * {@code currentSystemTimeMs()} is the time its batch started, which on a busy machine may be seconds before this
     * check even though the task has just processed records and has more buffered. So a source that had any record
     * since the previous check is active now, whatever its last record's time says.
     */
    private void reportIdleSources(final long nowMs) {
        final long timeout = idleTimeout.toMillis();
        for (Map.Entry<String, Long> e : lastRecordWallMs.entrySet()) {
            final String source = e.getKey();
            if (heardSinceCheck.remove(source)) {
                e.setValue(nowMs);
                continue;
            }
            if (nowMs - e.getValue() < timeout) {
                continue;
            }
            final java.util.OptionalLong waiting = lag.of(topicBySource.get(source), context.taskId().partition());
            if (waiting.isEmpty() || waiting.getAsLong() > 0) {
                LOG.debug("{} has had no record for {} ms but is behind (records waiting: {}), so not idle",
                        source, nowMs - e.getValue(), waiting);
                e.setValue(nowMs);
                continue;
            }
            final Long announced = idleAnnouncedWallMs.get(source);
            if (!Boolean.TRUE.equals(idle.get(source)) || announced == null || nowMs - announced >= timeout) {
                idle.put(source, true);
                idleAnnouncedWallMs.put(source, nowMs);
                broadcast(new SeriesMessage.SourceIdle(source), nowMs);
            }
        }
    }

    private void broadcast(final SeriesMessage message, final long timestamp) {
        final String source = message instanceof SeriesMessage.Watermark w ? w.source()
                : ((SeriesMessage.SourceIdle) message).source();
        context.forward(new Record<>(source.getBytes(StandardCharsets.UTF_8), message, Math.max(0, timestamp)));
    }

    private void deadLetter(final Record<byte[], byte[]> record, final RecordMetadata meta, final DecodedRecord decoded) {
        decoded.rejections().forEach(r -> metrics.rejected(r.reason()));
        metrics.deadLettered();
        final RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add("vigil.error", decoded.deadLetterMessage().getBytes(StandardCharsets.UTF_8));
        headers.add("vigil.source.topic", meta.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("vigil.source.partition", Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("vigil.source.offset", Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
        final byte[] value = record.value() == null ? new byte[0] : record.value();
        context.forward(new Record<>(record.key(), new DeadLetter(value, decoded.deadLetterMessage()),
                record.timestamp(), headers));
    }

    private Rejection tooOld(final Datapoint point, final long newest, final String source) {
        // The series first, cut short, so that a long label set cannot push the explanation out of the header.
        return new Rejection(DeadLetterReason.OLD_TIMESTAMP, Rejection.oneLine(point.series().key(), 96) + " at "
                + Instant.ofEpochMilli(point.timestampMs()) + " is " + DurationSyntax.format(Duration.ofMillis(
                saturatedSubtract(newest, point.timestampMs()))) + " behind the newest timestamp "
                + Instant.ofEpochMilli(newest) + " on " + source + ", more than the allowed "
                + DurationSyntax.format(maxAge));
    }

    /** {@code a - b}, or Long.MAX_VALUE where that overflows: timestamps may be anywhere in the range of a long. */
    private static long saturatedSubtract(final long a, final long b) {
        final long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : difference;
    }

    static String source(final String topic, final int partition) {
        return topic + "/" + partition;
    }
}
