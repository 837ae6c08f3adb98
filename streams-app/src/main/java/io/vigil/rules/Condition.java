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
     * The history an instant is judged on besides the rule's window and {@code for}: a deviation's baseline, an
     * absence's {@code after}; none for the kinds that judge the window alone.
     */
    default Duration history() {
        return Duration.ZERO;
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

    /**
     * The series against its own history of window aggregates within {@code baseline}.
     *
     * @param minDelta Vigil's extension ({@code min_delta}): how far from the median, in the series' own units, a value
     *                 must be besides {@code minChange}, which is relative to the median and so holds nothing back
     *                 where the median is 0 (a count of errors, usually none)
     */
    record Deviation(Duration baseline, Direction direction, double z, double minChange, BaselineMethod method,
                     double minDelta) implements Condition {

        /** rules.md's deviation: the robust z-score (median and MAD). */
        public Deviation(final Duration baseline, final Direction direction, final double z, final double minChange) {
            this(baseline, direction, z, minChange, BaselineMethod.MAD);
        }

        public Deviation(final Duration baseline, final Direction direction, final double z, final double minChange,
                         final BaselineMethod method) {
            this(baseline, direction, z, minChange, method, 0);
        }

        @Override
        public String kind() {
            return "deviation";
        }

        @Override
        public Duration history() {
            return baseline;
        }

        @Override
        public boolean hasBaseline() {
            return true;
        }
    }

    /**
     * The series against its peers (equal values of the {@code peers} labels) at the same evaluation.
     *
     * @param minDelta as {@link Deviation#minDelta}: a node with a few errors among peers with none is infinitely far
     *                 from them in robust deviations, and {@code min_change} of a median of 0 is 0
     */
    record Outlier(List<String> peers, Direction direction, double z, double minChange, int minPeers, double minDelta)
            implements Condition {
        public Outlier {
            peers = List.copyOf(peers);
        }

        public Outlier(final List<String> peers, final Direction direction, final double z, final double minChange,
                       final int minPeers) {
            this(peers, direction, z, minChange, minPeers, 0);
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

        @Override
        public Duration history() {
            return after;
        }
    }
}
