package io.vigil.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * When a Kafka Streams application has processed everything: its consumer group's committed offsets have reached the
 * end offsets of the input topic and of its own repartition topics. Under exactly-once an offset is committed in the
 * same transaction as everything the records caused, so a committed offset means the work is done and visible, not
 * merely read.
 *
 * <p>Not all of an engine's work is caused by a record, though: through a backlog evaluation puts instants off, and a
 * task whose input ended while another task was still behind runs them later, from a punctuation, after every one of
 * its offsets is committed (partitioned by series, the peer stage's input grew by a third after the bench had said
 * done, and the alerts of a run were once all still to come). So for an engine the wait also asks it whether a task
 * still holds such instants, and asks the broker whether a transaction is still open on any topic it writes.
 */
public final class CommittedProgress {

    /**
     * Each check lists topics, end offsets and the group's offsets: at every 50 ms that was 3 % of the process's CPU
     * samples during a catch-up (plus the broker's share), taken from the engine it measures; 200 ms costs a quarter
     * of that.
     */
    private static final Duration CHECK_EVERY = Duration.ofMillis(200);
    /**
     * Once the input's end is committed, what is left is the last commits of the later stages, a fraction of a
     * second: checked this often, so that up to 0.2 s of waiting for the next check is not counted as the engine's.
     */
    private static final Duration CHECK_EVERY_AT_THE_END = Duration.ofMillis(10);

    private CommittedProgress() {
    }

    /**
     * Waits until the application {@code applicationId}, all of whose work follows a record (Kafka Streams on its
     * own), has committed the end of {@code inputTopic} and of its repartition topics.
     *
     * @see #awaitCaughtUp(Admin, String, String, Set, Duration, Supplier, IntSupplier)
     */
    public static long awaitCaughtUp(final Admin admin, final String applicationId, final String inputTopic,
                                     final Duration timeout, final Supplier<KafkaStreams.State> state)
            throws InterruptedException {
        return awaitCaughtUp(admin, applicationId, inputTopic, Set.of(), timeout, state, () -> 0);
    }

    /**
     * Waits until the application {@code applicationId} has committed the end of {@code inputTopic} and of its
     * repartition topics (whose end is only known once the input is done, so both are checked together), holds no
     * work put off ({@code workHeld} is 0), and has no transaction open on {@code outputTopics} or its own internal
     * topics (repartitions, changelogs): then everything the engine makes of the input is readable.
     *
     * @param outputTopics the topics it writes besides its internal ones, named after {@code applicationId}: its
     *                     alerts, its dead letters
     * @param workHeld     how many of its tasks hold work put off that no record will cause, and which is not
     *                     committed yet ({@code VigilEngine.tasksHoldingDeferredInstants}); read before the offsets,
     *                     so that work it counted until a commit is seen in them
     * @param state        the application's Kafka Streams state: one that has failed or stopped never catches up, and
     *                     a bench waiting out the timeout for it looked hung
     * @return the wall clock (System.nanoTime) when it was first seen done
     */
    public static long awaitCaughtUp(final Admin admin, final String applicationId, final String inputTopic,
                                     final Set<String> outputTopics, final Duration timeout,
                                     final Supplier<KafkaStreams.State> state, final IntSupplier workHeld)
            throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                final long checkedAt = System.nanoTime();
                final Done done = done(admin, applicationId, inputTopic, outputTopics, workHeld);
                if (done == Done.ALL) {
                    return checkedAt;
                }
                final KafkaStreams.State now = state.get();
                if (now.hasStartedOrFinishedShuttingDown()) {
                    throw new IllegalStateException(applicationId + " stopped (Kafka Streams state " + now
                            + ") before it had processed " + inputTopic + ": its log above says why");
                }
                if (checkedAt > deadline) {
                    throw new IllegalStateException(applicationId + " had not processed " + inputTopic + " within "
                            + timeout.toSeconds() + "s");
                }
                TimeUnit.MILLISECONDS.sleep((done == Done.INPUT ? CHECK_EVERY_AT_THE_END : CHECK_EVERY).toMillis());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of " + applicationId + ": " + e.getMessage(), e);
        }
    }

    /** How much of its work an application has committed. */
    private enum Done { NOT_INPUT, INPUT, ALL }

    private static Done done(final Admin admin, final String applicationId, final String inputTopic,
                             final Set<String> outputTopics, final IntSupplier workHeld)
            throws ExecutionException, InterruptedException, TimeoutException {
        // First: work a task held until a commit is in the offsets read after it.
        final int held = workHeld.getAsInt();
        final Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.equals(inputTopic) || t.startsWith(applicationId + "-") || outputTopics.contains(t))
                .collect(Collectors.toSet());
        final Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p ->
                latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        // The committed offsets first, the ends after: read the other way, a transaction committing between the two
        // reads moves both on, and the committed offset then reaches an end already passed (a stale end looked done).
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Done done = Done.ALL;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
            final String topic = e.getKey().topic();
            if (!topic.equals(inputTopic) && !topic.endsWith("-repartition")) {
                continue; // written, not read
            }
            final OffsetAndMetadata c = committed.get(e.getKey());
            if ((c == null ? 0 : c.offset()) < e.getValue().offset()) {
                if (topic.equals(inputTopic)) {
                    return Done.NOT_INPUT;
                }
                done = Done.INPUT;
            }
        }
        if (done == Done.ALL && (held > 0 || transactionOpen(admin, latest, ends, inputTopic))) {
            return Done.INPUT;
        }
        return done;
    }

    /**
     * Whether a transaction that was open when {@code ends} were read is open still, on any topic of {@code latest}
     * but the input: its last stable offset (where a read_committed consumer stops) is short of that end.
     */
    private static boolean transactionOpen(final Admin admin, final Map<TopicPartition, OffsetSpec> latest,
                                           final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends,
                                           final String inputTopic)
            throws ExecutionException, InterruptedException, TimeoutException {
        final Map<TopicPartition, OffsetSpec> written = new HashMap<>(latest);
        written.keySet().removeIf(tp -> tp.topic().equals(inputTopic));
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(written,
                new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : stable.entrySet()) {
            if (e.getValue().offset() < ends.get(e.getKey()).offset()) {
                return true;
            }
        }
        return false;
    }
}
