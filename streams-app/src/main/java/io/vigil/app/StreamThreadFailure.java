package io.vigil.app;

import io.vigil.evaluation.StatePlacementChanged;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine does when a stream thread dies of an exception Kafka Streams does not handle itself: it shuts this
 * client down ({@code SHUTDOWN_CLIENT}), logs the cause once, and reports the failure so that {@code vigil run} stops
 * and exits 1.
 *
 * <p>Why not the alternatives. Streams already retries what is transient (a broker away, a rebalance, a fenced
 * producer); what reaches this handler is an error it cannot recover from, often a bug that the same record raises
 * again. {@code REPLACE_THREAD} would then redo the same transaction from the last commit and fail again, in a loop
 * invisible from outside: the process alive, {@code /healthz} ok, no alert evaluated. Leaving the client shut down
 * while the process lives on (Streams' behaviour without a handler) is the same zombie without the loop.
 * {@code SHUTDOWN_APPLICATION} would stop every instance for what may be one machine's trouble (its disk, its
 * memory). Exiting non-zero hands the decision to the supervisor (systemd {@code Restart=on-failure}, Kubernetes),
 * which restarts with back-off and counts restarts where the operator already looks; a restart resumes from the last
 * committed transaction, so nothing is lost or written twice.
 */
final class StreamThreadFailure implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailure.class);

    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();

    @Override
    public synchronized StreamThreadExceptionResponse handle(final Throwable exception) {
        final StatePlacementChanged placement = placementChange(exception);
        if (placement != null && !failure.isDone()) {
            // The user's configuration against the stored state: the message says what to do; a stack trace would not.
            LOG.error("cannot start evaluating: {}", placement.getMessage());
            failure.complete(exception);
        } else if (inputPartitionsChanged(exception) && !failure.isDone()) {
            // Kafka Streams found at a rebalance what InputPartitionWatch normally finds first (it may not have, if it
            // could not reach Kafka): a restart would fail the same way, so "resumes from the last commit" would mislead.
            LOG.error("Kafka Streams stopped: {} The input topics' partitions changed since the application's internal"
                    + " topics were made for them, and Kafka cannot take partitions back: {}; shutting the engine"
                    + " down, vigil run exits with status 1", internalTopicMessage(exception), TopicSetup.WAY_OUT);
            failure.complete(exception);
        } else if (!failure.isDone()) {
            LOG.error("Kafka Streams stream thread {} failed; shutting the engine down: vigil run exits with status 1"
                    + " so that its supervisor restarts it, and a restart resumes from the last committed transaction",
                    Thread.currentThread().getName(), exception);
            failure.complete(exception);
        } else {
            // Another thread of the same client, while it shuts down: the cause is logged already.
            LOG.warn("Kafka Streams stream thread {} failed too: {}", Thread.currentThread().getName(),
                    exception.toString());
        }
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /**
     * Whether {@code exception} is Kafka Streams refusing an internal topic whose partition count no longer fits the
     * input topics ({@code InternalTopicManager}: "Existing internal topic ... has invalid partitions: expected: 8;
     * actual: 4"), which is what adding input partitions to a running application leads to.
     */
    static boolean inputPartitionsChanged(final Throwable exception) {
        return internalTopicMessage(exception) != null;
    }

    private static String internalTopicMessage(final Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            final String message = t.getMessage();
            if (message != null && message.contains("Existing internal topic")
                    && message.contains("has invalid partitions")) {
                // Without Kafka's advice to run StreamsResetter "before processing": the way out is said after it.
                final int advice = message.indexOf(" Use '");
                return advice < 0 ? message : message.substring(0, advice);
            }
        }
        return null;
    }

    private static StatePlacementChanged placementChange(final Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof StatePlacementChanged changed) {
                return changed;
            }
        }
        return null;
    }

    /**
     * Completed with the first exception a stream thread died of; never completed while all is well. Its dependent
     * actions run on the dying stream thread: they should only signal (a latch), never close the engine there.
     */
    CompletableFuture<Throwable> failure() {
        return failure;
    }
}
