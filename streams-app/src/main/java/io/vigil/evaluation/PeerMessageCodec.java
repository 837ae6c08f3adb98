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
 * <p>Values travel bundled, one message per peers partition and pass ({@link PeerBundle}):
 * {@code [4][partition][partitions][g]} then {@code g} groups, each {@code [group][time][n]} and {@code n} times
 * {@code [series key][value]}, each string as a length and UTF-8. In the judging task's store a group's values at
 * an instant are kind 3: {@code [3]} then that group, as above. The judging task needs a member's labels only for the
 * few members that alert, and parses them from the key then. Kinds written before are still read, so values waiting on the topic
 * or in the store across an upgrade are judged: kind 3 on the topic (a group per message), kind 0 (one member with
 * its labels). Kind 1 is a progress report.
 */
public final class PeerMessageCodec {

    private static final byte VALUE_WITH_LABELS = 0;
    private static final byte PROGRESS = 1;
    private static final byte VALUES = 3;
    private static final byte BUNDLE = 4;
    /** A bundle's kind, partition, partition count and group count. */
    private static final int BUNDLE_HEADER = 1 + 3 * Integer.BYTES;

    private PeerMessageCodec() {
    }

    public static byte[] encode(final EvaluationOutput message) {
        if (message instanceof PeerValues v) {
            final EncodedValues encoded = new EncodedValues(v);
            final ByteBuffer out = ByteBuffer.allocate(1 + encoded.size).put(VALUES);
            encoded.writeTo(out);
            return out.array();
        }
        if (message instanceof PeerBundle b) {
            final List<EncodedValues> groups = new ArrayList<>(b.values().size());
            int size = BUNDLE_HEADER;
            for (PeerValues v : b.values()) {
                final EncodedValues encoded = new EncodedValues(v);
                groups.add(encoded);
                size += encoded.size;
            }
            final ByteBuffer out = ByteBuffer.allocate(size).put(BUNDLE).putInt(b.partition()).putInt(b.partitions())
                    .putInt(groups.size());
            groups.forEach(g -> g.writeTo(out));
            return out.array();
        }
        if (message instanceof PeerProgress p) {
            return ByteBuffer.allocate(1 + 4 + 8).put(PROGRESS).putInt(p.evaluator()).putLong(p.evaluatedThrough())
                    .array();
        }
        throw new IllegalArgumentException("not a peer message: " + message.getClass().getSimpleName());
    }

    /** @return {@link PeerValues}, {@link PeerBundle} or {@link PeerProgress} */
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
                return values(in);
            }
            if (bytes[0] == BUNDLE) {
                final int partition = in.getInt();
                final int partitions = in.getInt();
                final int g = in.getInt();
                // Each group takes at least its group key's length, its time and its member count.
                if (g < 0 || g > in.remaining() / 16) {
                    throw new IllegalArgumentException("corrupt peer message: " + g + " groups");
                }
                final List<PeerValues> groups = new ArrayList<>(g);
                for (int i = 0; i < g; i++) {
                    groups.add(values(in));
                }
                return new PeerBundle(partition, partitions, groups);
            }
            if (bytes[0] == PROGRESS) {
                return new PeerProgress(in.getInt(), in.getLong());
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated peer message", e);
        }
        throw new IllegalArgumentException("unknown peer message kind " + bytes[0]);
    }

    /** One group's values at an instant, as kind 3 holds it after its kind byte. */
    private static PeerValues values(final ByteBuffer in) {
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

    /** A group's values with its strings encoded, and the bytes they take after a kind byte. */
    private static final class EncodedValues {
        private final PeerValues values;
        private final byte[] group;
        private final byte[][] keys;
        private final int size;

        EncodedValues(final PeerValues values) {
            this.values = values;
            this.group = values.groupKey().getBytes(StandardCharsets.UTF_8);
            this.keys = new byte[values.members().size()][];
            int bytes = Integer.BYTES + group.length + Long.BYTES + Integer.BYTES;
            for (int i = 0; i < keys.length; i++) {
                keys[i] = values.members().get(i).seriesKey().getBytes(StandardCharsets.UTF_8);
                bytes += Integer.BYTES + keys[i].length + Double.BYTES;
            }
            this.size = bytes;
        }

        void writeTo(final ByteBuffer out) {
            out.putInt(group.length).put(group).putLong(values.time()).putInt(keys.length);
            for (int i = 0; i < keys.length; i++) {
                out.putInt(keys[i].length).put(keys[i]).putDouble(values.members().get(i).value());
            }
        }
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

    /** Whether {@code encoded} is a {@link PeerBundle}, bound for the partition it names. */
    public static boolean isBundle(final byte[] encoded) {
        return encoded.length >= BUNDLE_HEADER && encoded[0] == BUNDLE;
    }

    /** The partition a bundle ({@link #isBundle}) is bound for. */
    public static int partitionOf(final byte[] bundle) {
        return ByteBuffer.wrap(bundle, 1, Integer.BYTES).getInt();
    }

    /** How many partitions a bundle's partition was computed for. */
    public static int partitionsOf(final byte[] bundle) {
        return ByteBuffer.wrap(bundle, 1 + Integer.BYTES, Integer.BYTES).getInt();
    }

    /** Progress reports go to every peer-group task; values to their group's. */
    public static boolean isBroadcast(final byte[] encoded) {
        return encoded.length > 0 && encoded[0] == PROGRESS;
    }
}
