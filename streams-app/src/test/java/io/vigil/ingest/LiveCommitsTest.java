package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/** When ingest asks Kafka Streams for a commit ahead of its interval: on live data, at the live pace. */
class LiveCommitsTest {

    private static final long NOW = 1_796_045_240_000L;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    private final AtomicLong waiting = new AtomicLong();
    private final SourceLag lag = (topic, partition) -> OptionalLong.of(waiting.get());
    private final LiveCommits.Pace commitPace = new LiveCommits.Pace();

    private boolean asksAfter(final LiveCommits commits, final long nowMs, final long recordTimestampMs) {
        context.resetCommit();
        context.setCurrentSystemTimeMs(nowMs);
        commits.afterRecord(context, recordTimestampMs, lag, "metrics", 0);
        return context.committed();
    }

    private LiveCommits every(final long ms) {
        return LiveCommits.from(Map.of(LiveCommits.INTERVAL_CONFIG, Long.toString(ms)), commitPace);
    }

    @Test
    void liveRecordsAskForACommitAtMostOncePerInterval() {
        final LiveCommits commits = every(100);

        assertThat(asksAfter(commits, NOW, NOW - 50)).isTrue();
        assertThat(asksAfter(commits, NOW + 99, NOW + 90)).isFalse();
        assertThat(asksAfter(commits, NOW + 100, NOW + 95)).isTrue();
    }

    @Test
    void aBacklogLeavesCommitsToTheCommitInterval() {
        final LiveCommits commits = every(100);
        waiting.set(LiveCommits.BEHIND_RECORDS + 1);

        assertThat(asksAfter(commits, NOW, NOW - LiveCommits.BEHIND_MS - 1)).isFalse();
        // A record just stamped: caught up in time, whatever is waiting (a pause of a second or two).
        assertThat(asksAfter(commits, NOW + 100, NOW + 100 - LiveCommits.BEHIND_MS)).isTrue();
    }

    @Test
    void oldStampsWithNothingWaitingAreALateClockNotABacklog() {
        final LiveCommits commits = every(100);
        waiting.set(LiveCommits.BEHIND_RECORDS);

        assertThat(asksAfter(commits, NOW, NOW - 60_000)).isTrue();
    }

    @Test
    void offWhenNotConfiguredOrZero() {
        assertThat(asksAfter(LiveCommits.from(Map.of(), commitPace), NOW, NOW)).isFalse();
        assertThat(asksAfter(every(0), NOW, NOW)).isFalse();
    }

    private boolean laterStageAsksAt(final LiveCommits commits, final long nowMs) {
        context.resetCommit();
        context.setCurrentSystemTimeMs(nowMs);
        commits.afterOutput(context);
        return context.committed();
    }

    @Test
    void laterStagesAskAtTheLivePaceUnlessIngestIsBehind() {
        final LiveCommits ingest = every(100);
        final LiveCommits evaluation = every(100);
        waiting.set(LiveCommits.BEHIND_RECORDS + 1);

        assertThat(asksAfter(ingest, NOW, NOW - LiveCommits.BEHIND_MS - 1)).isFalse();
        assertThat(laterStageAsksAt(evaluation, NOW)).isFalse();

        waiting.set(0);
        assertThat(asksAfter(ingest, NOW + 100, NOW - LiveCommits.BEHIND_MS)).isTrue();
        // The thread asked 50 ms ago, through ingest: one commit covers both.
        assertThat(laterStageAsksAt(evaluation, NOW + 150)).isFalse();
        assertThat(laterStageAsksAt(evaluation, NOW + 200)).isTrue();
    }

    @Test
    void aThreadAsksOncePerIntervalWhicheverOfItsTasksAsks() {
        final LiveCommits one = every(100);
        final LiveCommits other = every(100);

        assertThat(asksAfter(one, NOW, NOW)).isTrue();
        assertThat(asksAfter(other, NOW + 50, NOW + 50)).isFalse();
        assertThat(asksAfter(other, NOW + 100, NOW + 100)).isTrue();
    }
}
