package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.Series;
import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.Utils;

/**
 * Turns ingest's series messages into the records of the series repartition topic: points into
 * {@link SeriesBundle}s, one per evaluation partition, and progress messages into broadcasts. Ingest owns one per task
 * and hands it each point directly: a Kafka Streams forward per point (a {@code Record} with its headers, a record
 * context, a branch node) cost more than adding the point to its bundle.
 *
 * <p>A bundle is sent when it is full, before any watermark or idle notice (which say "every point before this has
 * been sent"), and on {@link #flush()}, which ingest calls before every commit of the task, so the points of the
 * input a transaction commits are in that transaction. A point goes to the partition the producer would have given it
 * as a record keyed by its series (murmur2 of the key, as Kafka's default partitioner), so every series keeps its
 * evaluator; the bundle record names that partition and the topology's partitioner sends it there.
 *
 * <p>{@code maxPoints} 0 turns bundling off: one record per point, keyed by series, as before bundles (kept for A/B
 * measurements, {@value #MAX_POINTS_CONFIG}).
 */
public final class SeriesBundler {

    /** Streams config (a {@code kafka.*} key in vigil.yaml) overriding the points per bundle; 0 turns bundling off. */
    public static final String MAX_POINTS_CONFIG = "vigil.series.bundle.max.points";
    public static final int DEFAULT_MAX_POINTS = 256;
    /** Bundles stay far below the broker's default record size limit (1 MB) whatever the series keys' length. */
    public static final int MAX_BYTES = 64 * 1024;

    /** Where the repartition topic's records go: a key, an encoded value and the record timestamp. */
    @FunctionalInterface
    public interface Sink {
        void send(byte[] key, byte[] value, long timestamp);
    }

    private final int maxPoints;
    private final Sink sink;
    private final SeriesBundle[] bundles;
    private int buffered;

    /** @param partitions the series repartition topic's partitions */
    public SeriesBundler(final int partitions, final int maxPoints, final Sink sink) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
        this.maxPoints = maxPoints;
        this.sink = sink;
        this.bundles = new SeriesBundle[partitions];
        for (int p = 0; p < partitions; p++) {
            bundles[p] = new SeriesBundle(p, partitions);
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

    /** {@link #partitionOf(byte[], int)} of the series' key, from its hash ({@link Series#partitionHash()}). */
    static int partitionOf(final Series series, final int partitions) {
        return Utils.toPositive(series.partitionHash()) % partitions;
    }

    /** The evaluation partition of the series, which the point of a series is bundled for. */
    public int partitionOf(final Series series) {
        return partitionOf(series, bundles.length);
    }

    /** A point, read from a record stamped {@code recordTimestamp}. */
    public void point(final Datapoint point, final long recordTimestamp) {
        final Series series = point.series();
        if (maxPoints <= 0) {
            sink.send(series.keyBytes(), SeriesMessageCodec.encode(new SeriesMessage.Point(point)), recordTimestamp);
            return;
        }
        final SeriesBundle bundle = bundles[partitionOf(series, bundles.length)];
        bundle.add(series, point.value(), point.timestampMs(), recordTimestamp);
        buffered++;
        if (bundle.size() >= maxPoints || bundle.bytes() >= MAX_BYTES) {
            send(bundle);
        }
    }

    /** A watermark or idle notice: every point before it is sent first, as the notice says. */
    public void message(final byte[] key, final SeriesMessage message, final long timestamp) {
        flush();
        sink.send(key, SeriesMessageCodec.encode(message), timestamp);
    }

    /** Whether points wait in a bundle. */
    public boolean holdsPoints() {
        return buffered > 0;
    }

    /** Sends every bundle that holds points. */
    public void flush() {
        if (buffered == 0) {
            return;
        }
        for (SeriesBundle bundle : bundles) {
            if (bundle.size() > 0) {
                send(bundle);
            }
        }
    }

    private void send(final SeriesBundle bundle) {
        buffered -= bundle.size();
        final byte[] key = ByteBuffer.allocate(Integer.BYTES).putInt(bundle.partition()).array();
        final long timestamp = bundle.newestRecordTimestamp();
        sink.send(key, bundle.take(), timestamp);
    }
}
