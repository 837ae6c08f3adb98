package io.vigil.evaluation;

import io.vigil.model.SeriesCodec;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of peer values and progress reports on the peers repartition topic. The first byte is the kind.
 *
 * <p>A value carries its group and its member as strings ({@code [2][group][series key][time][value]}, each string
 * as a length and UTF-8): the judging task needs a member's labels only for the few members that alert, and parses
 * them from the key then. Kind 0, the values written before (rule id, group, the member's labels), is still read, so
 * values waiting on the topic across an upgrade are judged; kind 1 is a progress report.
 */
public final class PeerMessageCodec {

    private static final byte VALUE_WITH_LABELS = 0;
    private static final byte PROGRESS = 1;
    private static final byte VALUE = 2;

    private PeerMessageCodec() {
    }

    public static byte[] encode(final EvaluationOutput message) {
        if (message instanceof PeerValue v) {
            final byte[] group = v.groupKey().getBytes(StandardCharsets.UTF_8);
            final byte[] series = v.seriesKey().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + 4 + group.length + 4 + series.length + 8 + 8)
                    .put(VALUE).putInt(group.length).put(group).putInt(series.length).put(series)
                    .putLong(v.time()).putDouble(v.value()).array();
        }
        if (message instanceof PeerProgress p) {
            return ByteBuffer.allocate(1 + 4 + 8).put(PROGRESS).putInt(p.evaluator()).putLong(p.evaluatedThrough())
                    .array();
        }
        throw new IllegalArgumentException("not a peer message: " + message.getClass().getSimpleName());
    }

    public static EvaluationOutput decode(final byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty peer message");
        }
        if (bytes[0] == VALUE_WITH_LABELS) {
            return decodeWithLabels(bytes);
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        try {
            if (bytes[0] == VALUE) {
                return new PeerValue(string(in), string(in), in.getLong(), in.getDouble());
            }
            if (bytes[0] == PROGRESS) {
                return new PeerProgress(in.getInt(), in.getLong());
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated peer message", e);
        }
        throw new IllegalArgumentException("unknown peer message kind " + bytes[0]);
    }

    private static String string(final ByteBuffer in) {
        final int length = in.getInt();
        final String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    private static PeerValue decodeWithLabels(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            in.readUTF(); // the rule id, which the group key starts with
            return new PeerValue(in.readUTF(), SeriesCodec.read(in).key(), in.readLong(), in.readDouble());
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated peer message", e);
        }
    }

    /** Progress reports go to every peer-group task; values to their group's. */
    public static boolean isBroadcast(final byte[] encoded) {
        return encoded.length > 0 && encoded[0] == PROGRESS;
    }
}
