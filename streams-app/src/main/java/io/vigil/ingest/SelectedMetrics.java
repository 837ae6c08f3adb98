package io.vigil.ingest;

/**
 * Whether a rule in force names a metric. Every rule selects series of one metric name (a selector always has one),
 * so a point of a metric no rule names can be taken by no rule, and ingest passes it no further: prometheus-kafka-adapter
 * writes every series a Prometheus scrapes, and rules name a few of its metrics.
 */
@FunctionalInterface
public interface SelectedMetrics {

    /** Every metric, for tests of ingest alone. */
    SelectedMetrics ALL = name -> true;

    /** Read at each point, so that a rule loaded while the engine runs gets its metric's points from then on. */
    boolean selects(String metricName);

    /** No steps known: a point is late by the rule set's step. */
    long[] NO_STEPS = new long[0];

    /**
     * The evaluation steps of the groups whose rules name {@code metricName}, by which a selected point of it is late
     * (see {@code RuleIndex}); {@link #NO_STEPS} where none are known, and a point is late by the rule set's step.
     */
    default long[] stepsMs(String metricName) {
        return NO_STEPS;
    }
}
