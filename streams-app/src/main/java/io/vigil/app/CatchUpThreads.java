package io.vigil.app;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second stream thread while the engine is behind its input, removed once it has caught up. An engine that starts
 * behind ({@link #waitingAtStart}) starts with both and drops to one once caught up; a later backlog brings the second
 * back.
 *
 * <p>Why not two threads all the time: on live data one stream thread pages sooner. An alert's path crosses ingest,
 * evaluation and the peer stage, each handing on only at a commit under exactly-once; on one thread those commits
 * follow each other in one loop, on two they are two independent schedules, and the measured p99 alert latency under
 * the bench's live load rose by about 70 ms. A backlog is the opposite case (after downtime, a deploy, a burst): one
 * thread leaves most of the second core idle, and two caught up 1.4 to 1.6 times faster (docs/performance.md). Each
 * change of the thread count is a rebalance that moves about half the tasks, whose in-memory state is restored from
 * its changelog, so the thread is added only after the engine has stayed behind for a while, and removed only after
 * it has stayed caught up for longer.
 *
 * <p>Why start with two when behind rather than add the second: only threads that join together share the tasks of
 * every stage. Kafka Streams balances the number of tasks per thread and keeps tasks where they were; a thread added
 * to a running one gets what the first can spare, which were the evaluation and peer tasks, while ingest's (decoding
 * every record, most of the work) stayed on the first: measured, the first thread had 2.6 times the second's samples,
 * and the pair caught up 1.25x faster than one thread instead of 1.44x. An engine that starts caught up starts with
 * one thread: the removal's rebalance delayed the bench's live alerts by up to 4.8 s (1.8 s since the main consumers
 * heartbeat every 250 ms), a cost worth paying after a backlog, not at every deploy.
 *
 * <p>Behind means records waiting on the input topics' partitions, as the main consumers last saw them when fetching
 * (Kafka's {@code records-lag} metric): the position, not the committed offset, which under exactly-once trails by up
 * to a commit interval of live data. An engine whose live load needs both threads would lose and regain the second
 * one over and over, two rebalances each time; once it is behind again soon after a removal, it keeps the thread and
 * says so in the log. A {@code kafka.num.stream.threads} set in the configuration is left alone (see
 * {@link #wanted}).
 */
final class CatchUpThreads implements AutoCloseable {

    /**
     * When to add and remove the thread.
     *
     * @param check          how often the input lag is looked at
     * @param behindRecords  records waiting on the input topics, at least, to count as behind
     * @param caughtUpRecords records waiting, at most, to count as caught up
     * @param behindChecks   checks in a row behind before the thread is added
     * @param caughtUpChecks checks in a row caught up before it is removed
     * @param keepIfBehindWithin the thread is kept for good when it is needed again this soon after a removal
     */
    record Policy(Duration check, long behindRecords, long caughtUpRecords, int behindChecks, int caughtUpChecks,
                  Duration keepIfBehindWithin) {

        /**
         * Behind by 100,000 records at two checks 5 s apart (about a second of one thread's work, still waiting after
         * 5 s of it: a backlog, not a burst); caught up within 10,000 for 30 s; kept when needed again within 5
         * minutes.
         */
        static final Policy DEFAULT = new Policy(Duration.ofSeconds(5), 100_000, 10_000, 2, 6, Duration.ofMinutes(5));
    }

    /** Stream threads an engine that starts behind starts with; it drops to one once caught up. */
    static final int THREADS_WHEN_BEHIND = 2;

    private static final Logger LOG = LoggerFactory.getLogger(CatchUpThreads.class);
    private static final String FETCH_METRICS = "consumer-fetch-manager-metrics";
    /** Long enough for the thread's last commit and its leaving the group. */
    private static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(60);

    private final Policy policy;
    private final BooleanSupplier running;
    private final LongSupplier inputLag;
    private final Supplier<Optional<String>> addThread;
    private final Supplier<Optional<String>> removeThread;
    private final LongSupplier nanoTime;
    private volatile ScheduledExecutorService scheduler;

    private int behindInARow;
    private int caughtUpInARow;
    /** Whether the engine runs the second thread (started with it, or added it since). */
    private boolean twoThreads;
    private long removedAtNanos;
    private boolean removedOnce;
    private boolean keep;
    private volatile int additions;
    private volatile int removals;

    /** @param startedWithTwo whether the engine started with {@link #THREADS_WHEN_BEHIND} threads, or with one */
    CatchUpThreads(final Policy policy, final boolean startedWithTwo, final BooleanSupplier running,
                   final LongSupplier inputLag, final Supplier<Optional<String>> addThread,
                   final Supplier<Optional<String>> removeThread, final LongSupplier nanoTime) {
        this.policy = policy;
        this.twoThreads = startedWithTwo;
        this.running = running;
        this.inputLag = inputLag;
        this.addThread = addThread;
        this.removeThread = removeThread;
        this.nanoTime = nanoTime;
    }

    /** For {@code streams}, reading {@code inputs}, started with two threads or one. */
    static CatchUpThreads of(final KafkaStreams streams, final Set<String> inputs, final Policy policy,
                             final boolean startedWithTwo) {
        return new CatchUpThreads(policy, startedWithTwo, () -> streams.state() == KafkaStreams.State.RUNNING,
                () -> inputLag(streams.metrics(), inputs), streams::addStreamThread,
                () -> streams.removeStreamThread(REMOVE_TIMEOUT), System::nanoTime);
    }

    /**
     * Whether the engine should add a thread while behind: when the configuration does not fix the number of stream
     * threads, and there is a second core to run it on.
     */
    static boolean wanted(final Map<String, String> kafka, final int cores) {
        return !kafka.containsKey("num.stream.threads") && cores >= 2;
    }

    /**
     * The records waiting on {@code inputs} for the application {@code group} before it starts: each partition's end
     * offset minus the group's committed offset, or, where the group has none, minus where the engine will start
     * reading it: {@code lookback} before now (the end when nothing is that recent), or its beginning when
     * {@code lookback} is empty. -1 if the broker did not say.
     */
    static long waitingAtStart(final Admin admin, final String group, final Collection<String> inputs,
                               final Optional<Duration> lookback) {
        try {
            final InputPositions positions = InputPositions.read(admin, inputs, lookback);
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            long waiting = 0;
            for (var e : positions.ends().entrySet()) {
                final OffsetAndMetadata done = committed.get(e.getKey());
                final long from = done != null ? done.offset() : positions.firstReads().get(e.getKey());
                waiting += Math.max(0, e.getValue() - from);
            }
            return waiting;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Could not read the input lag before starting ({}): starting with one stream thread",
                    (e.getCause() == null ? e : e.getCause()).toString());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Starts checking, on a thread of its own (a stream thread may not add or remove threads). */
    synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "vigil-catch-up-threads");
            t.setDaemon(true);
            return t;
        });
        final long period = policy.check().toMillis();
        scheduler.scheduleWithFixedDelay(this::checkLogged, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkLogged() {
        try {
            check();
        } catch (RuntimeException e) {
            // A failed check is retried at the next one: a scheduled task that throws is never run again.
            LOG.warn("Could not adjust the stream threads to the input lag: {}", e.toString());
        }
    }

    /** One look at the input lag; adds or removes the thread when the policy says so. */
    synchronized void check() {
        if (keep || !running.getAsBoolean()) {
            return; // a rebalance neither counts as behind nor as caught up
        }
        final long lag = inputLag.getAsLong();
        if (lag < 0) {
            return; // nothing fetched yet: a start, not a caught-up engine
        }
        if (!twoThreads) {
            behindInARow = lag >= policy.behindRecords() ? behindInARow + 1 : 0;
            if (behindInARow >= policy.behindChecks()) {
                behindInARow = 0;
                add(lag);
            }
        } else {
            caughtUpInARow = lag <= policy.caughtUpRecords() ? caughtUpInARow + 1 : 0;
            if (caughtUpInARow >= policy.caughtUpChecks()) {
                caughtUpInARow = 0;
                remove(lag);
            }
        }
    }

    private void add(final long lag) {
        final Optional<String> name = addThread.get();
        if (name.isEmpty()) {
            return;
        }
        twoThreads = true;
        additions++;
        if (removedOnce && nanoTime.getAsLong() - removedAtNanos <= policy.keepIfBehindWithin().toNanos()) {
            keep = true;
            LOG.warn("Behind the input again ({} records waiting) within {} of catching up: keeping stream thread {} "
                    + "for good; this load needs two stream threads (kafka.num.stream.threads: 2 says so at start)",
                    lag, io.vigil.model.DurationSyntax.format(policy.keepIfBehindWithin()), name.get());
            return;
        }
        LOG.info("Behind the input ({} records waiting): added stream thread {} until caught up", lag, name.get());
    }

    private void remove(final long lag) {
        // Forgotten even if the removal times out: the thread is shutting down, and asking again would take another.
        twoThreads = false;
        removals++;
        removedOnce = true;
        removedAtNanos = nanoTime.getAsLong();
        final Optional<String> name = removeThread.get();
        LOG.info("Caught up ({} records waiting): removed stream thread {}", lag, name.orElse("(none left)"));
    }

    /** Threads added so far (not counting the second one the engine started with). */
    int additions() {
        return additions;
    }

    /** Threads removed so far. */
    int removals() {
        return removals;
    }

    /**
     * The records waiting on the partitions of {@code inputs}, summed over the main consumers' {@code records-lag}
     * (per partition, as of each one's last fetch that returned records); -1 when no partition has been measured yet.
     */
    static long inputLag(final Map<MetricName, ? extends Metric> metrics, final Set<String> inputs) {
        long lag = -1;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            final MetricName name = e.getKey();
            if (name.name().equals("records-lag") && name.group().equals(FETCH_METRICS)
                    && inputs.contains(name.tags().get("topic"))
                    && !name.tags().getOrDefault("client-id", "").endsWith("-restore-consumer")
                    && e.getValue().metricValue() instanceof Double waiting && !waiting.isNaN()) {
                lag = Math.max(lag, 0) + Math.max(0, waiting.longValue());
            }
        }
        return lag;
    }

    /** Stops checking; a removal under way finishes on its own (Kafka Streams serializes it with closing). */
    @Override
    public void close() {
        final ScheduledExecutorService running = scheduler;
        if (running != null) {
            running.shutdownNow();
        }
    }
}
