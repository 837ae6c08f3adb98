package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.SeriesCodec;
import io.vigil.model.Series;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a {@link SeriesMessage} on the repartition topic. The first byte says which kind it is.
 *
 * <p>A datapoint's series is its record's key ({@link Series#key()}), so its value is only the kind, the value and
 * the timestamp: 17 bytes instead of about 160 with the labels, and evaluation reads a known series' points without
 * decoding labels at all. Records of the first format ({@link #POINT_WITH_LABELS}), which carried the labels, are
 * still read, so an upgrade can find them unread on the topic. Points normally travel many to a record, in a
 * {@link SeriesBundle}, which this codec does not decode: the evaluator reads its points one by one.
 */
public final class SeriesMessageCodec {

    /** The first format of a point: the series' name and labels, the value, the timestamp. Read, no longer written. */
    public static final byte POINT_WITH_LABELS = 0;
    public static final byte WATERMARK = 1;
    public static final byte SOURCE_IDLE = 2;
    /** A point whose series is the record's key: the value, the timestamp. Read; written only with bundling off. */
    public static final byte POINT = 3;
    /** Points of many series bound for one evaluation partition, without their keys' hashes. Read, no longer written. */
    public static final byte BUNDLE = 4;
    /** Points of many series bound for one evaluation partition, each with its key's hash: see {@link SeriesBundle}. */
    public static final byte HASHED_BUNDLE = 5;
    private static final int POINT_BYTES = 1 + Double.BYTES + Long.BYTES;

    private SeriesMessageCodec() {
    }

    public static byte[] encode(final SeriesMessage message) {
        if (message instanceof SeriesMessage.Point p) {
            return ByteBuffer.allocate(POINT_BYTES).put(POINT).putDouble(p.datapoint().value())
                    .putLong(p.datapoint().timestampMs()).array();
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (message instanceof SeriesMessage.Watermark w) {
                out.writeByte(WATERMARK);
                out.writeUTF(w.source());
                out.writeLong(w.timestampMs());
            } else if (message instanceof SeriesMessage.SourceIdle i) {
                out.writeByte(SOURCE_IDLE);
                out.writeUTF(i.source());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Whether {@code bytes} is a point of the current format, read by {@link #value} and {@link #timestampMs}. */
    public static boolean isPoint(final byte[] bytes) {
        return bytes.length == POINT_BYTES && bytes[0] == POINT;
    }

    public static double value(final byte[] point) {
        return ByteBuffer.wrap(point).getDouble(1);
    }

    public static long timestampMs(final byte[] point) {
        return ByteBuffer.wrap(point).getLong(1 + Double.BYTES);
    }

    /**
     * @param key the record's key, the series' key for a point
     * @throws IllegalArgumentException for bytes this codec did not write
     */
    public static SeriesMessage decode(final byte[] key, final byte[] bytes) {
        if (isPoint(bytes)) {
            if (key == null) {
                throw new IllegalArgumentException("a series message without its series key");
            }
            final Series series = Series.fromKey(new String(key, StandardCharsets.UTF_8));
            return new SeriesMessage.Point(new Datapoint(series, value(bytes), timestampMs(bytes)));
        }
        return decode(bytes);
    }

    /** @throws IllegalArgumentException for bytes this codec did not write */
    private static SeriesMessage decode(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final byte kind = in.readByte();
            switch (kind) {
                case POINT_WITH_LABELS -> {
                    final Series series = SeriesCodec.read(in);
                    final double value = in.readDouble();
                    final long ts = in.readLong();
                    return new SeriesMessage.Point(new Datapoint(series, value, ts));
                }
                case WATERMARK -> {
                    return new SeriesMessage.Watermark(in.readUTF(), in.readLong());
                }
                case SOURCE_IDLE -> {
                    return new SeriesMessage.SourceIdle(in.readUTF());
                }
                default -> throw new IllegalArgumentException("unknown series message kind " + kind);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated series message", e);
        }
    }

    /** Whether the encoded message goes to every evaluator rather than to its series' (or its bundle's) one. */
    public static boolean isBroadcast(final byte[] encoded) {
        return encoded.length > 0 && (encoded[0] == WATERMARK || encoded[0] == SOURCE_IDLE);
    }
}
