package io.vigil.app;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Kafka every few seconds how many partitions the input topics have, and reports the first change from the
 * counts the engine's topology was built for.
 *
 * <p>Why the engine cannot go on: each evaluator waits for the watermarks of every input partition it was built
 * for, and Kafka Streams reads a new partition only after its next metadata refresh and rebalance, which then fails
 * ("Existing internal topic ... has invalid partitions"): the repartition topics keep the old count. Meanwhile the
 * points producers send to the new partitions are read by no one, so their series look silent: absence alerts page
 * for live nodes, and threshold alerts resolve for want of data (about a minute of false pages in the audit that found
 * it). Asking every {@link #EVERY} stops the engine seconds after the change, well before an absence rule's window
 * could pass.
 *
 * <p>It also says, at INFO, which of them this instance reads whenever that changes ({@link InputShare}).
 */
final class InputPartitionWatch implements AutoCloseable {

    /** How often Kafka is asked: one metadata request, a few hundred bytes. */
    static final Duration EVERY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(InputPartitionWatch.class);

    private final Admin admin;
    private final Map<String, Integer> builtFor;
    private final String applicationId;
    private final Supplier<Optional<Set<TopicPartition>>> readHere;
    private final InputShare share;
    private final CompletableFuture<String> changed = new CompletableFuture<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread thread = new Thread(r, "vigil-input-partitions");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param admin         closed with the watch
     * @param builtFor      partitions per input topic, as the topology was built
     * @param applicationId named in the message
     * @param readHere      the partitions this instance's active tasks read; empty while they are being moved (a
     *                      rebalance)
     */
    InputPartitionWatch(final Admin admin, final Map<String, Integer> builtFor, final String applicationId,
                        final Supplier<Optional<Set<TopicPartition>>> readHere) {
        this.admin = admin;
        this.builtFor = Map.copyOf(builtFor);
        this.applicationId = applicationId;
        this.readHere = readHere;
        this.share = new InputShare(builtFor, applicationId);
    }

    /** Asks every {@code every}, the first time after one {@code every}. */
    InputPartitionWatch start(final Duration every) {
        timer.scheduleWithFixedDelay(this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Completed, once, with the ERROR logged when the input partitions changed (the engine must stop); never completed
     * while they stay. Its dependent actions run on the watch's thread: they should only signal.
     */
    CompletableFuture<String> changed() {
        return changed;
    }

    private void check() {
        if (changed.isDone()) {
            return;
        }
        try {
            readHere.get().flatMap(share::seen).ifPresent(LOG::info);
        } catch (RuntimeException e) {
            // Kafka Streams closing under it: the line can wait, the partition count's check must not stop (a task
            // that throws is never run again by its executor).
            LOG.debug("could not tell which input partitions this instance reads: {}", e.toString());
        }
        final Map<String, Integer> now = new HashMap<>();
        try {
            admin.describeTopics(builtFor.keySet()).allTopicNames().get(EVERY.toMillis() * 2, TimeUnit.MILLISECONDS)
                    .forEach((name, d) -> now.put(name, d.partitions().size()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            // Kafka out of reach, or a topic deleted: Kafka Streams and its own errors tell of those; asked again soon.
            LOG.debug("could not ask for the input topics' partitions: {}", e.toString());
            return;
        }
        difference(builtFor, now, applicationId).ifPresent(message -> {
            LOG.error(message);
            changed.complete(message);
        });
    }

    /**
     * What changed from {@code builtFor} to {@code now}, as the ERROR says it; empty if no topic of both changed its
     * count.
     */
    static Optional<String> difference(final Map<String, Integer> builtFor, final Map<String, Integer> now,
                                       final String applicationId) {
        final Map<String, String> changes = new TreeMap<>();
        builtFor.forEach((topic, before) -> {
            final Integer after = now.get(topic);
            if (after != null && !after.equals(before)) {
                changes.put(topic, before + " to " + after);
            }
        });
        if (changes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the partitions of input topic" + (changes.size() == 1 ? " " : "s ")
                + String.join(", ", changes.entrySet().stream().map(e -> e.getKey() + " went from " + e.getValue())
                        .toList())
                + " while application " + applicationId + " ran: the engine was built for the old count and does not"
                + " read the new partitions, so their series would look silent and page as absent. Stopping it (exit"
                + " 1). A topic's partitions cannot be taken back in Kafka: " + TopicSetup.WAY_OUT);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(EVERY.toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
