package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

class CommitPacingTest {

    private static final long NOW = 1_796_045_240_000L;
    private static final String TOPIC = "metrics";

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    /** Records waiting per topic; absent: not known yet. */
    private final Map<String, Long> waiting = new HashMap<>();
    /** The end offset known per topic, for {@link SourceLag#after}; absent: not known. */
    private final Map<String, Long> ends = new HashMap<>();
    /** How often {@link SourceLag#after} was asked. */
    private int looks;
    private final SourceLag lag = new SourceLag() {
        @Override
        public OptionalLong of(final String topic, final int partition) {
            return waiting.containsKey(topic) ? OptionalLong.of(waiting.get(topic)) : OptionalLong.empty();
        }

        @Override
        public OptionalLong after(final String topic, final int partition, final long offset) {
            looks++;
            return ends.containsKey(topic) ? OptionalLong.of(ends.get(topic) - offset - 1) : OptionalLong.empty();
        }
    };
    private final CommitPacing pacing = CommitPacing.forIngest(context, lag);

    CommitPacingTest() {
        context.setCurrentSystemTimeMs(NOW);
    }

    @Test
    void commitsAtOnceWhatLiveDataWaitsFor() {
        pacing.commitIfLive(NOW - CommitPacing.LIVE_WITHIN_MS);

        assertThat(context.committed()).isTrue();
    }

    @Test
    void leavesABacklogsOutputToTheInterval() {
        pacing.commitIfLive(NOW - CommitPacing.LIVE_WITHIN_MS - 1);
        pacing.commitIfLive(Long.MIN_VALUE);

        assertThat(context.committed()).isFalse();
    }

    @Test
    void commitsOnceTheInputHasStoppedAndAllOfItIsRead() {
        waiting.put(TOPIC, 0L);
        pacing.processed(TOPIC, 0);
        check();
        assertThat(context.committed()).as("records in the last check period: still busy").isFalse();

        check();
        assertThat(context.committed()).as("a quiet period, nothing waiting").isTrue();

        context.resetCommit();
        check();
        assertThat(context.committed()).as("nothing processed since the request").isFalse();
    }

    @Test
    void aQuietTaskWithRecordsStillWaitingIsBehindNotDone() {
        pacing.processed(TOPIC, 0);
        check();
        waiting.put(TOPIC, 1_000L);
        check();
        assertThat(context.committed()).as("records waiting in Kafka").isFalse();

        waiting.remove(TOPIC);
        check();
        assertThat(context.committed()).as("the lag not known yet").isFalse();

        waiting.put(TOPIC, 0L);
        check();
        assertThat(context.committed()).isTrue();
    }

    @Test
    void everyTopicReadMustBeCaughtUp() {
        waiting.put(TOPIC, 0L);
        waiting.put("other", 5L);
        pacing.processed(TOPIC, 0);
        pacing.processed("other", 0);
        check();
        check();
        assertThat(context.committed()).isFalse();

        waiting.put("other", 0L);
        check();
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aLaterStageWaitsWhileIngestOnItsOwnThreadIsBehind() {
        // Ingest's output becomes readable only at a commit: a stage is quiet after every chunk of a backlog.
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        stageReadingWhileIngestIsBehind(stageContext, lag);
        final long t = NOW + 60_000;
        check(context, t);
        check(stageContext, t);
        check(context, t + 100);
        check(stageContext, t + 100);
        assertThat(stageContext.committed()).as("ingest behind").isFalse();

        waiting.put(TOPIC, 0L);
        check(context, t + 200);
        check(stageContext, t + 200);
        assertThat(stageContext.committed()).as("ingest was behind moments ago").isFalse();
        check(context, t + 400);
        check(stageContext, t + 400);
        assertThat(stageContext.committed()).as("the backlog is done").isTrue();
    }

    @Test
    void aLaterStageWaitsWhileIngestOnAnotherThreadIsBehind() throws Exception {
        // Two stream threads: the evaluation task's thread may hold no ingest task at all.
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        stageReadingWhileIngestIsBehind(stageContext, lag);
        final long t = NOW + 120_000;
        final Thread ingestThread = new Thread(() -> check(context, t));
        ingestThread.start();
        ingestThread.join();

        check(stageContext, t + 100);
        check(stageContext, t + 200);

        assertThat(stageContext.committed()).as("ingest behind on the other thread").isFalse();
    }

    @Test
    void anotherEnginesBacklogHoldsNothingBack() {
        // Another engine in the same JVM: its own main consumers, so its own SourceLag, reporting the same lags.
        final SourceLag otherEngine = (topic, partition) -> lag.of(topic, partition);
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        stageReadingWhileIngestIsBehind(stageContext, otherEngine);
        final long t = NOW + 180_000;
        check(context, t);

        check(stageContext, t + 100);
        check(stageContext, t + 200);

        assertThat(stageContext.committed()).as("its own ingest is not behind").isTrue();
    }

    @Test
    void commitsTheEndOfABacklogAsSoonAsItIsProcessed() {
        ends.put(TOPIC, 100_000L);
        ingestProcesses(0, 99_999);
        assertThat(context.committed()).as("records known to follow").isFalse();

        pacing.processed(TOPIC, 99_999);

        assertThat(context.committed()).as("the last record known, no quiet period waited for").isTrue();
        assertThat(looks).as("looked again halfway to the end each time, not at every record").isLessThan(40);
    }

    @Test
    void leavesTheEndOfASmallBurstToTheQuietCheck() {
        ends.put(TOPIC, 100L);
        ingestProcesses(0, 100);

        assertThat(context.committed()).as("fewer than a backlog's records: live data").isFalse();
    }

    @Test
    void findsTheEndAgainWhereMoreRecordsArrivedMeanwhile() {
        ends.put(TOPIC, 20_000L);
        pacing.processed(TOPIC, 0);
        ends.put(TOPIC, 40_000L);
        ingestProcesses(1, 20_000);
        assertThat(context.committed()).as("the end moved on").isFalse();

        ingestProcesses(20_000, 40_000);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void aLaterStageCommitsTheEndOfItsInputOnceNoIngestIsInABacklog() {
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        final CommitPacing stage = CommitPacing.forStage(stageContext, lag);
        ends.put(TOPIC, 50_000L);
        ends.put("series-repartition", 11L);
        pacing.processed(TOPIC, 0);

        stage.processed("series-repartition", 10);
        assertThat(stageContext.committed()).as("ingest in a backlog: the stage's input is a chunk of it").isFalse();

        ingestProcesses(1, 50_000);
        ends.put("series-repartition", 20L);
        stage.processed("series-repartition", 18);

        assertThat(stageContext.committed()).as("the last chunk, its commit's marker after it").isTrue();
    }

    @Test
    void aClosedTasksBacklogHoldsNoStageBack() {
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        final CommitPacing stage = CommitPacing.forStage(stageContext, lag);
        ends.put(TOPIC, 50_000L);
        ends.put("series-repartition", 1L);
        pacing.processed(TOPIC, 0);

        pacing.close();
        stage.processed("series-repartition", 0);

        assertThat(stageContext.committed()).isTrue();
    }

    @Test
    void aStageLeavesTheEndOfInputHandedOverToIngest() {
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        final CommitPacing stage = CommitPacing.forStage(stageContext, lag);
        ends.put(TOPIC, 1L);

        stage.processedHandedOver(TOPIC);

        assertThat(stageContext.committed()).as("live input, read by ingest of the same task").isFalse();
        assertThat(looks).as("the end of ingest's input, looked for").isZero();
    }

    @Test
    void aStageCommitsWhatIngestHandedOverOnceQuietAndItsTopicIsRead() {
        final MockProcessorContext<Object, Object> stageContext = new MockProcessorContext<>();
        final CommitPacing stage = CommitPacing.forStage(stageContext, lag);
        waiting.put(TOPIC, 5L);
        stage.processedHandedOver(TOPIC);
        check(stageContext, NOW);
        assertThat(stageContext.committed()).as("records in the last check period: still busy").isFalse();

        check(stageContext, NOW + 100);
        assertThat(stageContext.committed()).as("records of the handed-over topic still waiting").isFalse();

        waiting.put(TOPIC, 0L);
        check(stageContext, NOW + 200);
        assertThat(stageContext.committed()).as("a quiet period, the topic read").isTrue();
    }

    /** Ingest processes offsets {@code from} to {@code to} (exclusive) of {@link #TOPIC}. */
    private void ingestProcesses(final long from, final long to) {
        for (long offset = from; offset < to; offset++) {
            pacing.processed(TOPIC, offset);
        }
    }

    private void check() {
        check(context, context.currentSystemTimeMs());
    }

    /** A later stage of {@code engine}, that has read all of its input, while ingest has 1,000 records waiting. */
    private void stageReadingWhileIngestIsBehind(final MockProcessorContext<Object, Object> stageContext,
                                                 final SourceLag engine) {
        final CommitPacing stage = CommitPacing.forStage(stageContext, engine);
        waiting.put(TOPIC, 1_000L);
        waiting.put("series-repartition", 0L);
        pacing.processed(TOPIC, 0);
        stage.processed("series-repartition", 0);
    }

    private static void check(final MockProcessorContext<Object, Object> context, final long wallMs) {
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(wallMs);
    }
}
