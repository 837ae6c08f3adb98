package io.vigil.ingest;

import io.micrometer.core.instrument.Counter;
import io.vigil.model.Datapoint;
import io.vigil.model.DurationSyntax;
import io.vigil.model.EvaluationInstants;
import io.vigil.model.IdleLease;
import io.vigil.model.LogPacing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns input records into datapoints keyed by series (each in its topic's format), sends what cannot be read to the
 * dead-letter topic, drops the points whose evaluation instant their partition's newest timestamp has made due (late:
 * {@link EvaluationInstants#isLate}), dead-letters points more than {@code maxAge} behind it, passes on only the points
 * of a metric some rule names, and reports each partition's progress in event time (its watermark) to every evaluator.
 */
public final class IngestProcessor implements Processor<byte[], byte[], byte[], IngestOutput> {

    /**
     * Each source partition's newest datapoint timestamp as of the last commit, changelogged so a restart judges
     * lateness the same way; and, under {@link #idleKey}, where the consumer stood on each partition announced idle
     * since its last record, so that the task which reads it next, here or on another instance, carries the idleness
     * on (see {@link #reportIdleSources}).
     */
    public static final String PROGRESS_STORE = "vigil-ingest-progress";
    /** The store whose pre-commit flush sends the buffered bundles and writes the progress store (see {@link Source}). */
    public static final String FLUSH_STORE = "vigil-ingest-progress-flush";
    /**
     * Streams config (a {@code kafka.*} key in vigil.yaml): {@code false} sends the points of this task's own series
     * through the series repartition too, as every point went before (kept for A/B measurements, and for tests of the
     * repartition under the test driver, whose single partition evaluates every series in the ingesting task).
     */
    public static final String OWN_SERIES_IN_TASK_CONFIG = "vigil.series.own.in.task";

    private static final Logger LOG = LoggerFactory.getLogger(IngestProcessor.class);
    /** The watermark step without rules (no evaluation step): a watermark every 10 s of event time, as a group's default. */
    private static final long WATERMARK_STEP_WITHOUT_RULES_MS = 10_000;
    /** A source not announced idle, or whose consumer position was not known when it was. */
    private static final long NO_POSITION = -1;

    private final TopicDecoders decoders;
    private final List<String> topics;
    private final Map<String, Integer> partitionsByTopic;
    private final long graceMs;
    private final Duration maxAge;
    private final long maxAgeMs;
    private final java.util.function.LongSupplier evaluationStepMs;
    private final Duration idleTimeout;
    private final IngestMetrics metrics;
    private final SourceLag lag;
    private final int seriesPartitions;
    /**
     * The evaluation of this task, which takes the points of the series it evaluates directly; null: every point is
     * bundled for the series repartition.
     */
    private final InTaskEvaluation inTask;
    /**
     * Whether every point and notice goes to {@link #inTask} ({@code topics.partitioned_by_series}); otherwise only
     * the points whose series this task's partition evaluates, and the notices are broadcast on the repartition.
     */
    private final boolean everyPointInTask;
    /**
     * The series partition this task evaluates, where {@link #inTask} takes the points of its own series from keyed
     * records; else -1.
     */
    private int ownSeriesPartition = -1;
    /** The metrics whose points go on to evaluation. */
    private final SelectedMetrics selected;

    private ProcessorContext<byte[], IngestOutput> context;
    /** Kafka Streams' own context, to send bundles from the pre-commit flush; null under a test's mock context. */
    private InternalProcessorContext<byte[], IngestOutput> internal;
    private ProcessorNode<?, ?, ?, ?> node;
    private SeriesBundler bundler;
    /** The record context of the newest record whose points wait in a bundle: what the flush sends them under. */
    private ProcessorRecordContext newestPointContext;
    private KeyValueStore<String, Long> progress;
    private CommitPacing commits;
    /** The label sets of each thread's tasks: a series sent again is not read again. */
    private final KnownLabels.ByThread knownLabelsByThread;
    /** Told of late points in place of the log; null where they are logged. */
    private final LatePoints latePoints;
    /** This task's thread's, which it has joined; null until it reads a record on a thread. */
    private KnownLabels knownLabels;
    private Thread knownLabelsThread;
    /**
     * This task's source partitions by name ({@code topic/partition}), in the order the idle check walks them; rebuilt
     * by {@link #init}, so a task that Kafka Streams revives starts again from its restored store.
     */
    private final Map<String, Source> sources = new HashMap<>();
    /** The same, by topic, for the partition of this task: one lookup per record instead of a name built per record. */
    private final Map<String, Source> sourceByTopic = new HashMap<>();
    // The last record's topic and partition, its source and its topic's decoder: record after record they are the
    // same (the topic the same string), and two map lookups per record were 6 % of the replay's ingest thread.
    private String lastTopic;
    private int lastPartition;
    private Source lastSource;
    private RecordDecoder lastDecoder;

    /**
     * @param decoders          each input topic's decoder
     * @param topics            the input topics this processor reads
     * @param partitionsByTopic how many partitions each has, where known (to name only sources that exist)
     * @param graceMs           how long an evaluation instant waits for its points: a point whose first instant is
     *                          {@code grace} or more behind its partition's newest timestamp is dropped as late
     * @param maxAge            how far behind its partition's newest timestamp a point may be before it is
     *                          dead-lettered as {@link DeadLetterReason#OLD_TIMESTAMP}
     * @param evaluationStepMs  the rules' evaluation step, the greatest common divisor of their groups' {@code every}
     *                          (every instant is a multiple of it), 0 without rules: lateness rounds a point's timestamp
     *                          up to it, and watermarks are sent when {@code newest - grace} crosses a multiple of it
     *                          (of 10 s without rules); read once per record, as reloaded rules may change it
     * @param idleTimeout       a partition with no record for this long (wall clock) is reported idle
     * @param lag               whether a partition still has records waiting to be read; such a partition is not idle
     * @param seriesPartitions  the series repartition topic's partitions, which the points are bundled for
     * @param selected the metrics whose points go on to evaluation; the others' are counted and go no further (they
     *                 still move their partition's newest timestamp: they are its progress)
     * @param inTask   the evaluation of this same task, which takes directly the points of the series it evaluates
     *                 (the points whose series the repartition would send back to this very task); null to bundle
     *                 every point for the series repartition
     * @param everyPointInTask whether {@code inTask} takes every point and notice, never bundled
     *                 ({@code topics.partitioned_by_series}: the input is the placement)
     * @param knownLabels the label sets the ingest tasks of each thread have read, one table a thread for all
     * @param latePoints told of each late point in place of the log; null to log them by partition
     */
    public IngestProcessor(final TopicDecoders decoders, final List<String> topics, final Map<String, Integer> partitionsByTopic,
                           final long graceMs, final Duration maxAge,
                           final java.util.function.LongSupplier evaluationStepMs,
                           final Duration idleTimeout,
                           final IngestMetrics metrics, final SourceLag lag, final int seriesPartitions,
                           final SelectedMetrics selected, final InTaskEvaluation inTask,
                           final boolean everyPointInTask, final KnownLabels.ByThread knownLabels,
                           final LatePoints latePoints) {
        if (everyPointInTask && inTask == null) {
            throw new IllegalArgumentException("every point in the task, but no evaluation in the task to take them");
        }
        this.selected = selected;
        this.inTask = inTask;
        this.everyPointInTask = everyPointInTask;
        this.decoders = decoders;
        this.topics = List.copyOf(topics);
        this.partitionsByTopic = Map.copyOf(partitionsByTopic);
        this.graceMs = graceMs;
        this.maxAge = maxAge;
        this.maxAgeMs = maxAge.toMillis();
        this.evaluationStepMs = evaluationStepMs;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
        this.lag = lag;
        this.seriesPartitions = seriesPartitions;
        this.knownLabelsByThread = knownLabels;
        this.latePoints = latePoints;
    }

    @Override
    public void init(final ProcessorContext<byte[], IngestOutput> context) {
        this.context = context;
        this.progress = context.getStateStore(PROGRESS_STORE);
        leaveKnownLabels();
        final int partition = context.taskId().partition();
        final Object ownInTask = context.appConfigs().get(OWN_SERIES_IN_TASK_CONFIG);
        ownSeriesPartition = inTask != null && !everyPointInTask
                && (ownInTask == null || ownSeriesInTask(ownInTask.toString())) ? partition : -1;
        final long now = context.currentSystemTimeMs();
        closeCounts();
        sources.clear();
        sourceByTopic.clear();
        lastTopic = null;
        for (String topic : topics) {
            final Integer count = partitionsByTopic.get(topic);
            if (count == null || partition < count) {
                final Source source = new Source(source(topic, partition), topic, partition, now);
                source.readIdleAt();
                sources.put(source.name, source);
                sourceByTopic.put(topic, source);
            }
        }
        // Often enough to renew an idle notice before its lease at the evaluators runs out.
        final long checkMs = Math.max(100, Math.min(Math.min(5_000, idleTimeout.toMillis() / 4),
                IdleLease.renewEveryMs(graceMs) / 2));
        context.schedule(Duration.ofMillis(checkMs), PunctuationType.WALL_CLOCK_TIME, this::reportIdleSources);
        if (commits != null) {
            commits.close(); // a revived task's: its backlogs are read again from the committed offsets
        }
        commits = CommitPacing.forIngest(context, lag);
        // init() runs again when a task is revived: what was buffered belongs to input that will be read again.
        final Object maxPoints = context.appConfigs().get(SeriesBundler.MAX_POINTS_CONFIG);
        bundler = new SeriesBundler(seriesPartitions, maxPoints == null ? SeriesBundler.DEFAULT_MAX_POINTS
                : SeriesBundler.maxPoints(maxPoints.toString()),
                (key, value, timestamp) -> context.forward(new Record<>(key, new SeriesRecord(value), timestamp)));
        newestPointContext = null;
        if (context instanceof InternalProcessorContext<byte[], IngestOutput> kafkaStreams) {
            internal = kafkaStreams;
            node = kafkaStreams.currentNode();
        }
        final CommitFlushStore flush = context.getStateStore(FLUSH_STORE);
        flush.beforeCommit(this::beforeCommit);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        process(record, context.recordMetadata().orElseThrow());
    }

    /** {@link #process(Record)}, for a caller that has read the record's metadata already ({@code meta}). */
    public void process(final Record<byte[], byte[]> record, final RecordMetadata meta) {
        if (meta.topic() != lastTopic || meta.partition() != lastPartition) {
            lastSource = sourceOf(meta.topic(), meta.partition());
            lastDecoder = decoders.forTopic(meta.topic());
            lastTopic = meta.topic();
            lastPartition = meta.partition();
        }
        final Source source = lastSource;
        commits.processed(meta.topic(), meta.offset());
        final long now = context.currentSystemTimeMs();
        if (everyPointInTask && record.key() == null) {
            source.unkeyed();
        }
        // A record without a key may carry any series, whose other points other tasks read: its points cross the
        // repartition, so that all of a series' points reach the evaluator by one path. Handed over here, they would
        // run a commit interval ahead of the series' other points and go into its windows out of order (in one run
        // on unkeyed records, 0.95x and 0.87x the rate of sending them all through).
        final int ownPartition = record.key() != null ? ownSeriesPartition : -1;
        if (Thread.currentThread() != knownLabelsThread) {
            joinKnownLabels();
        }
        final DecodedRecord decoded = lastDecoder.decode(record.value(), now, knownLabels);
        metrics.skippedFields(decoded.skippedFields());
        final long before = source.newest();
        long newest = before;
        // Read per record, not per point: RuleIndex keeps it, computed when the rules change. A reload that changes it
        // is seen here at the next record and by the evaluators at their next record or punctuation; in between the
        // two round a point's timestamp to different steps. Each judges by the schedule of the rules it runs, so a
        // point near the edge may then be kept here and dropped there, counted as late by the evaluation
        // (vigil_evaluation_late_dropped_total), never silently; the reload changes that schedule anyway (a group
        // whose every changed starts a new one).
        final long step = evaluationStepMs.getAsLong();
        final List<Datapoint> points = decoded.datapoints();
        // Made only when a point is too old: nearly every record has none.
        List<Datapoint> kept = null;
        List<Rejection> old = null;
        int accepted = 0;
        int unselected = 0;
        for (int i = 0; i < points.size(); i++) {
            final Datapoint point = points.get(i);
            final long behind = newest == Long.MIN_VALUE ? Long.MIN_VALUE : saturatedSubtract(newest, point.timestampMs());
            if (behind > maxAgeMs) {
                if (old == null) {
                    old = new ArrayList<>(1);
                    kept = new ArrayList<>(points.subList(0, i));
                }
                old.add(tooOld(point, newest, source.name));
                continue;
            }
            if (kept != null) {
                kept.add(point);
            }
            // Late once the first instant that sees it is due here (instant + grace <= newest), not by its distance
            // behind: the evaluators run instants from these same newest timestamps, each at most this one (design.md,
            // "Event time: watermarks per input partition"). The instants are those of the groups whose rules name its
            // metric, late only once each group's first has run: a faster group's instants do not take it from a
            // slower one's. Each of those instants is one of the rule set's step too, so a point late by them is late
            // by the finer step, which is asked first and spares nearly every point the rest.
            final boolean isSelected = selected.selects(point.series().name());
            if (EvaluationInstants.isLate(point.timestampMs(), step, graceMs, newest)) {
                final long instant = EvaluationInstants.lastFirstSeeing(point.timestampMs(),
                        isSelected ? selected.stepsMs(point.series().name()) : SelectedMetrics.NO_STEPS, step);
                if (EvaluationInstants.hasRun(instant, graceMs, newest)) {
                    late(source, point, newest, instant, now);
                    continue;
                }
            }
            accepted++;
            if (!isSelected) {
                unselected++;
            } else if (everyPointInTask || bundler.partitionOf(point.series()) == ownPartition) {
                // Its evaluator is this task's: through the repartition it would come back here.
                inTask.point(point, record.timestamp());
            } else {
                bundler.point(point, record.timestamp());
            }
            newest = Math.max(newest, point.timestampMs());
        }
        if (accepted > 0) {
            source.accepted(meta.topic(), accepted);
        }
        metrics.unselected(unselected);
        if (internal != null && bundler.holdsPoints()) {
            newestPointContext = internal.recordContext();
        }
        if (!decoded.rejections().isEmpty() || old != null) {
            final List<Rejection> rejections = new ArrayList<>(decoded.rejections());
            if (old != null) {
                rejections.addAll(old);
            }
            deadLetter(record, meta, new DecodedRecord(kept == null ? points : kept, rejections,
                    decoded.skippedFields()));
        }
        if (newest > before && newest - now > graceMs) {
            aheadOfClock(source, points, newest, now);
        }
        source.lastRecordWallMs = now;
        source.heardSinceCheck = true;
        final boolean wasIdle = source.idle;
        source.idle = false;
        source.idleAnnounced = false;
        source.idleAt = NO_POSITION;
        source.newest = newest;
        if (newest != Long.MIN_VALUE && (wasIdle || crossesStep(before, newest, step))) {
            announce(new SeriesMessage.Watermark(source.name, newest), record.timestamp());
            // The evaluators wait for it (and for the points before it, sent with it) to run the instant it makes due.
            commits.commitIfLive(newest);
        }
    }

    /**
     * A point more than grace ahead of this machine's clock (within {@code max_future_skew}) moved its partition's
     * newest timestamp: the evaluation instants of the points of producers with right clocks on that partition are now
     * due, and those points dropped as late (design.md, "Too old, relative to what"). Counted, and logged at most every
     * 10 minutes per partition with the series that did it, so that the producer's clock can be found and fixed.
     */
    private void aheadOfClock(final Source source, final List<Datapoint> points, final long newest, final long now) {
        metrics.aheadOfClock();
        if (!source.aheadWarning.due(now)) {
            return;
        }
        final String series = points.stream().filter(p -> p.timestampMs() == newest).findFirst()
                .map(p -> p.series().toString()).orElse("?");
        LOG.warn("input {}: {} is stamped {} ms ahead of this machine's clock, more than grace ({} ms): points of other"
                + " producers on this partition are dropped as late (their instants have run) until their time catches"
                + " up; check that producer's clock (NTP), or set evaluation.max_future_skew below grace to dead-letter"
                + " such points",
                source.name, series, newest - now, graceMs);
    }

    /**
     * A point whose first evaluation instant its partition's newest timestamp has made due is dropped (rules.md).
     * Counted, and logged at most every 10 minutes per partition with the series and the times: a producer that sends
     * old timestamps, or a replay written into a live topic, lost its points with nothing in the log but a counter
     * (found by a newcomer who pasted the banner's example minutes after it was printed). `vigil replay` runs this too and logs the first one the same
     * way: its summary counts late points but, unlike dead letters, names none.
     */
    private void late(final Source source, final Datapoint point, final long newest, final long instant,
                      final long now) {
        metrics.late();
        if (latePoints != null) {
            latePoints.dropped(point, instant, newest);
            return;
        }
        if (!source.lateWarning.due(now)) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("late datapoint dropped: {} at {} on {}: its instant {} has run (event time reached {}, at"
                        + " least the instant + grace)", point.series(), Instant.ofEpochMilli(point.timestampMs()),
                        source.name, Instant.ofEpochMilli(instant), Instant.ofEpochMilli(newest));
            }
            return;
        }
        LOG.warn("input {}: {} at {} dropped as late: its evaluation instant {} has run (this partition's event time"
                + " reached {}, at least the instant + grace ({})); more are counted in vigil_ingest_late_dropped_total"
                + " and logged at most every 10 minutes per partition", source.name, point.series(),
                Instant.ofEpochMilli(point.timestampMs()), Instant.ofEpochMilli(instant), Instant.ofEpochMilli(newest),
                DurationSyntax.format(Duration.ofMillis(graceMs)));
    }

    /**
     * Whether {@code text} ({@value #OWN_SERIES_IN_TASK_CONFIG}) keeps the points of a task's own series in the task.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static boolean ownSeriesInTask(final String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false, not \"" + text + "\"");
        };
    }

    @Override
    public void close() {
        closeCounts();
        if (commits != null) {
            commits.close();
        }
        leaveKnownLabels();
    }

    /** Reads with the label sets of the thread it now runs on, leaving any other's. */
    private void joinKnownLabels() {
        leaveKnownLabels();
        knownLabels = knownLabelsByThread.ofThisThread();
        knownLabels.join();
        knownLabelsThread = Thread.currentThread();
    }

    private void leaveKnownLabels() {
        if (knownLabels != null) {
            knownLabels.leave();
            knownLabels = null;
            knownLabelsThread = null;
        }
    }

    private void closeCounts() {
        for (Source source : sources.values()) {
            source.closeCount();
        }
    }

    /** The record's source partition: this task's partition of its topic, or (never seen) another, added then. */
    private Source sourceOf(final String topic, final int partition) {
        final Source known = sourceByTopic.get(topic);
        if (known != null && known.partition == partition) {
            return known;
        }
        final String name = source(topic, partition);
        // As before sources were objects: a source not named at init is checked for idleness without a topic.
        return sources.computeIfAbsent(name, n -> new Source(n, null, partition, context.currentSystemTimeMs()));
    }

    /**
     * What this task knows of one source partition. Its newest timestamp is the progress store's value, read once
     * and then kept here (only this processor writes that store): a store read per record went through Kafka
     * Streams' metered store, serdes and a latency sensor, about a tenth of ingest's time.
     *
     * <p>It goes back to the store just before each commit, and only if it moved: a restart restores only what a
     * commit holds (the store's changelog and the input offsets commit in one transaction, and input read after the
     * commit is read again), while a write for every record that moved it was, under a live load stamped with the
     * wall clock, a changelog record every 7 datapoints (2,650 a second at 20,000 datapoints/s), each through the
     * metered store, a serde, the producer and the broker's log.
     */
    private final class Source {
        final String name;
        /** Null for a source not named at init. */
        final String topic;
        final int partition;
        long lastRecordWallMs;
        /** Whether it had a record since the last idle check. */
        boolean heardSinceCheck;
        boolean idle;
        /** Whether its idleness was announced since its last record, and when. */
        boolean idleAnnounced;
        long idleAnnouncedWallMs;
        /**
         * Where the consumer stood on it when it was last announced idle, since its last record: by this task, or
         * (read at init, not announced by this task yet) by the task that read it before. {@link #NO_POSITION} for
         * none.
         */
        long idleAt = NO_POSITION;
        /** What the progress store holds of {@link #idleAt}. */
        private long storedIdleAt = NO_POSITION;
        /** Its WARN lines of points ahead of the wall clock ({@link #aheadOfClock}), on the wall clock. */
        final LogPacing.Single aheadWarning = new LogPacing.Single(LogPacing.TEN_MINUTES_MS);
        /** Its WARN lines of points dropped as late ({@link #late}), on the wall clock. */
        final LogPacing.Single lateWarning = new LogPacing.Single(LogPacing.TEN_MINUTES_MS);
        private boolean loaded;
        private long newest;
        /** The value the progress store holds for it: read there, or last written. */
        private long stored;
        /** The datapoints accepted from its topic, once one was. */
        private IngestMetrics.TaskCount accepted;
        /** Its records without a key, once one was read where the input is said to be partitioned by series. */
        private Counter unkeyed;

        Source(final String name, final String topic, final int partition, final long nowMs) {
            this.name = name;
            this.topic = topic;
            this.partition = partition;
            this.lastRecordWallMs = nowMs;
        }

        /** Its newest datapoint timestamp so far, {@code Long.MIN_VALUE} for none. */
        long newest() {
            if (!loaded) {
                final Long read = progress.get(name);
                newest = read == null ? Long.MIN_VALUE : read;
                stored = newest;
                loaded = true;
            }
            return newest;
        }

        /** Counts {@code n} datapoints accepted from its topic, {@code topic} (a source not named at init has none). */
        void accepted(final String topic, final int n) {
            if (accepted == null) {
                accepted = metrics.accepted(topic);
            }
            accepted.add(n);
        }

        /** Gives its count back to the topic's total: its task closes, or starts again with new sources. */
        void closeCount() {
            if (accepted != null) {
                accepted.close();
                accepted = null;
            }
        }

        /**
         * Counts a record without a key, read while the input is said to be partitioned by series, and warns at the
         * first: a producer without keys spreads every series over the topic's partitions, and each part of a series
         * is then evaluated apart, in the task that read it. Vigil cannot see where a keyed record's series went, but
         * an unkeyed record on a topic of several partitions breaks the promise for certain.
         */
        void unkeyed() {
            final Integer count = topic == null ? null : partitionsByTopic.get(topic);
            if (count == null || count < 2) {
                return;
            }
            if (unkeyed == null) {
                unkeyed = metrics.unkeyed(topic);
                LOG.warn("topics.partitioned_by_series is true, but {} has records without a key: a producer without"
                        + " keys spreads each series over the {} partitions of {}, and each part is evaluated apart"
                        + " (windows, absences and alerts wrong). Key the records by series or by host, or set"
                        + " topics.partitioned_by_series to false (counted in vigil_ingest_unkeyed_total)",
                        name, count, topic);
            }
            unkeyed.increment();
        }

        /** Reads where the task before this one last announced it idle, if that was after its last record. */
        void readIdleAt() {
            final Long read = progress.get(idleKey(name));
            idleAt = read == null ? NO_POSITION : read;
            storedIdleAt = idleAt;
        }

        /**
         * Writes its newest timestamp to the progress store, if it moved since it was read or last written, and where
         * it was last announced idle, if that changed.
         */
        void writeProgress() {
            if (loaded && newest != stored) {
                progress.put(name, newest);
                stored = newest;
            }
            if (idleAt != storedIdleAt) {
                if (idleAt == NO_POSITION) {
                    progress.delete(idleKey(name));
                } else {
                    progress.put(idleKey(name), idleAt);
                }
                storedIdleAt = idleAt;
            }
        }
    }

    /**
     * Run just before each commit of the task: the buffered points and each source's progress go into that commit's
     * transaction.
     */
    private void beforeCommit() {
        flushBundles();
        writeProgress();
    }

    /**
     * Sends what the bundles hold: before each commit, and, for {@code vigil replay}, which never commits, at the end
     * of its input (and after each record when it offers them one by one). Forwarding outside {@code process()} needs
     * this node as the current one and a record context, as Kafka Streams' own caching stores set them when they
     * forward on flush (TimestampedCacheFlushListener, CachingKeyValueStore.putAndMaybeForward).
     */
    public void flushBundles() {
        if (!bundler.holdsPoints()) {
            return;
        }
        if (internal == null || newestPointContext == null) {
            bundler.flush();
            return;
        }
        final ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
        final ProcessorRecordContext previousContext = internal.recordContext();
        internal.setCurrentNode(node);
        internal.setRecordContext(newestPointContext);
        try {
            bundler.flush();
        } finally {
            internal.setRecordContext(previousContext);
            internal.setCurrentNode(previousNode);
        }
        newestPointContext = null;
    }

    private void writeProgress() {
        for (Source source : sources.values()) {
            source.writeProgress();
        }
    }

    /**
     * Whether a new evaluation instant may have become due: {@code newest - grace} entered a new step (instants are
     * multiples of every group's {@code every}, so their greatest common divisor, {@code evaluationStep}, is step
     * enough).
     */
    private boolean crossesStep(final long before, final long newest, final long evaluationStep) {
        if (before == Long.MIN_VALUE) {
            return true;
        }
        final long step = evaluationStep > 0 ? evaluationStep : WATERMARK_STEP_WITHOUT_RULES_MS;
        return Math.floorDiv(newest - graceMs, step) != Math.floorDiv(before - graceMs, step);
    }

    /**
     * Announces sources without records for the idle timeout, and repeats the notice while they stay idle, before its
     * lease at the evaluators runs out ({@link IdleLease}): an evaluator that restarts does not trust idleness it had
     * stored, and must hear it again, and one that hears no more takes the source's reader for gone.
     *
     * <p>A source with records still waiting in Kafka is behind, not idle, however long it has had no record: its
     * task may simply not have had its turn yet. That happens on a start with a backlog: the clock runs from the
     * task's start, a poll returns at most {@code max.poll.records} and may hand over one partition's records only,
     * and a busy machine easily spends a short idle timeout on processing and committing those while the other
     * partitions' records sit in the consumer. A source announced idle in that state lets the evaluators run past
     * every point it has yet to send, and those are then dropped as late: alerts missed or resolved early (seen as
     * RunMatchesReplayIT losing 6 of 15 events under load). So records waiting, or a lag not known yet (no fetch
     * answered), restart the clock, and only a caught-up source can fall idle, as Kafka Streams' own task idling
     * judges (KIP-695).
     *
     * <p>The consumer's lag does not count records already polled and buffered by Kafka Streams, and a record's
     * {@code currentSystemTimeMs()} is the time its batch started, which on a busy machine may be seconds before this
     * check even though the task has just processed records and has more buffered. So a source that had any record
     * since the previous check is active now, whatever its last record's time says.
     *
     * <p>A source announced idle before this task started (the task moved to this instance in a rebalance, or the
     * instance restarted) is idle still if the consumer stands where it stood at that notice, as of the commit this
     * task started from, with nothing waiting: no record came since. It is announced at the first check that knows
     * so, not an idle timeout after the start: every evaluator waits on each source, and a topic that receives
     * nothing (one of two formats a deployment lists, for one) held evaluation back for the whole timeout after each
     * rebalance (after a graceful stop, evaluation was normal again only 30 s after it, against 0 to 7 s with this:
     * docs/reliability.md). The consumer's position, not the lag alone: records polled and buffered are in the
     * position, and a fetch may not have been answered yet.
     */
    private void reportIdleSources(final long nowMs) {
        final long timeout = idleTimeout.toMillis();
        for (Source source : sources.values()) {
            if (source.heardSinceCheck) {
                source.heardSinceCheck = false;
                source.lastRecordWallMs = nowMs;
                continue;
            }
            final boolean idleBeforeThisTask = !source.idleAnnounced && source.idleAt != NO_POSITION;
            if (!idleBeforeThisTask && nowMs - source.lastRecordWallMs < timeout) {
                continue;
            }
            final java.util.OptionalLong waiting = lag.of(source.topic, context.taskId().partition());
            if (waiting.isEmpty() || waiting.getAsLong() > 0) {
                LOG.debug("{} has had no record for {} ms but is behind (records waiting: {}), so not idle",
                        source.name, nowMs - source.lastRecordWallMs, waiting);
                source.lastRecordWallMs = nowMs;
                continue;
            }
            final long position = source.topic == null ? NO_POSITION
                    : lag.position(source.topic, context.taskId().partition()).orElse(NO_POSITION);
            if (idleBeforeThisTask && position != source.idleAt) {
                // Records came after the notice, or where the consumer stands is not known: idle by this task's clock.
                source.idleAt = NO_POSITION;
                if (nowMs - source.lastRecordWallMs < timeout) {
                    continue;
                }
            }
            if (idleBeforeThisTask && position == source.idleAt) {
                // Silent for the timeout already: renewed from now on as any idle source is, not left to run out
                // at the evaluators a lease later and announced again only an idle timeout after this task's start
                // (the first version, measured on a real broker: evaluation went on for one grace after the move,
                // then stood still until 31 s after it).
                source.lastRecordWallMs = Math.min(source.lastRecordWallMs, nowMs - timeout);
            }
            if (!source.idle || !source.idleAnnounced
                    || nowMs - source.idleAnnouncedWallMs >= Math.min(timeout, IdleLease.renewEveryMs(graceMs))) {
                source.idle = true;
                source.idleAnnounced = true;
                source.idleAnnouncedWallMs = nowMs;
                source.idleAt = position;
                announce(new SeriesMessage.SourceIdle(source.name), nowMs);
                // Stamped with the wall clock, so live: the evaluators may wait on it for their next instant.
                commits.commitIfLive(nowMs);
            }
        }
    }

    /**
     * To every evaluator (a broadcast on the series repartition, this task's own included: the points it took in the
     * task went before it all the same), or to this task's alone where it takes every point.
     */
    private void announce(final SeriesMessage message, final long timestamp) {
        if (everyPointInTask) {
            inTask.notice(message, Math.max(0, timestamp));
            return;
        }
        final String source = message instanceof SeriesMessage.Watermark w ? w.source()
                : ((SeriesMessage.SourceIdle) message).source();
        bundler.message(source.getBytes(StandardCharsets.UTF_8), message, Math.max(0, timestamp));
    }

    private void deadLetter(final Record<byte[], byte[]> record, final RecordMetadata meta, final DecodedRecord decoded) {
        decoded.rejections().forEach(r -> metrics.rejected(r.reason()));
        metrics.deadLettered();
        final RecordHeaders headers = new RecordHeaders();
        headers.add("vigil.error", decoded.deadLetterMessage().getBytes(StandardCharsets.UTF_8));
        headers.add("vigil.source.topic", meta.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("vigil.source.partition", Integer.toString(meta.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("vigil.source.offset", Long.toString(meta.offset()).getBytes(StandardCharsets.UTF_8));
        // A record without a value (a tombstone) is dead-lettered without one, as it came (formats.md).
        final DeadLetterSize.Fitted fitted = DeadLetterSize.fit(record.key(), record.value(), record.headers(),
                headers);
        context.forward(new Record<>(fitted.key(),
                new DeadLetter(fitted.value(), decoded.deadLetterMessage(), decoded.rejections(),
                        source(meta.topic(), meta.partition()) + " at offset " + meta.offset()),
                record.timestamp(), fitted.headers()));
    }

    private Rejection tooOld(final Datapoint point, final long newest, final String source) {
        // The series first, cut short, so that a long label set cannot push the explanation out of the header.
        return new Rejection(DeadLetterReason.OLD_TIMESTAMP, Rejection.oneLine(point.series().key(), 96) + " at "
                + Instant.ofEpochMilli(point.timestampMs()) + " is " + DurationSyntax.format(Duration.ofMillis(
                saturatedSubtract(newest, point.timestampMs()))) + " behind the newest timestamp "
                + Instant.ofEpochMilli(newest) + " on " + source + ", more than the allowed "
                + DurationSyntax.format(maxAge) + TimestampUnits.hint(point.timestampMs(), newest));
    }

    /** {@code a - b}, or Long.MAX_VALUE where that overflows: timestamps may be anywhere in the range of a long. */
    private static long saturatedSubtract(final long a, final long b) {
        final long difference = a - b;
        return ((a ^ b) & (a ^ difference)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : difference;
    }

    static String source(final String topic, final int partition) {
        return topic + "/" + partition;
    }

    /** The progress store's key of where {@code source} was last announced idle: no topic name holds a ':'. */
    static String idleKey(final String source) {
        return "idle:" + source;
    }
}
