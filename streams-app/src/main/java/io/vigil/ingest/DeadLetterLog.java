package io.vigil.ingest;

import io.vigil.model.LogPacing;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log that input is being dead-lettered: the first record of each reason, then at most one line per reason
 * every {@link #EVERY_MS}. The dead-letter topic and {@code vigil_ingest_rejected_total} hold every one, but nobody
 * watches them on the day a producer's change starts sending what Vigil refuses, and the series it sent then fall
 * silent with nothing in the log to say why (found upgrading over records with a label given twice, which a later
 * version refuses). Shared by the tasks of one engine, so the bound is per engine, not per partition.
 */
public final class DeadLetterLog {

    static final long EVERY_MS = LogPacing.TEN_MINUTES_MS;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterLog.class);

    private final String deadLetterTopic;
    private final LongSupplier wallClockMs;
    private final LogPacing<DeadLetterReason> pacing = new LogPacing<>(EVERY_MS);

    /** @param wallClockMs the wall clock, epoch milliseconds */
    public DeadLetterLog(final String deadLetterTopic, final LongSupplier wallClockMs) {
        this.deadLetterTopic = deadLetterTopic;
        this.wallClockMs = wallClockMs;
    }

    /** Logs {@code letter} when one of its reasons has not been logged for {@link #EVERY_MS}; one line at most. */
    public void written(final DeadLetter letter) {
        final long now = wallClockMs.getAsLong();
        for (final DeadLetterReason reason : letter.reasons()) {
            if (pacing.due(reason, now)) {
                LOG.warn("input written to {}: {} (the record of {}, as its vigil.source.* headers say); more {} are"
                        + " counted in vigil_ingest_rejected_total{reason=\"{}\"} and logged at most every 10 minutes",
                        deadLetterTopic, letter.reason(), letter.from(), reason.tag(), reason.tag());
                return;
            }
        }
    }
}
