package io.vigil.evaluation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/** The evaluation stage's meters. */
public final class EvaluationMetrics {

    private final MeterRegistry registry;
    private final Counter late;
    private final Timer pass;
    private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
    private final Map<String, Counter> seriesLimited = new ConcurrentHashMap<>();
    /** Per stream task: what it holds, summed into gauges. */
    private final Map<String, TaskState> taskCounts = new ConcurrentHashMap<>();
    /** Per stream task: the event time it has evaluated through, its instants up to that less the grace run. */
    private final Map<String, Long> evaluatedThrough = new ConcurrentHashMap<>();

    public EvaluationMetrics(final MeterRegistry registry) {
        this(registry, System::currentTimeMillis);
    }

    /** @param wallClockMs what the lag is measured against, epoch milliseconds */
    EvaluationMetrics(final MeterRegistry registry, final java.util.function.LongSupplier wallClockMs) {
        this.registry = registry;
        // Nothing else shows evaluation standing still while Kafka Streams runs: a hung broker held every alert of
        // both instances for two to three minutes with their stream threads polling and their state RUNNING, as
        // an evaluation waits for the event time of every input partition (a three-broker audit).
        io.micrometer.core.instrument.Gauge.builder("vigil.evaluation.lag", evaluatedThrough,
                        m -> m.isEmpty() ? Double.NaN
                                : Math.max(0, wallClockMs.getAsLong() - java.util.Collections.min(m.values())) / 1000.0)
                .description("The wall clock less the event time the furthest behind of this instance's evaluation"
                        + " tasks has reached (the input's delay, a few seconds, when live; 0 where event time runs"
                        + " ahead through a silence; none while it holds no task)")
                .baseUnit("seconds")
                .register(registry);
        this.late = Counter.builder("vigil.evaluation.late.dropped")
                .description("Datapoints that reached their evaluator after their evaluation had run, dropped")
                .register(registry);
        this.pass = Timer.builder("vigil.evaluation.pass")
                .description("Time to run the evaluations one watermark advance made due")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("vigil.series.active", taskCounts, c -> sum(c, TaskState::series))
                .description("Series held by this instance's evaluators (with points in a window, or remembered)")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("vigil.alerts.active", taskCounts,
                        c -> sum(c, t -> t.alerts().pending()))
                .description("Alerts pending or firing on this instance, by state").tag("state", "pending")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("vigil.alerts.active", taskCounts,
                        c -> sum(c, t -> t.alerts().firing()))
                .description("Alerts pending or firing on this instance, by state").tag("state", "firing")
                .register(registry);
    }

    private static double sum(final Map<String, TaskState> counts, final ToLongFunction<TaskState> count) {
        return counts.values().stream().mapToLong(count).sum();
    }

    /** The series a task holds and its alerts. */
    private record TaskState(long series, AlertCounts alerts) {
    }

    /** What one task holds now; a task counts under its own key, so tasks moving between instances net out. */
    void taskState(final String task, final long series, final AlertCounts alerts) {
        taskCounts.put(task, new TaskState(series, alerts));
    }

    void taskClosed(final String task) {
        taskCounts.remove(task);
        evaluatedThrough.remove(task);
    }

    /** Where one task's evaluation stands now, once it has evaluated anything (before, it counts for nothing). */
    void taskEvaluatedThrough(final String task, final long eventTimeMs) {
        if (eventTimeMs != Long.MIN_VALUE) {
            evaluatedThrough.put(task, eventTimeMs);
        }
    }

    void late() {
        late.increment();
    }

    void late(final int count) {
        late.increment(count);
    }

    Timer pass() {
        return pass;
    }

    /** A series refused by a rule that holds as many series as {@code evaluation.max_series_per_rule} lets it. */
    void seriesLimited(final String ruleId) {
        seriesLimited.computeIfAbsent(ruleId, k -> Counter.builder("vigil.series.limited")
                .description("Series refused by a rule at its limit (evaluation.max_series_per_rule): once for a series"
                        + " held for other rules, at each datapoint for a series no rule holds")
                .tag("rule", k).register(registry)).increment();
    }

    void transition(final AlertTransition t) {
        transitions.computeIfAbsent(t.kind().name(), k -> Counter.builder("vigil.alert.transitions")
                .description("Alert events emitted, by status")
                .tag("status", k.toLowerCase(java.util.Locale.ROOT)).register(registry)).increment();
    }
}
