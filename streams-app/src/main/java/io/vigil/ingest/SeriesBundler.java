package io.vigil.ingest;

import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

/**
 * Turns ingest's series messages into the records of the series repartition topic: points into
 * {@link SeriesBundle}s, one per evaluation partition, and progress messages into broadcasts.
 *
 * <p>A bundle is sent when it is full, before any watermark or idle notice (which say "every point before this has
 * been sent"), and before every commit of the task (through {@link CommitFlushStore}), so the points of the input a
 * transaction commits are in that transaction. A point goes to the partition the producer would have given it as a
 * record keyed by its series (murmur2 of the key, as Kafka's default partitioner), so every series keeps its
 * evaluator; the bundle record names that partition and the topology's partitioner sends it there.
 *
 * <p>{@code maxPoints} 0 turns bundling off: one record per point, keyed by series, as before bundles (kept for A/B
 * measurements, {@value #MAX_POINTS_CONFIG}).
 */
public final class SeriesBundler implements Processor<byte[], IngestOutput, byte[], byte[]> {

    /** The store whose pre-commit flush sends the buffered bundles. */
    public static final String FLUSH_STORE = "vigil-series-bundles";
    /** Streams config (a {@code kafka.*} key in vigil.yaml) overriding the points per bundle; 0 turns bundling off. */
    public static final String MAX_POINTS_CONFIG = "vigil.series.bundle.max.points";
    public static final int DEFAULT_MAX_POINTS = 256;
    /** Bundles stay far below the broker's default record size limit (1 MB) whatever the series keys' length. */
    public static final int MAX_BYTES = 64 * 1024;

    private final int partitions;
    private int maxPoints;

    private ProcessorContext<byte[], byte[]> context;
    private InternalProcessorContext<byte[], byte[]> internal;
    private ProcessorNode<?, ?, ?, ?> node;
    private SeriesBundle[] bundles;
    /** The record context of the newest point buffered: what the bundle is sent under from the pre-commit flush. */
    private ProcessorRecordContext newestPointContext;

    /** @param partitions the series repartition topic's partitions */
    public SeriesBundler(final int partitions, final int maxPoints) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
        this.partitions = partitions;
        this.maxPoints = maxPoints;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(final ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        final Object configured = context.appConfigs().get(MAX_POINTS_CONFIG);
        if (configured != null) {
            maxPoints = maxPoints(configured.toString());
        }
        // Forwarding from the pre-commit flush, outside process(), needs this node as the current one and a record
        // context, as Kafka Streams' own caching stores set them when they forward on flush
        // (TimestampedCacheFlushListener, CachingKeyValueStore.putAndMaybeForward).
        this.internal = (InternalProcessorContext<byte[], byte[]>) context;
        this.node = internal.currentNode();
        // init() runs again when a task is revived: what was buffered belongs to input that will be read again.
        this.bundles = new SeriesBundle[partitions];
        for (int p = 0; p < partitions; p++) {
            bundles[p] = new SeriesBundle(p, partitions);
        }
        this.newestPointContext = null;
        final CommitFlushStore flush = context.getStateStore(FLUSH_STORE);
        flush.beforeCommit(this::flushBeforeCommit);
    }

    @Override
    public void process(final Record<byte[], IngestOutput> record) {
        if (record.value() instanceof SeriesMessage.Point p) {
            if (maxPoints <= 0) {
                context.forward(new Record<>(record.key(), SeriesMessageCodec.encode(p), record.timestamp()));
                return;
            }
            final SeriesBundle bundle = bundles[partitionOf(record.key(), partitions)];
            bundle.add(record.key(), p.datapoint().value(), p.datapoint().timestampMs(), record.timestamp());
            newestPointContext = internal.recordContext();
            if (bundle.size() >= maxPoints || bundle.bytes() >= MAX_BYTES) {
                send(bundle);
            }
        } else if (record.value() instanceof SeriesMessage message) {
            // Every point before a watermark (or idle notice) must reach its evaluator before the notice does.
            sendAll();
            context.forward(new Record<>(record.key(), SeriesMessageCodec.encode(message), record.timestamp()));
        }
    }

    /**
     * The points per bundle {@code text} sets ({@value #MAX_POINTS_CONFIG}).
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static int maxPoints(final String text) {
        final int points;
        try {
            points = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number of points (0 for no bundles), not \"" + text + "\"");
        }
        if (points < 0) {
            throw new IllegalArgumentException("must be at least 0 (no bundles), not " + points);
        }
        return points;
    }

    /** The evaluation partition of a series: the one Kafka's default partitioner gives a record keyed by it. */
    public static int partitionOf(final byte[] seriesKey, final int partitions) {
        return Utils.toPositive(Utils.murmur2(seriesKey)) % partitions;
    }

    private void flushBeforeCommit() {
        if (newestPointContext == null) {
            return;
        }
        final ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
        final ProcessorRecordContext previousContext = internal.recordContext();
        internal.setCurrentNode(node);
        internal.setRecordContext(newestPointContext);
        try {
            sendAll();
        } finally {
            internal.setRecordContext(previousContext);
            internal.setCurrentNode(previousNode);
        }
    }

    private void sendAll() {
        for (SeriesBundle bundle : bundles) {
            if (bundle.size() > 0) {
                send(bundle);
            }
        }
        newestPointContext = null;
    }

    private void send(final SeriesBundle bundle) {
        final byte[] key = ByteBuffer.allocate(Integer.BYTES).putInt(bundle.partition()).array();
        final long timestamp = bundle.newestRecordTimestamp();
        context.forward(new Record<>(key, bundle.take(), timestamp));
    }
}
