package io.vigil.evaluation;

import io.vigil.model.SeriesCodec;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of peer values and progress reports on the peers repartition topic, and of the values waiting in the
 * judging task's store. The first byte is the kind.
 *
 * <p>Values travel as one message per group and instant: {@code [3][group][time][n]} then {@code n} times
 * {@code [series key][value]}, each string as a length and UTF-8. The judging task needs a member's labels only for
 * the few members that alert, and parses them from the key then. Kind 0, one member with its labels (what Vigil wrote
 * before), is still read, so values waiting on the topic or in the store across an upgrade are judged; kind 1 is a
 * progress report.
 */
public final class PeerMessageCodec {

    private static final byte VALUE_WITH_LABELS = 0;
    private static final byte PROGRESS = 1;
    private static final byte VALUES = 3;

    private PeerMessageCodec() {
    }

    public static byte[] encode(final EvaluationOutput message) {
        if (message instanceof PeerValues v) {
            final byte[] group = v.groupKey().getBytes(StandardCharsets.UTF_8);
            final byte[][] keys = new byte[v.members().size()][];
            int size = 1 + 4 + group.length + 8 + 4;
            for (int i = 0; i < keys.length; i++) {
                keys[i] = v.members().get(i).seriesKey().getBytes(StandardCharsets.UTF_8);
                size += 4 + keys[i].length + 8;
            }
            final ByteBuffer out = ByteBuffer.allocate(size).put(VALUES).putInt(group.length).put(group)
                    .putLong(v.time()).putInt(keys.length);
            for (int i = 0; i < keys.length; i++) {
                out.putInt(keys[i].length).put(keys[i]).putDouble(v.members().get(i).value());
            }
            return out.array();
        }
        if (message instanceof PeerProgress p) {
            return ByteBuffer.allocate(1 + 4 + 8).put(PROGRESS).putInt(p.evaluator()).putLong(p.evaluatedThrough())
                    .array();
        }
        throw new IllegalArgumentException("not a peer message: " + message.getClass().getSimpleName());
    }

    /** @return {@link PeerValues} or {@link PeerProgress} */
    public static EvaluationOutput decode(final byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty peer message");
        }
        if (bytes[0] == VALUE_WITH_LABELS) {
            return decodeWithLabels(bytes);
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        try {
            if (bytes[0] == VALUES) {
                final String group = string(in);
                final long time = in.getLong();
                final int n = in.getInt();
                if (n < 0 || n > in.remaining() / 12) {
                    throw new IllegalArgumentException("corrupt peer message: " + n + " members");
                }
                final List<PeerValues.Member> members = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    members.add(new PeerValues.Member(string(in), in.getDouble()));
                }
                return new PeerValues(group, time, members);
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

    private static PeerValues decodeWithLabels(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            in.readUTF(); // the rule id, which the group key starts with
            final String group = in.readUTF();
            final String series = SeriesCodec.read(in).key();
            final long time = in.readLong();
            return new PeerValues(group, time, List.of(new PeerValues.Member(series, in.readDouble())));
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated peer message", e);
        }
    }

    /** Whether {@code encoded} is a value written before values were grouped (kind 0). */
    static boolean isSingleValue(final byte[] encoded) {
        return encoded.length > 0 && encoded[0] == VALUE_WITH_LABELS;
    }

    /** Progress reports go to every peer-group task; values to their group's. */
    public static boolean isBroadcast(final byte[] encoded) {
        return encoded.length > 0 && encoded[0] == PROGRESS;
    }
}
