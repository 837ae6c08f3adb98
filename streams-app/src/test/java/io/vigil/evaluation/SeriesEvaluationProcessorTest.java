package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.ingest.CommitPacing;
import io.vigil.ingest.SeriesMessage;
import io.vigil.ingest.SeriesMessageCodec;
import io.vigil.ingest.SourceLag;
import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * How a task's evaluation state records where its series were placed, and refuses state placed the other way; how it
 * runs and counts the instants it puts off through a backlog.
 */
class SeriesEvaluationProcessorTest {

    private static final String INPUT = "metrics";
    private static final String PROBE_RULES = """
            groups:
              - name: probe
                every: 1s
                rules:
                  - alert: ProbeHigh
                    series: probe
                    aggregate: last
                    window: 1s
                    threshold: {above: 50}
            """;
    /** Long before the wall clock: a backlog, not live data. */
    private static final long EVENT_TIME = 1_700_000_000_000L;

    @Test
    void aTaskRecordsItsPlacementAndRefusesStatePlacedTheOtherWay() {
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final SeriesEvaluationProcessor first = processor(true);
        first.init(context);
        first.close();
        assertThat(placement(context)).isEqualTo(SeriesEvaluationProcessor.PLACED_BY_INPUT);

        // The same task's stores, read by an engine that now places series by their key.
        assertThatThrownBy(() -> processor(false).init(context))
                .isInstanceOf(StatePlacementChanged.class)
                .hasMessage("topics.partitioned_by_series is false, but the evaluation state of task 0_0 was written"
                        + " with it true (series placed by input partition): set it back, or start afresh with a new"
                        + " kafka.application.id (the evaluation state, windows and firing alerts, is not carried"
                        + " over)");
        processor(true).init(context); // set back: accepted
    }

    @Test
    void stateFromBeforeThePlacementWasRecordedIsTheRepartitions() {
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final WriteBehindStore<byte[]> progress = context.getStateStore(SeriesEvaluationProcessor.PROGRESS_STORE);
        progress.put("clock", new EventClock(1).encode());
        progress.flushCache();

        assertThatThrownBy(() -> processor(true).init(context)).isInstanceOf(StatePlacementChanged.class)
                .hasMessageContaining("(series placed by series key)");
        processor(false).init(context);
        assertThat(placement(context)).isEqualTo(SeriesEvaluationProcessor.PLACED_BY_SERIES);
    }

    @Test
    void instantsPutOffThroughABacklogRunOnceItEndsAndCountUntilTheirCommit() {
        final SourceLag engine = backlogOfOtherTasks();
        final CommitPacing ingest = CommitPacing.forIngest(new MockProcessorContext<>(), engine);
        ingest.processed(INPUT, 0); // 50,000 records to go: the engine is in a backlog
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final SeriesEvaluationProcessor evaluation = processor(engine);
        evaluation.init(context);
        probe(evaluation, EVENT_TIME);
        watermark(evaluation, EVENT_TIME);
        assertThat(CommitPacing.tasksHoldingDeferred(engine)).as("the first pass runs").isZero();

        watermark(evaluation, EVENT_TIME + 1_000);
        assertThat(CommitPacing.tasksHoldingDeferred(engine)).as("one instant due, in a backlog: put off").isOne();
        checkDeferred(context);
        assertThat(context.committed()).as("still in the backlog").isFalse();

        ingest.close(); // the backlog is over, with no record left for this task
        checkDeferred(context);
        assertThat(context.committed()).as("the instants ran, and nothing else asks for their commit").isTrue();
        assertThat(CommitPacing.tasksHoldingDeferred(engine)).as("their output not readable yet").isOne();
        checkDeferred(context);
        assertThat(CommitPacing.tasksHoldingDeferred(engine)).as("no commit since").isOne();

        context.<SeriesStore>getStateStore(SeriesEvaluationProcessor.SERIES_STORE).flushCache(); // the commit
        checkDeferred(context);
        assertThat(CommitPacing.tasksHoldingDeferred(engine)).as("committed").isZero();
    }

    @Test
    void aClosedTaskHoldsNoInstantsPutOff() {
        final SourceLag engine = backlogOfOtherTasks();
        CommitPacing.forIngest(new MockProcessorContext<>(), engine).processed(INPUT, 0);
        final SeriesEvaluationProcessor evaluation = processor(engine);
        evaluation.init(context());
        probe(evaluation, EVENT_TIME);
        watermark(evaluation, EVENT_TIME);
        watermark(evaluation, EVENT_TIME + 1_000);
        assertThat(CommitPacing.tasksHoldingDeferred(engine)).isOne();

        evaluation.close();

        assertThat(CommitPacing.tasksHoldingDeferred(engine)).as("another instance runs them now").isZero();
    }

    /**
     * A partition announced idle whose reader then dies (an instance killed): nobody renews its notice, and the points
     * written there wait unread until another instance takes it over, a minute on. Left out of event time all that
     * while, its points found their instants run and were dropped as late (a failover audit); its notice now holds
     * for a lease, and then the partition is waited for again.
     */
    @Test
    void anIdleNoticeNobodyRenewsHoldsForItsLeaseOnly() {
        assertThat(lateDroppedAfterAMinute(0)).isZero();
    }

    /** Renewed, an idle notice keeps holding: event time moves on without the partition. */
    @Test
    void anIdleNoticeRenewedKeepsHolding() {
        assertThat(lateDroppedAfterAMinute(5)).as("its instant ran at +36 s: late").isOne();
    }

    /**
     * The lease counts from when the notice is read: stamped by a host whose clock is a minute behind, it still
     * holds, where counted from its stamp it ran out as it came, and a partition that never has data would have held
     * evaluation back for good.
     */
    @Test
    void aNoticeStampedByAClockBehindStillHolds() {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final long w = context.currentSystemTimeMs();
        final SeriesEvaluationProcessor evaluation = twoSources(registry, context);
        watermark(evaluation, "p1", w);
        context.setCurrentSystemTimeMs(w + 120_000);
        watermark(evaluation, "p0", w + 120_000);
        idle(evaluation, "p1", w + 60_000);
        watermark(evaluation, "p0", w + 130_000);
        probe(evaluation, w + 100_000);
        assertThat(lateDropped(registry)).as("event time moved on without p1: its instant ran").isOne();
    }

    /**
     * Partition p1 announced idle at the start, and again every {@code renewEverySeconds} (0: never again), while p0
     * goes on for a minute; then a point written to p1 at +20 s comes, read at +60 s. How many points were dropped as
     * late.
     */
    private static double lateDroppedAfterAMinute(final int renewEverySeconds) {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final long w = context.currentSystemTimeMs();
        final SeriesEvaluationProcessor evaluation = twoSources(registry, context);
        watermark(evaluation, "p0", w);
        watermark(evaluation, "p1", w);
        idle(evaluation, "p1", w);
        for (long s = 1; s <= 60; s++) {
            context.setCurrentSystemTimeMs(w + s * 1_000);
            if (renewEverySeconds > 0 && s % renewEverySeconds == 0) {
                idle(evaluation, "p1", w + s * 1_000);
            }
            watermark(evaluation, "p0", w + s * 1_000);
        }
        probe(evaluation, w + 20_000);
        watermark(evaluation, "p1", w + 60_000);
        return lateDropped(registry);
    }

    /** A task of two input partitions, p0 and p1, whose rule is due every second; a grace of 15 s; started. */
    private static SeriesEvaluationProcessor twoSources(final SimpleMeterRegistry registry,
                                                        final MockProcessorContext<String, EvaluationOutput> context) {
        return twoSources(new EvaluationMetrics(registry), context);
    }

    private static SeriesEvaluationProcessor twoSources(final EvaluationMetrics metrics,
                                                        final MockProcessorContext<String, EvaluationOutput> context) {
        final LoadResult loaded = RuleLoader.parse("probe.yaml", PROBE_RULES);
        final SeriesEvaluationProcessor evaluation = new SeriesEvaluationProcessor(new LiveRules(loaded.ruleSet()),
                15_000, 86_400_000, InputSources.any(2), false, 100_000, 1, metrics, SourceLag.CAUGHT_UP,
                new SeriesQuestions());
        evaluation.init(context);
        return evaluation;
    }

    /**
     * Evaluation that stands still while Kafka Streams runs (a partition's event time held back by a hung broker) is
     * seen on /metrics: how far the task's evaluated event time is behind the wall clock, nothing while it holds none.
     */
    @Test
    void theLagGaugeShowsEvaluationStandingStill() {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final long w = context.currentSystemTimeMs();
        final long[] wall = {w};
        final SeriesEvaluationProcessor evaluation = twoSources(new EvaluationMetrics(registry, () -> wall[0]),
                context);
        final io.micrometer.core.instrument.Gauge lag = registry.get("vigil.evaluation.lag").gauge();
        assertThat(lag.value()).as("nothing evaluated yet").isNaN();
        watermark(evaluation, "p0", w);
        watermark(evaluation, "p1", w);
        wall[0] = w + 1_000;
        assertThat(lag.value()).isEqualTo(1.0);
        for (long s = 1; s <= 120; s++) {
            context.setCurrentSystemTimeMs(w + s * 1_000);
            watermark(evaluation, "p0", w + s * 1_000);
        }
        wall[0] = w + 120_000;
        assertThat(lag.value()).as("p1 holds the task's event time back").isEqualTo(120.0);
        evaluation.close();
        assertThat(lag.value()).isNaN();
    }

    private static double lateDropped(final SimpleMeterRegistry registry) {
        return registry.find("vigil.evaluation.late.dropped").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static void idle(final SeriesEvaluationProcessor evaluation, final String source, final long wallMs) {
        evaluation.process(new Record<>(null, SeriesMessageCodec.encode(new SeriesMessage.SourceIdle(source)), wallMs));
    }

    /** An engine's lag: {@link #INPUT} 50,000 records behind wherever ingest is. */
    private static SourceLag backlogOfOtherTasks() {
        return new SourceLag() {
            @Override
            public OptionalLong of(final String topic, final int partition) {
                return OptionalLong.of(0);
            }

            @Override
            public OptionalLong after(final String topic, final int partition, final long offset) {
                return OptionalLong.of(50_000);
            }
        };
    }

    /** A task of an engine whose rule is due every second. */
    private static SeriesEvaluationProcessor processor(final SourceLag engine) {
        final LoadResult loaded = RuleLoader.parse("probe.yaml", PROBE_RULES);
        assertThat(loaded.problems()).isEmpty();
        return new SeriesEvaluationProcessor(new LiveRules(loaded.ruleSet()), 1_000, 86_400_000, InputSources.any(1),
                false, 100_000, 1, new EvaluationMetrics(new SimpleMeterRegistry()), engine, new SeriesQuestions());
    }

    /** A point of the rule's series, from which its instants are scheduled. */
    private static void probe(final SeriesEvaluationProcessor evaluation, final long timestampMs) {
        final Series probe = new Series("probe", Labels.of("instance", "p"));
        evaluation.process(new Record<>(probe.key().getBytes(StandardCharsets.UTF_8), SeriesMessageCodec.encode(
                new SeriesMessage.Point(new Datapoint(probe, 10, timestampMs))), timestampMs));
    }

    private static void watermark(final SeriesEvaluationProcessor evaluation, final long timestampMs) {
        watermark(evaluation, "p0", timestampMs);
    }

    private static void watermark(final SeriesEvaluationProcessor evaluation, final String source,
                                  final long timestampMs) {
        evaluation.process(new Record<>(null, SeriesMessageCodec.encode(new SeriesMessage.Watermark(source,
                timestampMs)), timestampMs));
    }

    /** The processor's check for instants put off, at a tenth of a second: the last punctuator it schedules. */
    private static void checkDeferred(final MockProcessorContext<String, EvaluationOutput> context) {
        final List<MockProcessorContext.CapturedPunctuator> scheduled = context.scheduledPunctuators();
        final MockProcessorContext.CapturedPunctuator check = scheduled.get(scheduled.size() - 1);
        assertThat(check.getInterval()).isEqualTo(CommitPacing.QUIET_CHECK);
        check.getPunctuator().punctuate(context.currentSystemTimeMs());
    }

    private static SeriesEvaluationProcessor processor(final boolean inTask) {
        return new SeriesEvaluationProcessor(new LiveRules(new RuleSet(List.of())), 15_000, 86_400_000,
                InputSources.any(1), inTask, 100_000, 1, new EvaluationMetrics(new SimpleMeterRegistry()),
                io.vigil.ingest.SourceLag.CAUGHT_UP, new SeriesQuestions());
    }

    private static String placement(final MockProcessorContext<String, EvaluationOutput> context) {
        final WriteBehindStore<byte[]> progress = context.getStateStore(SeriesEvaluationProcessor.PROGRESS_STORE);
        progress.flushCache(); // written at the commit
        return new String(progress.get(SeriesEvaluationProcessor.PLACEMENT_KEY), StandardCharsets.UTF_8);
    }

    private static MockProcessorContext<String, EvaluationOutput> context() {
        final MockProcessorContext<String, EvaluationOutput> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_764_600_000_000L);
        for (StateStore store : List.of(SeriesEvaluationProcessor.seriesStore(false).build(),
                WriteBehindStore.ofBytes(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                        SeriesEvaluationProcessor.PROGRESS_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled()).build())) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        return context;
    }
}
