package io.vigil.rules;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/** What makes a rule true for a series: exactly one kind per rule (rules.md, "Kinds"). */
public sealed interface Condition permits Condition.Threshold, Condition.Deviation, Condition.Outlier, Condition.Absent {

    /** The YAML key of this kind: {@code threshold}, {@code deviation}, {@code outlier}, {@code absent}. */
    String kind();

    /** Whether templates of this kind may use {@code $median} and {@code $z}. */
    default boolean hasBaseline() {
        return false;
    }

    /**
     * {@code threshold: {above: N}} or {@code {below: N}}, with optional hysteresis.
     *
     * @param above   true for {@code above}, false for {@code below}
     * @param limit   N
     * @param recover M: a firing alert stays true until the aggregate is at or below M (above) / at or above M (below)
     */
    record Threshold(boolean above, double limit, OptionalDouble recover) implements Condition {
        @Override
        public String kind() {
            return "threshold";
        }

        /** Whether {@code value} makes the condition true, given whether the alert is already firing. */
        public boolean holds(final double value, final boolean firing) {
            final double bound = firing && recover.isPresent() ? recover.getAsDouble() : limit;
            return above ? value > bound : value < bound;
        }
    }

    /** The series against its own history of window aggregates within {@code baseline}. */
    record Deviation(Duration baseline, Direction direction, double z, double minChange, BaselineMethod method)
            implements Condition {

        /** rules.md's deviation: the robust z-score (median and MAD). */
        public Deviation(final Duration baseline, final Direction direction, final double z, final double minChange) {
            this(baseline, direction, z, minChange, BaselineMethod.MAD);
        }

        @Override
        public String kind() {
            return "deviation";
        }

        @Override
        public boolean hasBaseline() {
            return true;
        }
    }

    /** The series against its peers (equal values of the {@code peers} labels) at the same evaluation. */
    record Outlier(List<String> peers, Direction direction, double z, double minChange, int minPeers) implements Condition {
        public Outlier {
            peers = List.copyOf(peers);
        }

        @Override
        public String kind() {
            return "outlier";
        }

        @Override
        public boolean hasBaseline() {
            return true;
        }
    }

    /** A series seen before has had no point for {@code after}. */
    record Absent(Duration after) implements Condition {
        @Override
        public String kind() {
            return "absent";
        }
    }
}
