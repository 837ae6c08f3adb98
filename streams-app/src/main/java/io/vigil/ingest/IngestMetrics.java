package io.vigil.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The ingest stage's meters: datapoints in, records and datapoints rejected by reason, late datapoints dropped. */
public final class IngestMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Counter late;
    private final Counter deadLettered;
    private final Counter skippedFields;
    private final Counter unselected;

    public IngestMetrics(final MeterRegistry registry) {
        this.registry = registry;
        this.late = Counter.builder("vigil.ingest.late.dropped")
                .description("Datapoints more than `grace` behind the newest timestamp of their partition, dropped")
                .register(registry);
        this.skippedFields = Counter.builder("vigil.ingest.fields.skipped")
                .description("Line protocol and Telegraf fields that are strings or booleans, not numbers")
                .register(registry);
        this.unselected = Counter.builder("vigil.ingest.unselected")
                .description("Valid datapoints of a metric no rule names, not passed to evaluation")
                .register(registry);
        this.deadLettered = Counter.builder("vigil.ingest.dead.lettered")
                .description("Input records written to the dead-letter topic")
                .register(registry);
    }

    /** The count of valid datapoints read from {@code topic}: kept by the caller, not looked up per datapoint. */
    Counter accepted(final String topic) {
        return accepted.computeIfAbsent(topic, t -> Counter.builder("vigil.ingest.datapoints")
                .description("Valid datapoints read, by input topic").tag("topic", t).register(registry));
    }

    /** Records read without a key while the input is said to be partitioned by series, by input topic. */
    Counter unkeyed(final String topic) {
        return Counter.builder("vigil.ingest.unkeyed")
                .description("Records without a key on a topic of several partitions while topics.partitioned_by_series"
                        + " is true: a producer without keys spreads each series over the partitions")
                .tag("topic", topic).register(registry);
    }

    void rejected(final DeadLetterReason reason) {
        rejected.computeIfAbsent(reason.tag(), r -> Counter.builder("vigil.ingest.rejected")
                .description("Datapoints or records rejected to the dead-letter topic, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    void skippedFields(final int count) {
        if (count > 0) {
            skippedFields.increment(count);
        }
    }

    void unselected(final int count) {
        if (count > 0) {
            unselected.increment(count);
        }
    }

    void deadLettered() {
        deadLettered.increment();
    }

    /** Also used by the evaluators, which drop the rare point that arrives after its evaluation ran. */
    public void late() {
        late.increment();
    }
}
