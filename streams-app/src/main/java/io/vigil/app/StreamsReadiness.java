package io.vigil.app;

import io.vigil.model.DurationSyntax;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Readiness of {@code vigil run}: Kafka Streams is RUNNING, or is rebalancing since less than
 * {@code http.readyz_max_rebalance}. The rules need no check here: {@code run} loads them before it starts the
 * engine and refuses to start without them, and a reload that fails keeps the rules in force.
 *
 * <p>Why a short rebalance stays ready: during a rolling restart every instance goes through several rebalances
 * (each instance that leaves or joins moves partitions). If each of them made /readyz fail, every instance would
 * drop out of the load balancer at once. A long rebalance is different: the instance is stuck (state restoring
 * for ever, a group that does not settle) and should not be asked for alerts it cannot read. An instance that has
 * never been RUNNING (first start, restoring its state) is not ready, however short its rebalance.
 *
 * <p>Register it as the engine's {@link KafkaStreams.StateListener} before {@code start()}. Time is read from the
 * clock given, so tests step through a rebalance without waiting for one.
 */
final class StreamsReadiness implements KafkaStreams.StateListener, Supplier<Readiness> {

    /** The state Streams is in, since when, and whether it has ever been RUNNING. */
    private record Observed(KafkaStreams.State state, Instant since, boolean hasRun) {
    }

    private final Clock clock;
    private final Duration maxRebalance;
    private volatile Observed observed;

    StreamsReadiness(final Clock clock, final Duration maxRebalance) {
        this.clock = clock;
        this.maxRebalance = maxRebalance;
        this.observed = new Observed(KafkaStreams.State.CREATED, clock.instant(), false);
    }

    @Override
    public void onChange(final KafkaStreams.State newState, final KafkaStreams.State oldState) {
        final boolean hasRun = observed.hasRun() || newState == KafkaStreams.State.RUNNING;
        observed = new Observed(newState, clock.instant(), hasRun);
    }

    @Override
    public Readiness get() {
        final Observed now = observed;
        return switch (now.state()) {
            case RUNNING -> Readiness.ready("ready");
            case REBALANCING -> rebalancing(now, Duration.between(now.since(), clock.instant()));
            case CREATED -> Readiness.notReady("not ready: starting");
            case PENDING_SHUTDOWN, NOT_RUNNING -> Readiness.notReady("not ready: stopping");
            case PENDING_ERROR, ERROR -> Readiness.notReady("not ready: Kafka Streams failed (state " + now.state()
                    + "); see the log");
        };
    }

    private Readiness rebalancing(final Observed now, final Duration elapsed) {
        final String lasted = DurationSyntax.format(elapsed.truncatedTo(ChronoUnit.SECONDS));
        final String limit = DurationSyntax.format(maxRebalance);
        if (!now.hasRun()) {
            return Readiness.notReady("not ready: starting (joining the group and restoring state for " + lasted + ")");
        }
        if (elapsed.compareTo(maxRebalance) > 0) {
            return Readiness.notReady("not ready: rebalancing for " + lasted + ", longer than http.readyz_max_rebalance ("
                    + limit + ")");
        }
        return Readiness.ready("ready (rebalancing for " + lasted + "; not ready after " + limit + ")");
    }
}
