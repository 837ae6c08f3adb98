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
