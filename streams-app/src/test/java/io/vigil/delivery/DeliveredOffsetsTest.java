package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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
        // 10 is still in flight: resume at 10 (11 and 12 would be sent again after a crash).
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));
        offsets.committed(offsets.toCommit());
        assertThat(offsets.toCommit()).isEmpty();
        offsets.done(P0, 10);
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(13)));
        offsets.committed(offsets.toCommit());
        offsets.done(P0, 13);
        offsets.done(P0, 14);
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(15)));
        assertThat(offsets.notDone()).isZero();
    }

    @Test
    void partitionsAreTheirOwnAndForgotten() {
        final DeliveredOffsets offsets = new DeliveredOffsets();
        offsets.started(P0, 0);
        offsets.started(P1, 7);
        offsets.started(P1, 8);
        offsets.done(P1, 7);
        assertThat(offsets.notDone()).isEqualTo(2);
        assertThat(offsets.resumeAt(P0)).isZero();
        assertThat(offsets.resumeAt(P1)).isEqualTo(8);
        offsets.forget(List.of(P1));
        assertThat(offsets.resumeAt(P1)).isEqualTo(-1);
        assertThat(offsets.toCommit()).isEqualTo(Map.of(P0, new OffsetAndMetadata(0)));
        offsets.forgetAll();
        assertThat(offsets.notDone()).isZero();
        // An event that ends after its partition went is not counted anywhere.
        offsets.done(P0, 0);
        assertThat(offsets.toCommit()).isEmpty();
    }
}
