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

/** The bytes of a {@link SeriesMessage} on the repartition topic. The first byte says which kind it is. */
public final class SeriesMessageCodec {

    public static final byte POINT = 0;
    public static final byte WATERMARK = 1;
    public static final byte SOURCE_IDLE = 2;

    private SeriesMessageCodec() {
    }

    public static byte[] encode(final SeriesMessage message) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (message instanceof SeriesMessage.Point p) {
                final Datapoint d = p.datapoint();
                out.writeByte(POINT);
                SeriesCodec.write(out, d.series());
                out.writeDouble(d.value());
                out.writeLong(d.timestampMs());
            } else if (message instanceof SeriesMessage.Watermark w) {
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

    /** @throws IllegalArgumentException for bytes this codec did not write */
    public static SeriesMessage decode(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final byte kind = in.readByte();
            switch (kind) {
                case POINT -> {
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

    /** Whether the encoded message goes to every evaluator rather than to its series' one. */
    public static boolean isBroadcast(final byte[] encoded) {
        return encoded.length > 0 && encoded[0] != POINT;
    }
}
