package io.vigil.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The delivery stage's meters, per receiver: attempts, outcomes by reason, latency, backlog, partitions held. */
final class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> backlog = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> partitions = new ConcurrentHashMap<>();

    DeliveryMetrics(final MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Registers a receiver's counters, and its backlog, at 0 as its delivery is set up, before anything happened: a
     * counter that first appears at 1 hides its first event from Prometheus' {@code increase()} and {@code rate()} (no
     * sample before it), so the first restart, or the first event a receiver refused, would never fire an alert on it,
     * and a backlog that appears only once delivery reads the topic is missing while it cannot
     * (deploy/vigil-self-alerts.yml). Until 2026-12-07 an Alertmanager receiver had neither a backlog nor a delivered
     * count, so VigilDeliveryBacklog could never fire for it.
     *
     * @param refuses whether the receiver's deliveries can be refused for good (webhooks; Alertmanager's push retries
     *                whatever it is answered, at its next resend)
     */
    void receiver(final String receiver, final boolean refuses) {
        attempts(receiver, "delivered");
        attempts(receiver, "retry");
        if (refuses) {
            attempts(receiver, "refused");
        }
        delivered(receiver, 0);
        restarts(receiver);
        backlog(receiver, 0);
    }

    private Counter attempts(final String receiver, final String outcome) {
        return Counter.builder("vigil.delivery.attempts").description("Delivery attempts, by receiver and outcome")
                .tag("receiver", receiver).tag("outcome", outcome).register(registry);
    }

    /** @param events alert events a webhook took (2xx), or alert changes in a push Alertmanager accepted */
    void delivered(final String receiver, final int events) {
        Counter.builder("vigil.delivery.delivered")
                .description("Alert events delivered (2xx; for Alertmanager, alert changes in a push it accepted), by receiver")
                .tag("receiver", receiver).register(registry).increment(events);
    }

    private Counter restarts(final String receiver) {
        return Counter.builder("vigil.delivery.restarts")
                .description("Deliveries started afresh after a failure, by receiver").tag("receiver", receiver)
                .register(registry);
    }

    void attempt(final String receiver, final String outcome, final long nanos) {
        attempts(receiver, outcome).increment();
        Timer.builder("vigil.delivery.latency").description("Time per delivery attempt").tag("receiver", receiver)
                .publishPercentileHistogram().register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void delivered(final String receiver) {
        delivered(receiver, 1);
    }

    void failed(final String receiver, final String reason) {
        Counter.builder("vigil.delivery.failed").description("Alert events given up on (to alerts.dlq), by reason")
                .tag("receiver", receiver).tag("reason", reason).register(registry).increment();
    }

    /** Records of the alerts topic that are not alert events, passed over. */
    void skipped(final String receiver, final String reason) {
        Counter.builder("vigil.delivery.skipped").description("Records of the alerts topic skipped, by reason")
                .tag("receiver", receiver).tag("reason", reason).register(registry).increment();
    }

    /** A receiver's delivery started afresh after it failed ({@link Restarting}). */
    void restarted(final String receiver) {
        restarts(receiver).increment();
    }

    /**
     * How many partitions of the alerts topic this instance delivers for a webhook receiver: where several instances
     * run, the one whose figure is above 0 is the one sending (an audit could tell only from Kafka's group tools).
     */
    void partitions(final String receiver, final int partitions) {
        this.partitions.computeIfAbsent(receiver, r -> {
            final AtomicLong value = new AtomicLong();
            io.micrometer.core.instrument.Gauge.builder("vigil.delivery.partitions", value, AtomicLong::get)
                    .description("Partitions of the alerts topic this instance delivers from, by webhook receiver")
                    .tag("receiver", r).register(registry);
            return value;
        }).set(partitions);
    }

    void backlog(final String receiver, final long events) {
        backlog.computeIfAbsent(receiver, r -> {
            final AtomicLong value = new AtomicLong();
            io.micrometer.core.instrument.Gauge.builder("vigil.delivery.backlog", value, AtomicLong::get)
                    .description("Alert events read but not yet delivered (for Alertmanager, alerts changed and in no"
                            + " push it accepted yet), by receiver").tag("receiver", r)
                    .register(registry);
            return value;
        }).set(events);
    }
}
