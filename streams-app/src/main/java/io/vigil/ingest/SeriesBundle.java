package io.vigil.ingest;

import io.vigil.model.Series;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Points of many series bound for one evaluation partition, as one repartition record
 * ({@link SeriesMessageCodec#HASHED_BUNDLE}).
 *
 * <p>Each record through the broker costs about the same whatever it carries: its send (serializers, partitioner,
 * accumulator), its transactional append, its fetch, and Kafka Streams' per-record work on the evaluation side. Ingest
 * produced one record per datapoint; a bundle carries up to hundreds, in the order ingest forwarded them, so each
 * series' points stay in order (a series always goes to the same partition, so to the same bundle).
 *
 * <p>The bytes, big-endian: the kind ({@link SeriesMessageCodec#HASHED_BUNDLE}), the destination partition (int), the
 * partition count it was computed for (int), the number of points (int), then per point the series key's length (int)
 * and UTF-8 bytes, the key's {@link String#hashCode} (int: ingest has it at hand for a series it knows, and the
 * evaluator, which looks every point's series up by it, would otherwise compute it over the key at every point), the
 * value (double), the timestamp (long) and the timestamp of the record ingest read it from (long: what the evaluator
 * stamps the alerts it causes with, as it did for single-point records). Bundles of the first kind
 * ({@link SeriesMessageCodec#BUNDLE}), the same without the hash, are still read, so an upgrade can find them unread
 * on the topic.
 *
 * <p>A builder, reused after each {@link #take()}: the bytes grow in one array rather than per point.
 */
public final class SeriesBundle {

    static final int HEADER_BYTES = 1 + 3 * Integer.BYTES;
    private static final int POINT_BYTES = 2 * Integer.BYTES + Double.BYTES + 2 * Long.BYTES;

    private final int partition;
    private final int partitions;
    private ByteBuffer buffer;
    private int count;
    private long newestRecordTimestamp = Long.MIN_VALUE;

    /**
     * @param partition  the evaluation partition every point of this bundle belongs to
     * @param partitions how many partitions that was computed for (the series repartition topic's), checked when sent
     */
    public SeriesBundle(final int partition, final int partitions) {
        this.partition = partition;
        this.partitions = partitions;
        this.buffer = ByteBuffer.allocate(4096);
        reset();
    }

    /** Adds a point of {@code series}, its key written from its parts where it can be ({@link Series#writeKeyBytes}). */
    public void add(final Series series, final double value, final long timestampMs, final long recordTimestamp) {
        final int length = series.keyBytesLength();
        if (length < 0) {
            final byte[] key = series.keyBytes();
            add(key, Series.keyHashOf(key), value, timestampMs, recordTimestamp);
            return;
        }
        ensure(POINT_BYTES + length);
        buffer.putInt(length);
        final int at = buffer.position();
        buffer.position(series.writeKeyBytes(buffer.array(), at));
        buffer.putInt(series.keyHash()).putDouble(value).putLong(timestampMs).putLong(recordTimestamp);
        count++;
        newestRecordTimestamp = Math.max(newestRecordTimestamp, recordTimestamp);
    }

    /**
     * Adds a point of the series whose key is {@code key} (UTF-8).
     *
     * @param keyHash the {@link String#hashCode} of the key
     */
    public void add(final byte[] key, final int keyHash, final double value, final long timestampMs,
                    final long recordTimestamp) {
        ensure(POINT_BYTES + key.length);
        buffer.putInt(key.length).put(key).putInt(keyHash).putDouble(value).putLong(timestampMs)
                .putLong(recordTimestamp);
        count++;
        newestRecordTimestamp = Math.max(newestRecordTimestamp, recordTimestamp);
    }

    public int size() {
        return count;
    }

    /** How many bytes the bundle would have if taken now. */
    public int bytes() {
        return buffer.position();
    }

    public int partition() {
        return partition;
    }

    /** The newest record timestamp of its points: the bundle record's own timestamp. */
    public long newestRecordTimestamp() {
        return newestRecordTimestamp;
    }

    /** The bundle's bytes; this builder is empty again afterwards. */
    public byte[] take() {
        buffer.putInt(1 + 2 * Integer.BYTES, count);
        final byte[] bytes = Arrays.copyOf(buffer.array(), buffer.position());
        reset();
        return bytes;
    }

    /** Forgets the points added since the last {@link #take()}. */
    public void clear() {
        reset();
    }

    private void reset() {
        buffer.clear();
        buffer.put(SeriesMessageCodec.HASHED_BUNDLE).putInt(partition).putInt(partitions).putInt(0);
        count = 0;
        newestRecordTimestamp = Long.MIN_VALUE;
    }

    private void ensure(final int more) {
        if (buffer.remaining() < more) {
            final ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
            buffer.flip();
            larger.put(buffer);
            buffer = larger;
        }
    }

    /** What a reader of a bundle does with each of its points, in order. */
    @FunctionalInterface
    public interface PointReader {
        void point(String seriesKey, double value, long timestampMs, long recordTimestamp);
    }

    /**
     * A reader of each point's key as it lies in the bundle, {@code bundle[keyOffset, keyOffset + keyLength)} (UTF-8),
     * for a reader that looks the series up without decoding its key.
     */
    @FunctionalInterface
    public interface PointBytesReader {
        /** @param keyHash the key's {@link String#hashCode} as a non-negative long, or {@link #NO_HASH} */
        void point(byte[] bundle, int keyOffset, int keyLength, long keyHash, double value, long timestampMs,
                   long recordTimestamp);
    }

    /** The key hash of a point of a bundle of the first kind, which did not carry one. */
    public static final long NO_HASH = -1;

    /**
     * A bundle's points as arrays, for a reader that goes over them more than once: the evaluator looks up every
     * point's series before it takes any, so that the lookups' cache misses overlap. Reused from bundle to bundle.
     */
    public static final class Points implements PointBytesReader {
        private int count;
        private int[] keyOffsets = new int[0];
        private int[] keyLengths = new int[0];
        private long[] keyHashes = new long[0];
        private double[] values = new double[0];
        private long[] timestamps = new long[0];
        private long[] recordTimestamps = new long[0];

        /**
         * Reads {@code bundle}'s points into these arrays, in order.
         *
         * @throws IllegalArgumentException for bytes that are not a whole bundle
         */
        public void read(final byte[] bundle) {
            count = 0;
            SeriesBundle.read(bundle, this);
        }

        @Override
        public void point(final byte[] bundle, final int keyOffset, final int keyLength, final long keyHash,
                          final double value, final long timestampMs, final long recordTimestamp) {
            if (count == keyOffsets.length) {
                final int capacity = Math.max(16, count * 2);
                keyOffsets = Arrays.copyOf(keyOffsets, capacity);
                keyLengths = Arrays.copyOf(keyLengths, capacity);
                keyHashes = Arrays.copyOf(keyHashes, capacity);
                values = Arrays.copyOf(values, capacity);
                timestamps = Arrays.copyOf(timestamps, capacity);
                recordTimestamps = Arrays.copyOf(recordTimestamps, capacity);
            }
            keyOffsets[count] = keyOffset;
            keyLengths[count] = keyLength;
            keyHashes[count] = keyHash;
            values[count] = value;
            timestamps[count] = timestampMs;
            recordTimestamps[count] = recordTimestamp;
            count++;
        }

        public int count() {
            return count;
        }

        public int keyOffset(final int i) {
            return keyOffsets[i];
        }

        public int keyLength(final int i) {
            return keyLengths[i];
        }

        /** The key's {@link String#hashCode} as a non-negative long, or {@link #NO_HASH}. */
        public long keyHash(final int i) {
            return keyHashes[i];
        }

        public double value(final int i) {
            return values[i];
        }

        public long timestampMs(final int i) {
            return timestamps[i];
        }

        public long recordTimestamp(final int i) {
            return recordTimestamps[i];
        }
    }

    /** Whether {@code bytes} is a bundle, of either kind. */
    public static boolean isBundle(final byte[] bytes) {
        return bytes != null && bytes.length >= HEADER_BYTES
                && (bytes[0] == SeriesMessageCodec.HASHED_BUNDLE || bytes[0] == SeriesMessageCodec.BUNDLE);
    }

    /** The evaluation partition a bundle is for. */
    public static int partitionOf(final byte[] bundle) {
        return ByteBuffer.wrap(bundle).getInt(1);
    }

    /** The partition count its partition was computed for. */
    public static int partitionsOf(final byte[] bundle) {
        return ByteBuffer.wrap(bundle).getInt(1 + Integer.BYTES);
    }

    /**
     * Hands each point of {@code bundle} to {@code reader}, in the order they were added.
     *
     * @throws IllegalArgumentException for bytes that are not a whole bundle
     */
    public static void read(final byte[] bundle, final PointReader reader) {
        read(bundle, (bytes, keyOffset, keyLength, keyHash, value, timestampMs, recordTimestamp) -> reader.point(
                new String(bytes, keyOffset, keyLength, StandardCharsets.UTF_8), value, timestampMs, recordTimestamp));
    }

    /**
     * Hands each point of {@code bundle} to {@code reader}, in the order they were added, its key as bytes.
     *
     * @throws IllegalArgumentException for bytes that are not a whole bundle
     */
    public static void read(final byte[] bundle, final PointBytesReader reader) {
        if (!isBundle(bundle)) {
            throw new IllegalArgumentException("not a series bundle");
        }
        final boolean hashed = bundle[0] == SeriesMessageCodec.HASHED_BUNDLE;
        final ByteBuffer in = ByteBuffer.wrap(bundle);
        in.position(1 + 2 * Integer.BYTES);
        final int count = in.getInt();
        try {
            for (int i = 0; i < count; i++) {
                final int keyLength = in.getInt();
                if (keyLength < 0 || keyLength > in.remaining()) {
                    throw new IllegalArgumentException("truncated series bundle");
                }
                final int keyOffset = in.position();
                in.position(keyOffset + keyLength);
                final long keyHash = hashed ? in.getInt() & 0xFFFF_FFFFL : NO_HASH;
                reader.point(bundle, keyOffset, keyLength, keyHash, in.getDouble(), in.getLong(), in.getLong());
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated series bundle", e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("series bundle with " + in.remaining() + " bytes after its points");
        }
    }
}
