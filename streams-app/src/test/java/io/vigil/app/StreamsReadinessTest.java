package io.vigil.app;

import static org.apache.kafka.streams.KafkaStreams.State.CREATED;
import static org.apache.kafka.streams.KafkaStreams.State.ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_SHUTDOWN;
import static org.apache.kafka.streams.KafkaStreams.State.REBALANCING;
import static org.apache.kafka.streams.KafkaStreams.State.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The readiness decision, stepped through Streams' state changes on a clock the test moves. */
class StreamsReadinessTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final StreamsReadiness readiness = new StreamsReadiness(clock, Duration.ofMinutes(2));

    @Test
    void aFirstStartIsNotReadyUntilStreamsRuns() {
        assertThat(readiness.get()).isEqualTo(Readiness.notReady("not ready: starting"));
        readiness.onChange(REBALANCING, CREATED);
        clock.advance(Duration.ofSeconds(3));
        // Restoring state on a first start: nothing to serve yet, however short the rebalance so far.
        assertThat(readiness.get()).isEqualTo(
                Readiness.notReady("not ready: starting (joining the group and restoring state for 3s)"));
        clock.advance(Duration.ofMinutes(10));
        assertThat(readiness.get().ready()).isFalse();
        readiness.onChange(RUNNING, REBALANCING);
        assertThat(readiness.get()).isEqualTo(Readiness.ready("ready"));
    }

    @Test
    void aShortRebalanceStaysReadyAndALongOneDoesNot() {
        readiness.onChange(REBALANCING, CREATED);
        readiness.onChange(RUNNING, REBALANCING);
        clock.advance(Duration.ofHours(1));

        readiness.onChange(REBALANCING, RUNNING);
        clock.advance(Duration.ofSeconds(119));
        assertThat(readiness.get()).isEqualTo(Readiness.ready("ready (rebalancing for 1m59s; not ready after 2m)"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(readiness.get().ready()).as("at the limit, still ready").isTrue();
        clock.advance(Duration.ofMillis(1500));
        assertThat(readiness.get()).isEqualTo(Readiness.notReady(
                "not ready: rebalancing for 2m1s, longer than http.readyz_max_rebalance (2m)"));

        readiness.onChange(RUNNING, REBALANCING);
        assertThat(readiness.get()).isEqualTo(Readiness.ready("ready"));
        // The next rebalance is timed from its own start.
        readiness.onChange(REBALANCING, RUNNING);
        clock.advance(Duration.ofSeconds(30));
        assertThat(readiness.get().ready()).isTrue();
    }

    @Test
    void stoppingAndFailedAreNotReady() {
        readiness.onChange(REBALANCING, CREATED);
        readiness.onChange(RUNNING, REBALANCING);
        readiness.onChange(PENDING_SHUTDOWN, RUNNING);
        assertThat(readiness.get()).isEqualTo(Readiness.notReady("not ready: stopping"));
        readiness.onChange(NOT_RUNNING, PENDING_SHUTDOWN);
        assertThat(readiness.get()).isEqualTo(Readiness.notReady("not ready: stopping"));

        final StreamsReadiness failed = new StreamsReadiness(clock, Duration.ofMinutes(2));
        failed.onChange(REBALANCING, CREATED);
        failed.onChange(RUNNING, REBALANCING);
        failed.onChange(PENDING_ERROR, RUNNING);
        assertThat(failed.get().ready()).isFalse();
        failed.onChange(ERROR, PENDING_ERROR);
        assertThat(failed.get()).isEqualTo(Readiness.notReady("not ready: Kafka Streams failed (state ERROR); see the log"));
    }
}
