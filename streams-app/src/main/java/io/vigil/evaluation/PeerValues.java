package io.vigil.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values of one peer group's members at one evaluation instant, as one series task sends them to the task that
 * judges the group (with the other groups bound there, in a {@link PeerBundle}), and as that task keeps them waiting:
 * one entry per group and pass rather than one per member (an outlier rule over a fleet's CPU would otherwise put a
 * record on the peers topic, and its changelog, for every CPU datapoint).
 *
 * @param groupKey the group (see {@link PeerGroupEvaluator#groupKey})
 * @param time     the evaluation instant
 * @param members  the members with a value, in the order they were evaluated
 */
public record PeerValues(String groupKey, long time, List<Member> members) implements EvaluationOutput {

    /** A member by its series key, and its aggregate (never NaN). */
    public record Member(String seriesKey, double value) {
        public Member {
            Objects.requireNonNull(seriesKey, "seriesKey");
        }
    }

    public PeerValues {
        Objects.requireNonNull(groupKey, "groupKey");
        members = List.copyOf(members);
    }

    /**
     * These values in parts of at most about {@code maxBytes} each when encoded, members in order; just these if they
     * fit (a part may pass the limit only by a single member larger than it). The task that judges the group merges
     * the parts again, in whatever records they come.
     */
    List<PeerValues> cut(final int maxBytes) {
        if (estimatedBytes() <= maxBytes) {
            return List.of(this);
        }
        final int fixed = fixedBytes(groupKey);
        final List<PeerValues> parts = new ArrayList<>();
        int from = 0;
        int bytes = fixed;
        for (int i = 0; i < members.size(); i++) {
            final int size = bytes(members.get(i));
            if (i > from && bytes + size > maxBytes) {
                parts.add(new PeerValues(groupKey, time, members.subList(from, i)));
                from = i;
                bytes = fixed;
            }
            bytes += size;
        }
        parts.add(new PeerValues(groupKey, time, members.subList(from, members.size())));
        return parts;
    }

    /**
     * About the bytes {@link PeerMessageCodec} writes for these values: a character as a byte, which keys of ASCII
     * names and label values are; a limit far below the producer's leaves room for the rest.
     */
    int estimatedBytes() {
        int bytes = fixedBytes(groupKey);
        for (Member m : members) {
            bytes += bytes(m);
        }
        return bytes;
    }

    private static int fixedBytes(final String groupKey) {
        return Integer.BYTES + groupKey.length() + Long.BYTES + Integer.BYTES;
    }

    private static int bytes(final Member m) {
        return Integer.BYTES + m.seriesKey().length() + Double.BYTES;
    }

    /** {@code values} grouped by group and instant, groups in the order of their first value. */
    static List<PeerValues> grouped(final List<PeerValue> values) {
        if (values.isEmpty()) {
            return List.of();
        }
        final Map<GroupInstant, List<Member>> groups = new LinkedHashMap<>();
        for (PeerValue v : values) {
            groups.computeIfAbsent(new GroupInstant(v.groupKey(), v.time()), g -> new ArrayList<>())
                    .add(new Member(v.seriesKey(), v.value()));
        }
        final List<PeerValues> out = new ArrayList<>(groups.size());
        groups.forEach((g, members) -> out.add(new PeerValues(g.groupKey(), g.time(), members)));
        return out;
    }

    private record GroupInstant(String groupKey, long time) {
        // Written out: a record's generated equals and hashCode go through method handles, which showed in profiles
        // of a pass (one lookup per outlier value).
        @Override
        public boolean equals(final Object o) {
            return o instanceof GroupInstant other && time == other.time && groupKey.equals(other.groupKey);
        }

        @Override
        public int hashCode() {
            return 31 * groupKey.hashCode() + Long.hashCode(time);
        }
    }
}
