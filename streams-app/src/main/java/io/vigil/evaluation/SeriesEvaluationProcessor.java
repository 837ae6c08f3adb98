package io.vigil.evaluation;

import io.vigil.ingest.InTaskEvaluation;
import io.vigil.ingest.SeriesBundle;
import io.vigil.ingest.CommitPacing;
import io.vigil.ingest.SeriesMessage;
import io.vigil.ingest.SeriesMessageCodec;
import io.vigil.ingest.SourceLag;
import io.vigil.model.Datapoint;
import io.vigil.model.IdleLease;
import io.vigil.model.LogPacing;
import io.vigil.model.Series;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams side of evaluation: feeds the series messages of one repartition partition, and the points ingest
 * of the same task hands it (those of the series this task evaluates; where the input is partitioned by series, every
 * point and notice), to a {@link TaskEvaluator}, hands every changed
 * series state to its changelogged {@link SeriesStore} (written at each commit, so a restart neither re-fires nor
 * forgets), and forwards alert transitions.
 */
public final class SeriesEvaluationProcessor implements Processor<byte[], byte[], String, EvaluationOutput> {

    /** Series key -> its windows and active alerts. */
    public static final String SERIES_STORE = "vigil-series";
    /** The task's event clock and how far it has evaluated. */
    public static final String PROGRESS_STORE = "vigil-evaluation-progress";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SeriesEvaluationProcessor.class);
    private static final String CLOCK_KEY = "clock";
    /** Newest data within this of the wall clock counts as live: only then does a silent stream's time move on. */
    static final long LIVE_HORIZON_MS = java.time.Duration.ofMinutes(15).toMillis();
    private static final java.time.Duration WALL_CLOCK_CHECK = java.time.Duration.ofSeconds(1);
    private static final long NOT_RAN = -1;
    static final String EVALUATED_KEY = "evaluated";
    /** Where the task's series were placed: by their key on the series repartition, or where ingest read them. */
    static final String PLACEMENT_KEY = "placement";
    static final String PLACED_BY_SERIES = "series key";
    static final String PLACED_BY_INPUT = "input partition";

    private final LiveRules liveRules;
    private final long graceMs;
    private final long forgetMs;
    /** The input partitions the evaluator of a task waits to hear from, and which are inputs now. */
    private final InputSources sources;
    /**
     * Whether its series are those of the input partition its task reads ({@code topics.partitioned_by_series}),
     * every point handed over in the task, rather than those the series repartition gives its partition.
     */
    private final boolean placedByInput;
    private final int maxSeriesPerRule;
    private final int seriesPartitions;
    private final EvaluationMetrics metrics;
    private final SourceLag lag;
    private final SeriesQuestions questions;
    /** Where the questions reach this task; opened by init (again when a task is revived), closed with the task. */
    private SeriesQuestions.Inbox inbox;

    private ProcessorContext<String, EvaluationOutput> context;
    private CommitPacing commits;
    /** Whether a pass was put off while the engine's sources are in a backlog, to be run once they are not. */
    private boolean deferred;
    /**
     * The series store's commits when a pass ran instants put off before ({@link #NOT_RAN} if none waits for its
     * commit): the task counts as holding them ({@link CommitPacing#holdsDeferred}) until the commit that makes their
     * output readable.
     */
    private long ranDeferredAtCommit = NOT_RAN;
    private SeriesStore seriesStore;
    private WriteBehindStore<byte[]> progressStore;
    private TaskEvaluator evaluator;
    /** The rules the task runs, and after a restart those it ran before it. */
    private TaskRules taskRules;
    /** The current bundle's points and their keys' hashes, reused from bundle to bundle. */
    private final SeriesBundle.Points bundlePoints = new SeriesBundle.Points();
    private long[] bundleHashes = new long[0];
    /** The wall clock when this task started: idle notices announced before it are from an earlier run. */
    private long startedWallMs;
    /** The WARN lines of points dropped as late, on the wall clock. */
    private final LogPacing.Single lateWarning = new LogPacing.Single(LogPacing.TEN_MINUTES_MS);
    /** The series store's commits when the evaluator held groups back: they run after the next one. */
    private long heldAtCommit;

    /**
     * The series store: series states, encoded at each commit into the changelog only (the evaluator holds them),
     * changelogged or not.
     */
    public static StoreBuilder<? extends StateStore> seriesStore(final boolean changelogged) {
        final StoreBuilder<KeyValueStore<String, byte[]>> inner = Stores.keyValueStoreBuilder(
                LogOnlyStore.supplier(SERIES_STORE), Serdes.String(), Serdes.ByteArray());
        return SeriesStore.builder(changelogged ? inner.withLoggingEnabled(Changelogs.TOPIC_CONFIG)
                : inner.withLoggingDisabled());
    }

    /**
     * @param sources       the input partitions the evaluator of a task waits to hear from
     * @param placedByInput whether its series are those of its task's input partition, every point and notice handed
     *                      over by ingest of the same task ({@link #inTask()}), where the input is partitioned by
     *                      series; the other way, those the series repartition gives its partition
     * @param maxSeriesPerRule {@code evaluation.max_series_per_rule}, for the whole engine
     * @param seriesPartitions how many tasks share that limit: the partitions of the series repartition topic
     * @param lag           what waits to be read on the series repartition, for committing once it has all been read
     * @param questions     where the HTTP API's questions about series reach the task ({@link TaskEvaluator#explain})
     */
    public SeriesEvaluationProcessor(final LiveRules liveRules, final long graceMs, final long forgetMs,
                                     final InputSources sources, final boolean placedByInput,
                                     final int maxSeriesPerRule, final int seriesPartitions,
                                     final EvaluationMetrics metrics, final SourceLag lag,
                                     final SeriesQuestions questions) {
        this.lag = lag;
        this.questions = questions;
        this.liveRules = liveRules;
        this.graceMs = graceMs;
        this.forgetMs = forgetMs;
        this.sources = sources;
        this.placedByInput = placedByInput;
        this.maxSeriesPerRule = maxSeriesPerRule;
        this.seriesPartitions = seriesPartitions;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, EvaluationOutput> context) {
        this.context = context;
        this.seriesStore = context.getStateStore(SERIES_STORE);
        this.progressStore = context.getStateStore(PROGRESS_STORE);
        this.startedWallMs = context.currentSystemTimeMs();
        this.commits = CommitPacing.forStage(context, lag);
        // init() also runs when a task is revived after a failure: start from the stores, never from old memory.
        final EventClock clock = new EventClock(sources.countOfTask().applyAsInt(context.taskId().partition()));
        this.taskRules = new TaskRules(liveRules, progressStore);
        this.evaluator = new TaskEvaluator(taskRules.atStart(), graceMs, forgetMs, clock, new SeriesBudget(
                maxSeriesPerRule, seriesPartitions, context.taskId().partition(), metrics::seriesLimited));
        final byte[] clockBytes = progressStore.get(CLOCK_KEY);
        checkPlacement(clockBytes != null);
        if (clockBytes != null) {
            clock.restore(clockBytes);
            for (String gone : clock.forgetSources(sources.isInput().negate())) {
                LOG.info("evaluation task {}: input partition {} is no longer read (its topic is not in"
                        + " topics.metrics, or has fewer partitions now): event time no longer waits for it",
                        context.taskId(), gone);
            }
        }
        final byte[] evaluated = progressStore.get(EVALUATED_KEY);
        if (evaluated != null) {
            restoreEvaluated(evaluated);
        }
        for (Map.Entry<String, byte[]> e : seriesStore.takeStates().entrySet()) {
            final SeriesState state = SeriesStateCodec.decode(e.getKey(), e.getValue());
            evaluator.restore(e.getKey(), state);
            seriesStore.restored(e.getKey(), state, e.getValue());
        }
        final TaskEvaluator counted = evaluator;
        seriesStore.showWatched(() -> SeriesStore.encodeWatched(counted.seriesPerRule()));
        context.schedule(WALL_CLOCK_CHECK, org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME, now -> {
            followRuleChanges(now);
            if (!waitingForCommit()) {
                runHeldBack(now);
            }
            if (!evaluator.heldBack()) {
                evaluator.clock().expireIdle(now);
                emit(evaluator.progressVersion(), evaluator.advanceOnWallClock(now, LIVE_HORIZON_MS), now);
            }
        });
        context.schedule(CommitPacing.QUIET_CHECK, org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME,
                now -> {
                    checkDeferred(now);
                    inbox.answer(evaluator::explain);
                });
        if (inbox != null) {
            inbox.close();
        }
        inbox = questions.open(context.taskId().toString());
    }

    /**
     * Runs the instants put off through a backlog once no source of the engine is in one, and stops counting the task
     * as holding them once the commit that carries their output is done. A task whose input ended while another was
     * still in a backlog has no record left to run them at: at the wall-clock check, once a second, they made the
     * end of a catch-up partitioned by series up to a second later (then up to a commit interval more, with no
     * commit asked for), after every input offset was committed. At the quiet check, a tenth of a second; between
     * backlogs it costs a field or two.
     */
    private void checkDeferred(final long now) {
        if (deferred) {
            if (!commits.sourcesInBacklog()) {
                advance(now);
                // The next stage (the peer stage, the alerts' readers) waits for this output, and no record will
                // come to ask for its commit.
                commits.commitDeferredRun();
            }
        } else if (ranDeferredAtCommit != NOT_RAN && seriesStore.commits() > ranDeferredAtCommit) {
            // A punctuation runs on the task's thread after the commit, not during it: the output is readable.
            ranDeferredAtCommit = NOT_RAN;
            commits.holdsDeferred(false);
        }
    }

    /**
     * Refuses state placed the other way: switching {@code topics.partitioned_by_series} moves series to other tasks,
     * where the states restored here would never see their points again (and alerts firing in them would never
     * resolve). State from before the placement was recorded is the repartition's, the only placement there was.
     */
    private void checkPlacement(final boolean hasState) {
        final byte[] stored = progressStore.get(PLACEMENT_KEY);
        final String placement = placedByInput ? PLACED_BY_INPUT : PLACED_BY_SERIES;
        final String was = stored != null ? new String(stored, StandardCharsets.UTF_8)
                : hasState ? PLACED_BY_SERIES : placement;
        if (!was.equals(placement)) {
            throw new StatePlacementChanged("topics.partitioned_by_series is " + placedByInput + ", but the evaluation"
                    + " state of task " + context.taskId() + " was written with it " + !placedByInput + " (series placed by "
                    + was + "): set it back, or start afresh with a new kafka.application.id (the evaluation"
                    + " state, windows and firing alerts, is not carried over)");
        }
        if (stored == null) {
            progressStore.put(PLACEMENT_KEY, placement.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Moves to reloaded rules, on this task's own thread, between records. */
    private void followRuleChanges(final long timestamp) {
        final TaskEvaluator.Outcome moved = taskRules.follow(evaluator.rules(), evaluator::reload);
        if (moved != null) {
            emit(evaluator.progressVersion(), moved, timestamp);
        }
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        commits.processed();
        prepare(record.timestamp());
        if (SeriesBundle.isBundle(record.value())) {
            // The hot path: many points for this task in one record, in the order ingest read them.
            takeBundle(record.value());
            return;
        }
        if (SeriesMessageCodec.isPoint(record.value())) {
            // One point, keyed by its series (bundling off, or written before bundles): its labels are decoded only if
            // the series is new to this task.
            final byte[] key = record.key();
            point(key, 0, key.length, SeriesMessageCodec.value(record.value()),
                    SeriesMessageCodec.timestampMs(record.value()), record.timestamp());
            return;
        }
        message(SeriesMessageCodec.decode(record.key(), record.value()), record.timestamp());
    }

    /**
     * Where ingest of the same task hands its points: those of the series this task evaluates, which the repartition
     * would only bring back to it, and, where the input is partitioned by series ({@code topics.partitioned_by_series}),
     * every point and notice. {@link #beforeRecord} runs first for each input record.
     */
    public InTaskEvaluation inTask() {
        return new InTaskEvaluation() {
            @Override
            public void point(final Datapoint point, final long recordTimestamp) {
                final long timestampMs = point.timestampMs();
                if (took(evaluator.take(point.series(), timestampMs, point.value()), timestampMs, recordTimestamp)) {
                    late(point.series(), timestampMs);
                }
            }

            @Override
            public void notice(final SeriesMessage notice, final long timestamp) {
                // Also from ingest's idle check, between records. Within a record, the record's own beforeRecord
                // has counted its topic.
                beforeRecord(null, timestamp);
                message(notice, timestamp);
            }
        };
    }

    /**
     * Starts fetching the state of a series whose point {@link #inTask()} is given soon, for a caller that holds many:
     * looked at for all of them first, the cache misses of their lookups overlap.
     */
    public void lookAhead(final Series series) {
        evaluator.lookAhead(series);
    }

    /**
     * What comes before the points of a record ingest of the same task read and hands over ({@link #inTask()}): its
     * count for the commit pacing, reloaded rules, groups held back. Once per input record.
     *
     * @param topic the record's topic (ingest has its metadata at hand), null if not known
     */
    public void beforeRecord(final String topic, final long timestamp) {
        commits.processedHandedOver(topic);
        prepare(timestamp);
    }

    /** What comes before any record's points: reloaded rules, groups held back. */
    private void prepare(final long timestamp) {
        followRuleChanges(timestamp);
        if (!waitingForCommit()) {
            runHeldBack(timestamp);
        }
    }

    private void message(final SeriesMessage message, final long timestamp) {
        if (message instanceof SeriesMessage.Point p) {
            final Datapoint d = p.datapoint();
            if (took(evaluator.take(d.series().key(), d.timestampMs(), d.value(), d.series()), d.timestampMs(),
                    timestamp)) {
                late(d.series(), d.timestampMs());
            }
            return;
        }
        final String source = message instanceof SeriesMessage.Watermark w ? w.source()
                : message instanceof SeriesMessage.SourceIdle i ? i.source() : null;
        if (source != null && !sources.isInput().test(source)) {
            // Of a topic taken out of the input, written by an earlier run and still unread on the repartition: taken
            // in, it would hold event time back for good, as the restored clock's sources of it would (init).
            LOG.debug("ignoring a notice of {}, no longer an input partition", source);
            return;
        }
        if (message instanceof SeriesMessage.Watermark w) {
            evaluator.clock().onWatermark(w.source(), w.timestampMs(), context.currentSystemTimeMs());
        } else if (message instanceof SeriesMessage.SourceIdle i) {
            if (timestamp < startedWallMs) {
                // Announced before this task started (ingest stamps its notices with the wall clock): written by an
                // earlier run and still unread when that run stopped, which happens whenever it stops within moments
                // of one of the notices ingest repeats while a source is idle. That is idleness from before the
                // restart, which the restored clock deliberately does not trust: the source may be catching up on a
                // backlog now, and taking it for idle lets evaluation run past its points, which are then dropped as
                // late (a way for RunMatchesReplayIT's restarted engine to lose a partition's points). A source that
                // really is idle is heard again within a renewal (a clock skew between hosts delays that by the skew).
                LOG.debug("ignoring an idle notice of {} announced at {}, before this task started at {}", i.source(),
                        timestamp, startedWallMs);
                return;
            }
            // Held from when it is read here, not from its stamp: hosts' clocks that disagree by more than the lease
            // would have every notice run out as it came, and a partition that never has data hold evaluation back
            // for good.
            evaluator.clock().onIdle(i.source(), context.currentSystemTimeMs() + IdleLease.holdsMs(graceMs));
        }
        progressStore.put(CLOCK_KEY, evaluator.clock().encode());
        if (waitingForCommit()) {
            return; // the groups held back go first, after the commit
        }
        advance(timestamp);
    }

    /**
     * Runs the instants the watermark makes due. On live data, once the store commits, the groups with the shortest
     * {@code every} go first and the task asks for a commit ({@link #emit}); slower groups due at the same instant
     * run after it ({@link TaskEvaluator#advanceFastestFirst}). Replay never commits and runs everything at once.
     */
    private void advance(final long timestamp) {
        evaluator.clock().expireIdle(context.currentSystemTimeMs());
        final long before = evaluator.progressVersion();
        final java.util.OptionalLong low = evaluator.clock().lowWatermark();
        final boolean fastestFirst = seriesStore.commits() > 0 && low.isPresent() && commits.isLive(low.getAsLong());
        if (!fastestFirst && low.isPresent() && commits.sourcesInBacklog() && evaluator.fewInstantsDue(low.getAsLong())) {
            // Through a backlog the watermark crosses an instant at a time, and a pass per instant read every series'
            // state per instant; waiting for several lets one pass take them series by series. Nobody waits for these
            // alerts: their event time is behind the wall clock by the backlog.
            deferred = true;
            commits.holdsDeferred(true);
            return;
        }
        if (deferred) {
            // Their output is made now, readable at the next commit: the task stays counted until that is done.
            ranDeferredAtCommit = seriesStore.commits();
        }
        deferred = false;
        emit(before, metrics.pass().record(fastestFirst ? evaluator::advanceFastestFirst : evaluator::advance),
                timestamp);
        heldAtCommit = seriesStore.commits();
    }

    /** Whether groups held back wait for the commit that carries what went before them. */
    private boolean waitingForCommit() {
        return evaluator.heldBack() && seriesStore.commits() == heldAtCommit;
    }

    private void runHeldBack(final long timestamp) {
        if (evaluator.heldBack()) {
            advance(timestamp);
        }
    }

    private void takeBundle(final byte[] bundle) {
        bundlePoints.read(bundle);
        final int n = bundlePoints.count();
        if (bundleHashes.length < n) {
            bundleHashes = new long[Math.max(n, 2 * bundleHashes.length)];
        }
        evaluator.lookAhead(bundle, bundlePoints, bundleHashes);
        for (int i = 0; i < n; i++) {
            final long timestampMs = bundlePoints.timestampMs(i);
            if (took(evaluator.take(bundle, bundlePoints.keyOffset(i), bundlePoints.keyLength(i), bundleHashes[i],
                    timestampMs, bundlePoints.value(i)), timestampMs, bundlePoints.recordTimestamp(i))) {
                late(bundle, bundlePoints.keyOffset(i), bundlePoints.keyLength(i), timestampMs);
            }
        }
    }

    /** A point whose series key is the UTF-8 bytes {@code key[offset, offset + length)}: looked up without a string. */
    private void point(final byte[] key, final int offset, final int length, final double value,
                       final long timestampMs, final long recordTimestamp) {
        if (took(evaluator.take(key, offset, length, timestampMs, value), timestampMs, recordTimestamp)) {
            late(key, offset, length, timestampMs);
        }
    }

    /** Whether the point was not taken for being late, counted. */
    private boolean took(final SeriesState state, final long timestampMs, final long recordTimestamp) {
        boolean late = false;
        if (state != null) {
            seriesStore.changed(state);
        } else if (evaluator.lastRefusedAsLate()) {
            // Not a point no rule selects (another series of a rule's metric), nor one the series budget refused.
            metrics.late();
            late = true;
        }
        if (evaluator.hasLimitAlerts()) {
            emit(evaluator.progressVersion(), evaluator.drainLimitAlerts(), recordTimestamp);
        }
        return late;
    }

    /**
     * Logs a point dropped as late here, as ingest logs its own (README: the first of a partition at WARN): the first
     * of the task, then at most one every 10 minutes, the others at debug. Ingest keeps no point an evaluator would
     * find late while every input partition is heard from, so one here came after the others had moved event time on
     * without its partition (announced idle), after the stream's silence had moved it on the wall clock, or near a
     * rule reload (design.md, "Event time").
     */
    private void late(final Object series, final long timestampMs) {
        if (!lateWarning.due(context.currentSystemTimeMs())) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("late datapoint dropped by evaluation task {}: {} at {} (event time over every input"
                        + " partition reached {})", context.taskId(), series, Instant.ofEpochMilli(timestampMs),
                        Instant.ofEpochMilli(evaluator.evaluatedThrough()));
            }
            return;
        }
        LOG.warn("evaluation task {}: {} at {} dropped as late: its evaluation had run (event time over every input"
                + " partition reached {}): its partition had fallen behind the others (announced idle after"
                + " evaluation.idle_timeout, then heard from again), the stream had been silent and event time had"
                + " followed the wall clock, or ingest kept it for a slower rule group of the same metric whose instant"
                + " had not run, while this series' own had; more are counted in vigil_evaluation_late_dropped_total"
                + " and logged at most every 10 minutes per task", context.taskId(), series,
                Instant.ofEpochMilli(timestampMs), Instant.ofEpochMilli(evaluator.evaluatedThrough()));
    }

    /** {@link #late(Object, long)} for a series known by its key's bytes, made a string only if it is logged. */
    private void late(final byte[] key, final int offset, final int length, final long timestampMs) {
        if (lateWarning.wouldBeDue(context.currentSystemTimeMs()) || LOG.isDebugEnabled()) {
            late(new String(key, offset, length, StandardCharsets.UTF_8), timestampMs);
        }
    }

    /** @param before {@link TaskEvaluator#progressVersion()} before the outcome was made */
    private void emit(final long before, final TaskEvaluator.Outcome outcome, final long timestamp) {
        persist(outcome);
        final boolean moved = evaluator.progressVersion() != before;
        if (!outcome.transitions().isEmpty() || moved) {
            metrics.taskState(context.taskId().toString(), evaluator.seriesCount(), evaluator.alertCounts());
        }
        if (moved) {
            progressStore.put(EVALUATED_KEY, encodeEvaluated());
            metrics.taskEvaluatedThrough(context.taskId().toString(), evaluator.evaluatedThrough());
        }
        for (AlertTransition t : outcome.transitions()) {
            metrics.transition(t);
            context.forward(new Record<>(t.series().key(), t, timestamp));
        }
        // A record per peer-group task (more for a large pass): the peers topic has a partition per series task, as
        // Kafka Streams gives a repartition topic as many as the widest input of the stage that writes it. Keyed by a
        // group of the bundle, whose partition it is.
        for (PeerBundle b : PeerBundle.of(PeerValues.grouped(outcome.peerValues()), seriesPartitions)) {
            context.forward(new Record<>(b.values().get(0).groupKey(), b, timestamp));
        }
        // After its values: the peer-group tasks may judge every instant this task has passed.
        if (evaluator.rules().hasOutlierRules() && moved) {
            context.forward(new Record<>("progress", new PeerProgress(context.taskId().partition(),
                    evaluator.progressThrough()), timestamp));
        }
        if (!outcome.transitions().isEmpty() || moved) {
            // The alerts topic and the peer stage wait for these; groups held back wait for the commit too.
            commits.commitIfLive(evaluator.evaluatedThrough());
        }
    }

    /** The changed states first, then the deletions: the store writes no state listed before its key's deletion. */
    private void persist(final TaskEvaluator.Outcome outcome) {
        final List<SeriesState> changed = outcome.changed();
        for (int i = 0; i < changed.size(); i++) {
            seriesStore.changed(changed.get(i));
        }
        for (String key : outcome.changedAlerts()) {
            final SeriesState state = evaluator.state(key);
            if (state != null) {
                seriesStore.changed(key, state);
            }
        }
        for (String key : outcome.removed()) {
            seriesStore.delete(key);
        }
    }

    private byte[] encodeEvaluated() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(evaluator.evaluatedThrough());
            final long[] next = evaluator.nextEvaluation();
            out.writeInt(next.length);
            for (long n : next) {
                out.writeLong(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void restoreEvaluated(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final long through = in.readLong();
            final long[] next = new long[in.readInt()];
            for (int i = 0; i < next.length; i++) {
                next[i] = in.readLong();
            }
            evaluator.restoreProgress(through, next);
            metrics.taskEvaluatedThrough(context.taskId().toString(), through);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (inbox != null) {
            inbox.close();
        }
        metrics.taskClosed(context.taskId().toString());
        if (commits != null) {
            commits.close();
        }
        final TaskEvaluator closed = evaluator;
        if (closed != null) {
            seriesStore.handBack(closed::storedStates);
        }
    }

    /** For interactive queries and tests: how many series this task holds. */
    int seriesCount() {
        return evaluator.seriesCount();
    }

}
