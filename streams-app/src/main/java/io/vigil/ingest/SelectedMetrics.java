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

    /**
     * The evaluation step by which a selected point of {@code metricName} is late: that of the groups whose rules name
     * it, a multiple of the rule set's; {@code otherwise} (the rule set's) where nothing finer is known.
     */
    default long stepMs(String metricName, long otherwise) {
        return otherwise;
    }
}
