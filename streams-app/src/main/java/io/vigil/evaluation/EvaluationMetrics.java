package io.vigil.evaluation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The evaluation stage's meters. */
public final class EvaluationMetrics {

    private final MeterRegistry registry;
    private final Counter late;
    private final Timer pass;
    private final Map<String, Counter> transitions = new ConcurrentHashMap<>();

    public EvaluationMetrics(final MeterRegistry registry) {
        this.registry = registry;
        this.late = Counter.builder("vigil.evaluation.late.dropped")
                .description("Datapoints that reached their evaluator after their evaluation had run, dropped")
                .register(registry);
        this.pass = Timer.builder("vigil.evaluation.pass")
                .description("Time to run the evaluations one watermark advance made due")
                .register(registry);
    }

    void late() {
        late.increment();
    }

    Timer pass() {
        return pass;
    }

    void transition(final AlertTransition t) {
        transitions.computeIfAbsent(t.kind().name(), k -> Counter.builder("vigil.alert.transitions")
                .description("Alert events emitted, by status")
                .tag("status", k.toLowerCase(java.util.Locale.ROOT)).register(registry)).increment();
    }
}
