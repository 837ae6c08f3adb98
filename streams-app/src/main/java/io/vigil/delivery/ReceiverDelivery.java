package io.vigil.delivery;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.model.LogPacing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Delivers the alert events of the alerts topic to one webhook receiver, at least once, in order per fingerprint.
 *
 * <p>It reads the topic with a consumer group of its own (read_committed: only events the engine committed), and
 * commits an offset only once the event before it was delivered (2xx) or given up on for good (to the dead-letter
 * topic): a crash or restart resumes where delivery stood, and loses nothing. Each receiver has its own threads and
 * group, so one slow or dead receiver holds up no other. Up to {@link WebhookReceiver#maxInFlight()} events are sent
 * at once, those of one alert one after the other ({@link KeyedInFlight}), and an offset is committed once every event
 * before it is done ({@link DeliveredOffsets}). Retries back off exponentially with jitter, as the receiver's
 * {@link WebhookReceiver#retry()} says, and honour Retry-After; they go on for as long as the receiver fails, since
 * dropping a page is worse than paging late.
 */
final class ReceiverDelivery implements Restarting.Worker {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverDelivery.class);

    private final WebhookReceiver receiver;
    private final Map<String, Object> kafka;
    private final String alertsTopic;
    private final String deadLetterTopic;
    private final String externalUrl;
    private final WebhookSender sender;
    private final RetryPolicy retry;
    private final DeliveryMetrics metrics;
    /** Events written to the alerts topic before this are history to a receiver that has never delivered. */
    private final Instant deliveredSince;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Where retries wait for their time; a single thread, which only hands each due retry back to a sending thread. */
    private final ScheduledExecutorService retries;
    /** The retries waiting for their time, so that stopping or pausing can end their waits at once. */
    private final Set<RetryDue> waiting = ConcurrentHashMap.newKeySet();
    /** Set while partitions are given up in a rebalance ({@link #settle}): no attempt starts meanwhile. */
    private volatile boolean paused;
    /** Failed attempts' log lines by level, on a monotonic clock (milliseconds of {@code System.nanoTime}). */
    private final LogPacing<Level> failureLog = new LogPacing<>(FAILURE_LOG_EVERY_MS);
    /**
     * Events read and not done at most: an alert retried for long holds the committed offset back, and the events
     * after it that are done are sent again after a crash; this bounds those, and memory.
     */
    private static final int QUEUED = 1_000;
    /** How long reading a partition's history may make no progress before the delivery fails and starts again. */
    private static final Duration HISTORY_READ_TIMEOUT = Duration.ofSeconds(60);
    /** From this failed attempt of an event on, its retries are logged at WARN rather than INFO. */
    static final int WARN_FROM_ATTEMPT = 5;
    /**
     * The most often a failed attempt is logged per receiver (the others at debug): a receiver down in an alert storm
     * logged a line per alert and retry, a hundred alerts a hundred lines a minute (first-hour audit).
     */
    static final long FAILURE_LOG_EVERY_MS = 10_000;

    ReceiverDelivery(final WebhookReceiver receiver, final Map<String, Object> kafka, final String alertsTopic,
                     final String deadLetterTopic, final String externalUrl, final WebhookSender sender,
                     final DeliveryMetrics metrics, final Instant deliveredSince) {
        this.receiver = receiver;
        this.kafka = Map.copyOf(kafka);
        this.alertsTopic = alertsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.externalUrl = externalUrl;
        this.sender = sender;
        this.retry = receiver.retry();
        this.metrics = metrics;
        this.deliveredSince = deliveredSince;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "vigil-retries-" + receiver.name());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void stop() {
        running.set(false);
        endRetryWaits();
    }

    @Override
    public void run() {
        final Properties consumerProps = new Properties();
        consumerProps.putAll(kafka);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "vigil-delivery-" + receiver.name());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        // A receiver may be down for a long time; retrying must not cost this consumer its group membership.
        consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.MAX_VALUE);
        // After a crash, the restarted delivery waits out the dead member's session before it may go on: keep it short.
        consumerProps.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        final Properties producerProps = new Properties();
        producerProps.putAll(kafka);
        producerProps.put("enable.idempotence", true);
        final DeliveredOffsets offsets = new DeliveredOffsets();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> deadLetters = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer());
             KeyedInFlight inFlight = new KeyedInFlight(receiver.maxInFlight(), QUEUED, "vigil-delivery-" + receiver.name())) {
            consumer.subscribe(List.of(alertsTopic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> revoked) {
                    settle(consumer, inFlight, offsets, revoked, true);
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> assigned) {
                    // Read from their committed offsets, as Kafka does; the events done past those are not sent again.
                    if (assigned.isEmpty()) {
                        return;
                    }
                    Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
                    try {
                        committed = consumer.committed(new HashSet<>(assigned));
                    } catch (org.apache.kafka.common.KafkaException e) {
                        // Only costs duplicates: every event from the committed offset is sent.
                        LOG.info("receiver {}: what was done past the committed offsets is not known ({})",
                                receiver.name(), e.toString());
                    }
                    for (TopicPartition tp : assigned) {
                        offsets.resumeFrom(tp, committed.get(tp));
                    }
                    skipHistory(consumer, offsets, assigned, committed);
                }

                @Override
                public void onPartitionsLost(final Collection<TopicPartition> lost) {
                    settle(consumer, inFlight, offsets, lost, false);
                }
            });
            try {
                deliverUntilStopped(consumer, deadLetters, inFlight, offsets,
                        Duration.ofMillis(Long.parseLong(String.valueOf(consumerProps.get(
                                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)))));
            } catch (RuntimeException e) {
                running.set(false); // before the resources close: no attempt starts again, no settling waits
                throw e;
            }
            // Stopping: the attempts in flight end (none starts again); what was delivered is committed.
            inFlight.awaitIdle(receiver.timeout().toMillis() + 5_000);
            commit(consumer, offsets);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("delivery to receiver {} failed: {}", receiver.name(), e.toString());
        } finally {
            retries.shutdownNow();
            endRetryWaits(); // the sending threads are gone: the waits end, and nothing is left behind
        }
    }

    /**
     * Of the partitions this receiver has never delivered from (no commit: a receiver new to the deployment, renamed,
     * or whose group's offsets expired while Vigil was stopped), and those whose commit is still within their history,
     * the history is skipped: the alerts firing now are sent, not every event before them ({@link AlertHistory}).
     */
    private void skipHistory(final KafkaConsumer<byte[], byte[]> consumer, final DeliveredOffsets offsets,
                             final Collection<TopicPartition> assigned,
                             final Map<TopicPartition, OffsetAndMetadata> committed) {
        final Map<TopicPartition, Long> ends = new HashMap<>();
        final List<TopicPartition> fresh = assigned.stream().filter(tp -> committed.get(tp) == null).toList();
        if (!fresh.isEmpty()) {
            ends.putAll(consumer.endOffsets(fresh)); // read_committed: the last stable offsets
        }
        for (TopicPartition tp : assigned) {
            final long until = DeliveredOffsets.historyUntil(committed.get(tp));
            if (until >= 0) {
                ends.put(tp, until);
            }
        }
        long events = 0;
        int firing = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (end.getValue() <= 0) {
                continue;
            }
            final AlertHistory history = AlertHistory.read(kafka, end.getKey(), end.getValue(), deliveredSince,
                    HISTORY_READ_TIMEOUT, running::get);
            offsets.skip(end.getKey(), history);
            events += history.events();
            firing += history.firing().size();
        }
        if (events > 0) {
            LOG.info("receiver {} has not delivered from partitions {} before (a receiver new to this deployment, or"
                    + " one whose consumer group's offsets expired): it gets the {} alert(s) firing now, not the {}"
                    + " event(s) written before it started", receiver.name(), ends.keySet(), firing, events);
        }
    }

    /**
     * Reads the alerts topic and hands each event to {@code inFlight} until delivery stops.
     *
     * <p>A poll that returns after a pause of half the group's session or more (a stop-the-world pause, a frozen VM or
     * container, a receiver slow enough to hold the loop) may hand over events of partitions the group has since given
     * to another instance: the consumer learns it was left out only at a later call. Those events, sent now, would
     * reach the receiver after the other instance sent what followed them (an audit saw a resolved alert's stale
     * "firing" sent last, 3 times in 3 pauses). So after such a pause nothing is sent until a commit has confirmed
     * that this instance still belongs to the group; if it does not, the events are read again from where they
     * stood, by whichever instance owns them after the rebalance. A commit that fails while events wait to be handed
     * over stops the handing over the same way.
     *
     * @param session the delivery consumer's session timeout ({@code session.timeout.ms})
     */
    private void deliverUntilStopped(final KafkaConsumer<byte[], byte[]> consumer,
                                     final KafkaProducer<byte[], byte[]> deadLetters, final KeyedInFlight inFlight,
                                     final DeliveredOffsets offsets, final Duration session)
            throws InterruptedException {
        final long pauseNanos = session.toNanos() / 2;
        long lastPoll = System.nanoTime();
        // Set by a pause or a refused commit until the group confirms this member. Kept over polls, as the first polls
        // after a pause may return nothing and a later one what the group gave to another member meanwhile.
        boolean unconfirmed = false;
        long longestPause = 0;
        polling:
        while (running.get()) {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
            final long polled = System.nanoTime();
            if (polled - lastPoll >= pauseNanos) {
                unconfirmed = true;
                longestPause = Math.max(longestPause, polled - lastPoll);
            }
            lastPoll = polled;
            if (unconfirmed && !records.isEmpty()) {
                if (!stillInGroup(consumer, Duration.ofNanos(longestPause))) {
                    readAgain(consumer, records, Set.of());
                    continue;
                }
                unconfirmed = false;
                longestPause = 0;
            }
            int left = records.count();
            final Set<ConsumerRecord<byte[], byte[]>> handedOver = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                offsets.started(tp, record.offset());
                if (offsets.doneBefore(tp, record.offset())) {
                    offsets.done(tp, record.offset()); // delivered before a restart or a move, after the commit
                    handedOver.add(record);
                    left--;
                    continue;
                }
                final Supplier<CompletableFuture<Void>> delivery = () -> deliver(record, deadLetters, inFlight)
                        .thenAccept(delivered -> {
                            if (delivered) {
                                offsets.done(tp, record.offset());
                            }
                        });
                boolean queued = false;
                while (!queued) {
                    queued = inFlight.submitAsync(orderKey(record), delivery, 100);
                    // As many events waiting as it takes (a slow or failing receiver): progress is committed meanwhile.
                    if (!queued && !running.get()) {
                        return; // the offset stays before this event: it is delivered after a restart
                    }
                    if (!queued && !commit(consumer, offsets)) {
                        break;
                    }
                    inFlight.rethrowFailure();
                }
                if (!queued) {
                    readAgain(consumer, records, handedOver);
                    continue polling;
                }
                handedOver.add(record);
                metrics.backlog(receiver.name(), offsets.notDone() + --left);
            }
            unconfirmed |= !commit(consumer, offsets);
            inFlight.rethrowFailure();
            metrics.backlog(receiver.name(), offsets.notDone());
            metrics.partitions(receiver.name(), consumer.assignment().size());
        }
    }

    /**
     * Whether a failed attempt logged at {@code level} is logged now: not within {@link #FAILURE_LOG_EVERY_MS} of
     * the last one at that level, so that an event's escalation to WARN is not held back by other events' INFO lines.
     */
    private boolean failureLogDue(final Level level) {
        return failureLog.due(level, TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
    }

    /** {@code NodeCpuSaturated firing (alert 821f9574a26f2232)}: which event of which alert a log line is about. */
    private static String described(final AlertEvent event) {
        return event.labels().get("alertname") + " " + event.status().jsonName() + " (alert " + event.fingerprint() + ")";
    }

    /**
     * An alert's events go one after the other: they share the record key (the fingerprint) and so a partition too;
     * events without a key (not the engine's) one after the other per partition.
     */
    private static String orderKey(final ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? "partition " + record.partition()
                : new String(record.key(), StandardCharsets.ISO_8859_1);
    }

    /**
     * Commits what was delivered. False when the group refused the commit as from a member it no longer has: the
     * partitions may be another instance's by now.
     */
    private boolean commit(final KafkaConsumer<byte[], byte[]> consumer, final DeliveredOffsets offsets) {
        final Map<TopicPartition, OffsetAndMetadata> done = offsets.toCommit();
        if (done.isEmpty()) {
            return true;
        }
        try {
            consumer.commitSync(done);
            offsets.committed(done);
            return true;
        } catch (CommitFailedException e) {
            LOG.info("receiver {}: offsets not committed, as the group no longer counts this instance in ({});"
                    + " nothing more is sent until it is back in", receiver.name(), e.toString());
            return false;
        } catch (RebalanceInProgressException | RetriableException e) {
            // Tried again at the next commit; if the partitions moved meanwhile, their new owner sends these again.
            LOG.info("receiver {}: offsets not committed this time ({})", receiver.name(), e.toString());
            return true;
        }
    }

    /**
     * Whether the group still counts this instance in, asked after {@code pause} without a poll (0: after a refused
     * commit): its commits are committed again, which the group refuses from a member it has left out. True when there is no commit to ask
     * with (a receiver's first events).
     */
    private boolean stillInGroup(final KafkaConsumer<byte[], byte[]> consumer, final Duration pause) {
        try {
            final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            consumer.committed(consumer.assignment()).forEach((tp, offset) -> {
                if (offset != null) {
                    committed.put(tp, offset);
                }
            });
            if (!committed.isEmpty()) {
                consumer.commitSync(committed);
            }
            return true;
        } catch (org.apache.kafka.common.KafkaException e) {
            LOG.info("receiver {}: the group did not confirm this instance is still in it (after {} ms without a poll,"
                    + " or a refused commit: {}): the events just read are not sent, but read again by whichever"
                    + " instance holds them after the rebalance", receiver.name(), pause.toMillis(), e.toString());
            return false;
        }
    }

    /** Each partition of {@code records} is read again from its first event not in {@code handedOver}. */
    private static void readAgain(final KafkaConsumer<byte[], byte[]> consumer,
                                  final ConsumerRecords<byte[], byte[]> records,
                                  final Set<ConsumerRecord<byte[], byte[]>> handedOver) {
        final Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition tp : records.partitions()) {
            if (assigned.contains(tp)) {
                records.records(tp).stream().filter(r -> !handedOver.contains(r)).findFirst()
                        .ifPresent(r -> consumer.seek(tp, r.offset()));
            }
        }
    }

    /**
     * Before partitions go to another member of the group (another instance of Vigil): the attempts in flight end,
     * what was delivered is committed, and the partitions kept are read again from their first event not done, so the
     * member that takes a partition over starts where this one stood, with no event of an alert still in flight here.
     */
    private void settle(final KafkaConsumer<byte[], byte[]> consumer, final KeyedInFlight inFlight,
                        final DeliveredOffsets offsets, final Collection<TopicPartition> going, final boolean owned) {
        if (going.isEmpty() || !running.get()) {
            return; // stopping: the attempts in flight have ended and what was done is committed (see run)
        }
        paused = true;
        endRetryWaits();
        try {
            // Said as what Kafka told, not as a move to another instance: a lone instance out of touch with the broker
            // for its session timeout gets the same calls, and was told its partitions "go to another instance".
            if (owned) {
                LOG.info("receiver {}: partitions {} revoked in a rebalance (another instance may take them, or this"
                        + " one again); {} events read and not done are read again", receiver.name(), going,
                        offsets.notDone());
            } else {
                LOG.info("receiver {}: partitions {} lost: the group went on without this instance (out of touch"
                        + " with the broker for longer than the session timeout); {} events read and not done are"
                        + " read again", receiver.name(), going, offsets.notDone());
            }
            if (!inFlight.awaitIdle(receiver.timeout().toMillis() + 5_000)) {
                LOG.warn("receiver {}: requests still in flight while partitions {} are given up", receiver.name(),
                        going);
            }
            if (owned) {
                commit(consumer, offsets);
            } // else lost: the group moved on without this member, whose commits would be refused
            for (TopicPartition tp : consumer.assignment()) {
                final long from = going.contains(tp) ? -1 : offsets.restart(tp);
                if (from >= 0) {
                    consumer.seek(tp, from);
                }
            }
            offsets.forget(going);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            paused = false;
        }
    }

    /** Whether an event's delivery goes on: false once stopping, or while partitions are given up in a rebalance. */
    private boolean goOn() {
        return running.get() && !paused;
    }

    /**
     * Delivers one event, retrying as long as it takes: the stage completes with false only when stopping or pausing.
     * Runs on a sending thread up to its first attempt; a retry's wait holds no thread (see {@link EventDelivery}).
     */
    private CompletableFuture<Boolean> deliver(final ConsumerRecord<byte[], byte[]> record,
                                               final KafkaProducer<byte[], byte[]> deadLetters,
                                               final KeyedInFlight inFlight) {
        if (!goOn()) {
            return CompletableFuture.completedFuture(false);
        }
        final AlertEvent event;
        try {
            event = AlertEventJson.read(record.value());
        } catch (IllegalArgumentException e) {
            deadLetter(record, deadLetters, "not an alert event: " + e.getMessage());
            return CompletableFuture.completedFuture(true);
        }
        if (!wanted(event)) {
            return CompletableFuture.completedFuture(true);
        }
        final EventDelivery delivery = new EventDelivery(record, event, deadLetters, inFlight);
        delivery.attemptNow();
        return delivery.done;
    }

    /**
     * The attempts at one event. Between attempts it waits on {@link #retries}, not on a sending thread: a few alerts
     * the receiver keeps failing would otherwise take every one of the {@code max_in_flight} threads with their
     * backoff, and every other alert of the receiver would wait behind them. Its alert's later events still wait for
     * it, since {@link KeyedInFlight} starts them only once {@link #done} completes.
     */
    private final class EventDelivery {
        private final ConsumerRecord<byte[], byte[]> record;
        private final AlertEvent event;
        private final KafkaProducer<byte[], byte[]> deadLetters;
        private final KeyedInFlight inFlight;
        private final byte[] body;
        private final String key;
        private final CompletableFuture<Boolean> done = new CompletableFuture<>();
        private int attempt = 1;

        EventDelivery(final ConsumerRecord<byte[], byte[]> record, final AlertEvent event,
                      final KafkaProducer<byte[], byte[]> deadLetters, final KeyedInFlight inFlight) {
            this.record = record;
            this.event = event;
            this.deadLetters = deadLetters;
            this.inFlight = inFlight;
            this.body = WebhookPayload.of(receiver.name(), event, externalUrl);
            this.key = WebhookPayload.idempotencyKey(event);
        }

        /** One attempt, on the calling (sending) thread; schedules the next one if it failed. */
        void attemptNow() {
            try {
                if (!goOn()) {
                    done.complete(false);
                    return;
                }
                final long started = System.nanoTime();
                final WebhookSender.Attempt outcome = attempt(body, key);
                if (outcome instanceof WebhookSender.Delivered) {
                    metrics.attempt(receiver.name(), "delivered", System.nanoTime() - started);
                    metrics.delivered(receiver.name());
                    done.complete(true);
                    return;
                }
                if (outcome instanceof WebhookSender.Permanent p) {
                    metrics.attempt(receiver.name(), "refused", System.nanoTime() - started);
                    metrics.failed(receiver.name(), p.reason());
                    LOG.warn("receiver {} refused {} ({}): sent to {}", receiver.name(), described(event), p.reason(),
                            deadLetterTopic);
                    deadLetter(record, deadLetters, "receiver " + receiver.name() + " refused it: " + p.reason());
                    done.complete(true);
                    return;
                }
                metrics.attempt(receiver.name(), "retry", System.nanoTime() - started);
                final Duration wait;
                if (outcome instanceof WebhookSender.Misconfigured m) {
                    // Retried rather than dropped: the configuration can be fixed and Vigil restarted, and the page goes out.
                    wait = retry.backoff(attempt);
                    LOG.atLevel(failureLogDue(Level.ERROR) ? Level.ERROR : Level.DEBUG).log("receiver {} cannot send {}:"
                            + " {}; fix the receiver's {} (attempt {} again in {} ms)", receiver.name(), described(event),
                            m.problem(), m.setting(), attempt + 1, wait.toMillis());
                } else {
                    final WebhookSender.Retry r = (WebhookSender.Retry) outcome;
                    wait = retry.wait(attempt, r.after());
                    // A blip is INFO; an alert still not delivered after several attempts (a few seconds to a
                    // minute of backoff by then) is a receiver an operator should look at.
                    final int others = waiting.size();
                    final Level level = attempt < WARN_FROM_ATTEMPT ? Level.INFO : Level.WARN;
                    LOG.atLevel(failureLogDue(level) ? level : Level.DEBUG)
                            .log("receiver {} failed for {} ({}); attempt {} again in {} ms{}", receiver.name(),
                                    described(event), r.reason(), attempt + 1, wait.toMillis(), others == 0 ? ""
                                            : "; " + others + " other alert(s) wait to be sent again (a line every"
                                            + " 10 s at most)");
                }
                attempt++;
                retryAfter(wait);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }

        private void retryAfter(final Duration wait) {
            final RetryDue due = new RetryDue(this);
            waiting.add(due);
            try {
                retries.schedule(due, wait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                due.run(); // delivery has ended: the attempt sees it and ends too
            }
            if (!goOn()) {
                due.run(); // stopped or paused meanwhile: end now rather than after the wait
            }
        }

        /** Back on a sending thread for the next attempt; ends at once if delivery has ended meanwhile. */
        void resume() {
            try {
                inFlight.execute(this::attemptNow);
            } catch (RejectedExecutionException e) {
                done.complete(false);
            }
        }
    }

    /** A retry that is due, when its wait is over or as soon as delivery stops or pauses, whichever comes first. */
    private final class RetryDue implements Runnable {
        private final EventDelivery delivery;
        private final AtomicBoolean fired = new AtomicBoolean();

        RetryDue(final EventDelivery delivery) {
            this.delivery = delivery;
        }

        @Override
        public void run() {
            if (fired.compareAndSet(false, true)) {
                waiting.remove(this);
                delivery.resume();
            }
        }
    }

    /** Ends every retry wait at once: used when delivery stops or pauses, so no wait holds those up. */
    private void endRetryWaits() {
        for (RetryDue due : List.copyOf(waiting)) {
            due.run();
        }
    }

    /**
     * One attempt. Whatever one request throws fails that request, and it is retried: an exception escaping here would
     * end the receiver's delivery for good. Only the exception's class is kept, as its message may quote a secret.
     */
    private WebhookSender.Attempt attempt(final byte[] body, final String key) {
        try {
            return sender.send(receiver, body, key);
        } catch (RuntimeException e) {
            return new WebhookSender.Retry(e.getClass().getSimpleName(), Optional.empty());
        }
    }

    private boolean wanted(final AlertEvent event) {
        if (event.status() == EventStatus.PENDING) {
            return false; // pending transitions are on the topic for dashboards, not for pagers
        }
        if (event.status() == EventStatus.RESOLVED && !receiver.sendResolved()) {
            return false;
        }
        return receiver.match().map(m -> m.matchers().stream().allMatch(x -> x.matches(event.labels()))).orElse(true);
    }

    private void deadLetter(final ConsumerRecord<byte[], byte[]> record, final KafkaProducer<byte[], byte[]> producer,
                            final String reason) {
        final ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
        dead.headers().add("vigil.error", reason.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("vigil.receiver", receiver.name().getBytes(StandardCharsets.UTF_8));
        dead.headers().add("vigil.source.offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + deadLetterTopic + ": " + e.getMessage(), e);
        }
    }
}
