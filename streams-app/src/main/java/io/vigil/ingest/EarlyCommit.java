package io.vigil.ingest;

import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks Kafka Streams to commit now, rather than at the end of the commit interval, when a stage has just produced
 * what the next stage is waiting for on live data: a watermark that makes an evaluation instant due, an alert, the
 * progress that lets peer groups be judged.
 *
 * <p>Under exactly-once nothing downstream reads a record before its transaction commits, so each hop of the alert
 * path (ingest to evaluation, evaluation to the alerts topic) waits for a commit: up to {@code commit.interval.ms}
 * (100 ms) each, most of what an alert takes beyond the evaluation's grace. These records are few (a watermark per
 * source and evaluation step, a progress report per pass), so committing at once costs a few commits a second.
 * Only on live data: catching up on a backlog crosses evaluation steps many times a second, and committing at each
 * would trade throughput for a latency nobody waits on.
 */
public final class EarlyCommit {

    /** Event time within this of the wall clock is live data. */
    static final long LIVE_WITHIN_MS = 5_000;

    private EarlyCommit() {
    }

    /** Requests a commit if {@code eventTimeMs} is live by the task's wall clock. */
    public static void ifLive(final ProcessorContext<?, ?> context, final long eventTimeMs) {
        if (eventTimeMs != Long.MIN_VALUE && context.currentSystemTimeMs() - eventTimeMs <= LIVE_WITHIN_MS) {
            context.commit();
        }
    }
}
