package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DeliveredOffsetsTest {

    private static final TopicPartition P0 = new TopicPartition("alerts", 0);
    private static final TopicPartition P1 = new TopicPartition("alerts", 1);

    @Test
    void anOffsetIsCommittedOnlyOnceEveryEventBeforeItIsDone() {
        final DeliveredOffsets offsets = new DeliveredOffsets();
        for (long o = 10; o < 15; o++) {
            offsets.started(P0, o);
        }
        offsets.done(P0, 11);
        offsets.done(P0, 12);
        // 10 is still in flight: resume at 10; 11 and 12 are done, and the commit says so.
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10, "vigil-done:1-2")));
        offsets.committed(offsets.toCommit());
        assertThat(offsets.toCommit()).isEmpty();
        offsets.done(P0, 14);
        assertThat(offsets.toCommit()).as("the same offset, more done past it")
                .isEqualTo(Map.of(P0, new OffsetAndMetadata(10, "vigil-done:1-2,4")));
        offsets.done(P0, 10);
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(13, "vigil-done:1")));
        offsets.committed(offsets.toCommit());
        offsets.done(P0, 13);
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(15, "")));
        assertThat(offsets.notDone()).isZero();
    }

    @Test
    void aRestartDoesNotSendAgainWhatTheCommitSaysWasDone() {
        final DeliveredOffsets offsets = new DeliveredOffsets();
        offsets.resumeFrom(P0, new OffsetAndMetadata(10, "vigil-done:1-2,4"));
        offsets.resumeFrom(P1, null);
        assertThat(List.of(10L, 11L, 12L, 13L, 14L, 15L).stream().filter(o -> offsets.doneBefore(P0, o)))
                .containsExactly(11L, 12L, 14L);
        assertThat(offsets.doneBefore(P1, 0)).isFalse();
        // Another tool's metadata, or none: everything from the offset is sent.
        offsets.resumeFrom(P0, new OffsetAndMetadata(10, "written by someone else"));
        assertThat(offsets.doneBefore(P0, 11)).isFalse();
        offsets.resumeFrom(P0, new OffsetAndMetadata(10, "vigil-done:x-"));
        assertThat(offsets.doneBefore(P0, 11)).isFalse();
    }

    /**
     * A receiver new to a partition whose offsets 0 to 9 are history, of which 3 and 7 (the latest of their alerts,
     * firing) are sent: the rest are done unsent, and until the commit passes 10 it says where the history ends, so
     * that a restart in the middle reads it again rather than sending it.
     */
    @Test
    void historyIsDoneUnsentAndTheCommitSaysWhereItEndsUntilPastIt() {
        final DeliveredOffsets offsets = new DeliveredOffsets();
        offsets.resumeFrom(P0, null);
        offsets.skip(P0, new AlertHistory(10, Set.of(3L, 7L), 10));
        final List<Long> sent = new ArrayList<>();
        for (long o = 0; o < 12; o++) {
            offsets.started(P0, o);
            if (offsets.doneBefore(P0, o)) {
                offsets.done(P0, o);
            } else {
                sent.add(o);
            }
        }
        assertThat(sent).containsExactly(3L, 7L, 10L, 11L);
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(3, "vigil-history-until:10;vigil-done:1-3,5-6")));
        final OffsetAndMetadata midway = offsets.toCommit().get(P0);
        assertThat(DeliveredOffsets.historyUntil(midway)).isEqualTo(10);
        offsets.done(P0, 3);
        offsets.done(P0, 7);
        assertThat(offsets.toCommit()).as("history passed: no mark")
                .isEqualTo(Map.of(P0, new OffsetAndMetadata(10, "")));
        assertThat(DeliveredOffsets.historyUntil(offsets.toCommit().get(P0))).isEqualTo(-1);
        assertThat(DeliveredOffsets.historyUntil(null)).isEqualTo(-1);
        assertThat(DeliveredOffsets.historyUntil(new OffsetAndMetadata(3, "vigil-history-until:zz"))).isEqualTo(-1);

        // Restarted from the commit made midway: the events its metadata lists as done are not sent again.
        final DeliveredOffsets restarted = new DeliveredOffsets();
        restarted.resumeFrom(P0, midway);
        assertThat(List.of(4L, 5L, 6L, 7L).stream().filter(o -> restarted.doneBefore(P0, o))).containsExactly(4L, 5L, 6L);

        // Kept through a pause (a rebalance): the history is still skipped.
        final DeliveredOffsets paused = new DeliveredOffsets();
        paused.skip(P0, new AlertHistory(10, Set.of(3L), 10));
        paused.started(P0, 0);
        assertThat(paused.restart(P0)).isZero();
        assertThat(List.of(0L, 1L, 3L).stream().filter(o -> paused.doneBefore(P0, o))).containsExactly(0L, 1L);
    }

    @Test
    void aPartitionKeptThroughAPauseIsReadAgainFromItsFirstEventNotDone() {
        final DeliveredOffsets offsets = new DeliveredOffsets();
        offsets.started(P0, 0);
        offsets.started(P1, 7);
        offsets.started(P1, 8);
        offsets.started(P1, 9);
        offsets.done(P1, 7);
        offsets.done(P1, 9);
        assertThat(offsets.notDone()).isEqualTo(2);
        assertThat(offsets.restart(P1)).isEqualTo(8);
        assertThat(offsets.doneBefore(P1, 8)).isFalse();
        assertThat(offsets.doneBefore(P1, 9)).as("done before the pause: not sent again").isTrue();
        offsets.forget(List.of(P0));
        assertThat(offsets.restart(P0)).isEqualTo(-1);
        assertThat(offsets.notDone()).isZero();
        // An event that ends after its partition went is not counted anywhere.
        offsets.done(P0, 0);
        assertThat(offsets.toCommit()).isEmpty();
    }
}
