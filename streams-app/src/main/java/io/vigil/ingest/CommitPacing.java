package io.vigil.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * When a task asks Kafka Streams to commit before the commit interval is up.
 *
 * <p>The engine commits every {@value #INTERVAL_MS} ms, not every 100 ms as Kafka Streams does under exactly-once: a
 * commit writes every series state changed since the one before to its changelog, and 100 ms covers less than one
 * scrape of a fleet, so a backlog wrote a state per datapoint. What the longer interval would hold back, a task
 * commits at once:
 * <ul>
 *   <li>on live data, what the next stage of the alert path waits for, which under exactly-once it cannot read before
 *       the commit: ingest's watermark that makes an evaluation instant due (and the points sent before it), an
 *       evaluation pass's alerts and peer progress, the peer stage's alerts. Live is event time within
 *       {@value #LIVE_WITHIN_MS} ms of the wall clock: a backlog crosses instants many times a second, and committing
 *       at each would trade throughput for a latency nobody waits on;</li>
 *   <li>once its input has stopped: nothing processed for a check period ({@link #QUIET_CHECK}) and nothing waiting
 *       on its partitions, so that the end of a backlog, or of a burst of points, does not wait for the interval.
 *       Without the second condition a catch-up would commit whenever one partition's records fill a few polls in a
 *       row and another task has none for a moment. A stage after ingest (evaluation, the peer stage) also waits
 *       until no ingest task of the engine is behind: its input is ingest's output, which only becomes
 *       readable at a commit, so through a backlog it is quiet and caught up after every chunk, and each of its
 *       commits would follow the next chunk: commits as often as before, for nothing. On live data those commits
 *       are what hands ingest's points on between watermarks; without them evaluation worked in bursts and the
 *       latency got worse (docs/performance.md).</li>
 *   <li>at the end of a backlog: when a task has processed the last record known to exist on a partition it read
 *       {@value #BACKLOG_RECORDS} or more records behind, and, in a later stage, when it has processed the last one
 *       of its input while no ingest task of the engine is in a backlog. A catch-up's end is a chain of commits
 *       (ingest's last points and watermarks become readable to evaluation at one, its alerts and peer messages to
 *       the peer stage at the next, ...); waiting for each stage to look quiet made every link of the chain 0.2 to
 *       0.4 s longer. The task knows where the end is from its consumer ({@link SourceLag#after}), looked at again
 *       halfway to the end each time, so a backlog of n records costs about log2(n) looks.</li>
 * </ul>
 *
 * <p>A request is only that: Kafka Streams commits all tasks of the stream thread together, at its next check, and
 * only tasks with something to commit. Exactly-once is untouched; only the moment of the commit moves.
 */
public final class CommitPacing {

    /** The engine's {@code commit.interval.ms} unless {@code kafka.commit.interval.ms} says otherwise. */
    public static final long INTERVAL_MS = 2_000;
    /** Event time within this of the wall clock is live data. */
    public static final long LIVE_WITHIN_MS = 5_000;
    /** How often a task looks whether its input has stopped. */
    public static final Duration QUIET_CHECK = Duration.ofMillis(100);
    /** Records known to follow the one ingest processed, at least, for its partition to be read as a backlog. */
    public static final long BACKLOG_RECORDS = 10_000;
    /** Records after which to look again where the end of a partition is, when the consumer cannot tell now. */
    private static final long UNKNOWN_END_RECHECK = 1_024;
    private static final long NOT_WATCHED = -1;

    /**
     * When an ingest task of the engine last found records waiting on its input (wall clock, ms), by the engine's
     * {@link SourceLag} (one per engine: what its stream threads' main consumers see). Per engine, not per stream
     * thread: with two threads (a second one while behind, or set), an evaluation task's thread may hold no ingest
     * task at all, and its commits would then follow every chunk of another thread's backlog (measured: 228 commits in
     * a catch-up that took 31 on one thread). A time rather than a set of tasks, so that a task closed while behind is
     * forgotten by itself; weak keys, so that a closed engine's entry goes with it.
     */
    private static final Map<SourceLag, AtomicLong> SOURCE_BEHIND_MS =
            Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * How many partitions the engine's ingest tasks are reading as a backlog now, by the engine's {@link SourceLag}.
     * A count, kept exact by {@link #close}: a later stage commits at the end of its input only while it is 0.
     */
    private static final Map<SourceLag, AtomicInteger> SOURCE_BACKLOGS =
            Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * How many of the engine's evaluation tasks hold instants put off through a backlog, or run but not committed
     * yet, by the engine's {@link SourceLag}: work the engine will still do, or still make readable, once every input
     * offset is committed (a task whose input ended while another was in a backlog runs its instants later, without a
     * record). What a caller waiting for the engine to finish (vigil bench) reads, through
     * {@link #tasksHoldingDeferred}. Changed only when a task starts or stops holding such instants, which is rare.
     */
    private static final Map<SourceLag, AtomicInteger> DEFERRED_TASKS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final ProcessorContext<?, ?> context;
    private final SourceLag lag;
    /** Whether the processor reads the engine's input topics (ingest), not another stage's output. */
    private final boolean readsSources;
    /** This engine's entry of {@link #SOURCE_BEHIND_MS}. */
    private final AtomicLong sourceBehindMs;
    /** This engine's entry of {@link #SOURCE_BACKLOGS}. */
    private final AtomicInteger sourceBacklogs;
    /** This engine's entry of {@link #DEFERRED_TASKS}. */
    private final AtomicInteger deferredTasks;
    /** Whether this task is counted in {@link #deferredTasks}. */
    private boolean holdsDeferred;
    /** The topics the processor has read, this task's partition of each. */
    private final List<String> topics = new ArrayList<>(2);
    /** Where the processor is in each, parallel to {@link #topics}. */
    private final List<Reading> readings = new ArrayList<>(2);
    private String lastTopic;
    private Reading lastReading;
    private boolean processedSinceCheck;
    private boolean processedSinceRequest;

    private CommitPacing(final ProcessorContext<?, ?> context, final SourceLag lag, final boolean readsSources) {
        this.context = context;
        this.lag = lag;
        this.readsSources = readsSources;
        this.sourceBehindMs = SOURCE_BEHIND_MS.computeIfAbsent(lag, engine -> new AtomicLong(Long.MIN_VALUE / 2));
        this.sourceBacklogs = SOURCE_BACKLOGS.computeIfAbsent(lag, engine -> new AtomicInteger());
        this.deferredTasks = DEFERRED_TASKS.computeIfAbsent(lag, engine -> new AtomicInteger());
    }

    /** Where the processor is in its partition of one topic. */
    private static final class Reading {
        /** The offset at which to look again where the partition ends. */
        long lookAt = Long.MIN_VALUE;
        /** Whether ingest read the partition as a backlog, and has not processed its end yet. */
        boolean backlog;
    }

    /**
     * Paces the commits of an ingest task, from its processor's {@code init}.
     *
     * @param lag what waits to be read on the processor's input partitions
     */
    public static CommitPacing forIngest(final ProcessorContext<?, ?> context, final SourceLag lag) {
        return start(new CommitPacing(context, lag, true));
    }

    /** Paces the commits of a task of a later stage, which reads another stage's output, from {@code init}. */
    public static CommitPacing forStage(final ProcessorContext<?, ?> context, final SourceLag lag) {
        return start(new CommitPacing(context, lag, false));
    }

    private static CommitPacing start(final CommitPacing pacing) {
        pacing.context.schedule(QUIET_CHECK, PunctuationType.WALL_CLOCK_TIME, pacing::checkQuiet);
        return pacing;
    }

    /** Notes that the processor has processed the current record (its topic and offset from its metadata). */
    public void processed() {
        final RecordMetadata meta = context.recordMetadata().orElse(null);
        processed(meta == null ? null : meta.topic(), meta == null ? NOT_WATCHED : meta.offset());
    }

    /**
     * Notes that a later stage has processed what ingest of the same task read from the current record, of
     * {@code topic} (null if not known): counted as processed, but the end of that input is ingest's to watch.
     */
    public void processedHandedOver(final String topic) {
        processed(topic, NOT_WATCHED);
    }

    /**
     * Notes that the processor has processed the record at {@code offset} of {@code topic} (this task's partition of
     * it); -1 for an offset not to look for the end at.
     */
    public void processed(final String topic, final long offset) {
        processedSinceCheck = true;
        processedSinceRequest = true;
        if (topic == null) {
            return;
        }
        if (topic != lastTopic) {
            lastTopic = topic;
            final int i = topics.indexOf(topic);
            if (i >= 0) {
                lastReading = readings.get(i);
            } else {
                topics.add(topic);
                lastReading = new Reading();
                readings.add(lastReading);
            }
        }
        if (offset != NOT_WATCHED && offset >= lastReading.lookAt) {
            lookForEnd(topic, lastReading, offset);
        }
    }

    private void lookForEnd(final String topic, final Reading reading, final long offset) {
        final OptionalLong known = lag.after(topic, context.taskId().partition(), offset);
        if (known.isEmpty()) {
            reading.lookAt = offset + UNKNOWN_END_RECHECK;
            return;
        }
        final long after = known.getAsLong();
        // A later stage reads topics written in transactions (the engine's own), where the commit's marker follows the
        // last record. Ingest's input is written by producers of any kind: one offset more may be a record, and where
        // it was a marker the quiet check commits instead.
        final boolean atEnd = after == 0 || after == 1 && !readsSources;
        reading.lookAt = atEnd ? offset + 1 : offset + after / 2;
        if (!readsSources) {
            if (atEnd && sourceBacklogs.get() == 0) {
                request();
            }
        } else if (after >= BACKLOG_RECORDS && !reading.backlog) {
            reading.backlog = true;
            sourceBacklogs.incrementAndGet();
        } else if (atEnd && reading.backlog) {
            reading.backlog = false;
            sourceBacklogs.decrementAndGet();
            request();
        }
    }

    /**
     * Forgets this task's backlogs (the engine's later stages no longer wait for their end) and its deferred instants
     * (they are no longer this instance's to run). From {@code close}.
     */
    public void close() {
        for (Reading reading : readings) {
            if (reading.backlog) {
                reading.backlog = false;
                sourceBacklogs.decrementAndGet();
            }
        }
        holdsDeferred(false);
    }

    /**
     * Notes whether the task holds instants put off through a backlog, or run since but not yet committed
     * ({@link #tasksHoldingDeferred}). Cheap to call at every pass: only a change touches the engine's count.
     */
    public void holdsDeferred(final boolean holds) {
        if (holds != holdsDeferred) {
            holdsDeferred = holds;
            if (holds) {
                deferredTasks.incrementAndGet();
            } else {
                deferredTasks.decrementAndGet();
            }
        }
    }

    /**
     * How many evaluation tasks of the engine whose main consumers' lag is {@code engine} hold instants put off
     * through a backlog, or run but not committed yet: while any does, the engine has output still to make readable
     * although every input offset may be committed.
     */
    public static int tasksHoldingDeferred(final SourceLag engine) {
        final AtomicInteger count = DEFERRED_TASKS.get(engine);
        return count == null ? 0 : count.get();
    }

    /**
     * Requests a commit for what a task made once the engine's backlog was over but without a record to process
     * (its deferred instants): the next stage waits for it, and nothing else would ask before the interval.
     */
    public void commitDeferredRun() {
        request();
    }

    /** Requests a commit if {@code eventTimeMs}, the time of what was just produced, is live by the wall clock. */
    public void commitIfLive(final long eventTimeMs) {
        if (isLive(eventTimeMs)) {
            request();
        }
    }

    /** Whether an ingest task of the engine is reading a partition as a backlog now. */
    public boolean sourcesInBacklog() {
        return sourceBacklogs.get() > 0;
    }

    /** Whether event time {@code eventTimeMs} is live: within {@value #LIVE_WITHIN_MS} ms of the wall clock. */
    public boolean isLive(final long eventTimeMs) {
        return eventTimeMs != Long.MIN_VALUE && context.currentSystemTimeMs() - eventTimeMs <= LIVE_WITHIN_MS;
    }

    private void checkQuiet(final long wallMs) {
        final boolean caughtUp = caughtUp();
        if (readsSources && !caughtUp) {
            sourceBehindMs.set(wallMs);
        }
        if (processedSinceCheck) {
            processedSinceCheck = false;
        } else if (processedSinceRequest && caughtUp
                && (readsSources || wallMs - sourceBehindMs.get() > 2 * QUIET_CHECK.toMillis())) {
            request();
        }
    }

    private boolean caughtUp() {
        for (String topic : topics) {
            final OptionalLong waiting = lag.of(topic, context.taskId().partition());
            if (waiting.isEmpty() || waiting.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void request() {
        processedSinceRequest = false;
        context.commit();
    }
}
