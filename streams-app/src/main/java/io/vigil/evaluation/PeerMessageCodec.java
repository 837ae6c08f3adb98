package io.vigil.evaluation;

import io.vigil.model.SeriesCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The bytes of peer values and progress reports on the peers repartition topic. The first byte is the kind. */
public final class PeerMessageCodec {

    private static final byte VALUE = 0;
    private static final byte PROGRESS = 1;

    private PeerMessageCodec() {
    }

    public static byte[] encode(final EvaluationOutput message) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (message instanceof PeerValue v) {
                out.writeByte(VALUE);
                out.writeUTF(v.ruleId());
                out.writeUTF(v.groupKey());
                SeriesCodec.write(out, v.series());
                out.writeLong(v.time());
                out.writeDouble(v.value());
            } else if (message instanceof PeerProgress p) {
                out.writeByte(PROGRESS);
                out.writeInt(p.evaluator());
                out.writeLong(p.evaluatedThrough());
            } else {
                throw new IllegalArgumentException("not a peer message: " + message.getClass().getSimpleName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static EvaluationOutput decode(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final byte kind = in.readByte();
            if (kind == VALUE) {
                return new PeerValue(in.readUTF(), in.readUTF(), SeriesCodec.read(in), in.readLong(), in.readDouble());
            }
            if (kind == PROGRESS) {
                return new PeerProgress(in.readInt(), in.readLong());
            }
            throw new IllegalArgumentException("unknown peer message kind " + kind);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated peer message", e);
        }
    }

    /** Progress reports go to every peer-group task; values to their group's. */
    public static boolean isBroadcast(final byte[] encoded) {
        return encoded.length > 0 && encoded[0] == PROGRESS;
    }
}
