package io.vigil.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ingest stage's meters: datapoints in, rejections by reason (each of a datapoint, a line protocol line, a Telegraf
 * metric or field, or a whole record), late datapoints dropped.
 */
public final class IngestMetrics {

    private final MeterRegistry registry;
    /**
     * Per registry, not per instance: stages built twice on one registry count into one meter (a function counter
     * registered again is the first one, bound to the first counts), as they did into one shared counter.
     */
    private static final Map<MeterRegistry, Map<String, TopicCounts>> ACCEPTED_BY_REGISTRY =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final Map<String, TopicCounts> accepted;
    private final Map<DeadLetterReason, Counter> rejected = new EnumMap<>(DeadLetterReason.class);
    private final Counter late;
    private final Counter deadLettered;
    private final Counter skippedFields;
    private final Counter unselected;
    private final Counter aheadOfClock;

    public IngestMetrics(final MeterRegistry registry) {
        this.registry = registry;
        this.accepted = ACCEPTED_BY_REGISTRY.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
        this.late = Counter.builder("vigil.ingest.late.dropped")
                .description("Datapoints whose evaluation instant had run by their partition's newest timestamp (instant + grace), dropped")
                .register(registry);
        this.skippedFields = Counter.builder("vigil.ingest.fields.skipped")
                .description("Line protocol and Telegraf fields that are strings or booleans, not numbers")
                .register(registry);
        this.unselected = Counter.builder("vigil.ingest.unselected")
                .description("Valid datapoints of a metric no rule names, not passed to evaluation")
                .register(registry);
        this.aheadOfClock = Counter.builder("vigil.ingest.ahead.of.clock")
                .description("Records that moved their partition's newest timestamp more than `grace` ahead of the wall"
                        + " clock: other producers' points on that partition are then dropped as late")
                .register(registry);
        this.deadLettered = Counter.builder("vigil.ingest.dead.lettered")
                .description("Input records written to the dead-letter topic")
                .register(registry);
        // Every reason at 0 from the start, as Prometheus advises for a label of known values: rate() and increase()
        // then see a reason's first rejection, and a dashboard's panel has its series before anything is rejected.
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            rejected.put(reason, Counter.builder("vigil.ingest.rejected")
                    .description("Rejections that sent their record to the dead-letter topic, by reason: each of a"
                            + " datapoint, a line protocol line, a Telegraf metric or field, or a whole record")
                    .tag("reason", reason.tag()).register(registry));
        }
    }

    /**
     * A new count of valid datapoints read from {@code topic}, for one task's source partition: kept by the caller,
     * not looked up per datapoint, and given back with {@link TaskCount#close()} when the task closes.
     */
    TaskCount accepted(final String topic) {
        final TopicCounts counts = accepted.computeIfAbsent(topic, t -> {
            final TopicCounts made = new TopicCounts();
            FunctionCounter.builder("vigil.ingest.datapoints", made, TopicCounts::total)
                    .description("Valid datapoints read, by input topic").tag("topic", t).register(registry);
            return made;
        });
        return counts.open();
    }

    /**
     * One task's count of a topic's datapoints, added to by the task's thread alone. A counter shared by the stream
     * threads took an atomic add on every input record, on a cache line the other thread wrote too: 1.7 % of a
     * catch-up's CPU (docs/performance.md). The meter sums the tasks' counts when it is read.
     */
    public static final class TaskCount {
        private final AtomicLong value = new AtomicLong();
        private final TopicCounts topic;

        private TaskCount(final TopicCounts topic) {
            this.topic = topic;
        }

        /** Adds {@code n}; on the task's thread only (one writer: an ordered store, not an atomic add). */
        void add(final long n) {
            value.lazySet(value.get() + n);
        }

        /** Hands the count to its topic's total, once its task no longer adds to it. */
        void close() {
            topic.retire(this);
        }
    }

    /** A topic's count: what closed tasks counted, and the open tasks' counts. */
    private static final class TopicCounts {
        private final Set<TaskCount> open = ConcurrentHashMap.newKeySet();
        private long retired;

        TaskCount open() {
            final TaskCount count = new TaskCount(this);
            open.add(count);
            return count;
        }

        // Retiring and summing exclude each other, so that the total never goes back, even for a moment.
        synchronized void retire(final TaskCount count) {
            if (open.remove(count)) {
                retired += count.value.get();
            }
        }

        synchronized double total() {
            long total = retired;
            for (TaskCount count : open) {
                total += count.value.get();
            }
            return total;
        }
    }

    /** Records read without a key while the input is said to be partitioned by series, by input topic. */
    Counter unkeyed(final String topic) {
        return Counter.builder("vigil.ingest.unkeyed")
                .description("Records without a key on a topic of several partitions while topics.partitioned_by_series"
                        + " is true: a producer without keys spreads each series over the partitions")
                .tag("topic", topic).register(registry);
    }

    void rejected(final DeadLetterReason reason) {
        rejected.get(reason).increment();
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

    void aheadOfClock() {
        aheadOfClock.increment();
    }
}
