package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class EventClockTest {

    @Test
    void theLowWatermarkIsTheSlowestActiveSource() {
        final EventClock clock = new EventClock(3);
        clock.onWatermark("a", 100);
        clock.onWatermark("b", 50);
        assertThat(clock.lowWatermark()).isEmpty();
        clock.onIdle("c");
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(50));
        clock.onIdle("b");
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(100));
        clock.onIdle("a");
        assertThat(clock.lowWatermark()).as("all idle: the newest counts").isEqualTo(OptionalLong.of(100));
        clock.onWatermark("b", 60);
        assertThat(clock.lowWatermark()).as("resuming after all were idle: c is waited for again").isEmpty();
        clock.onIdle("c");
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(60));
    }

    @Test
    void whenTheWholeStreamResumesThePartitionReadFirstDoesNotLeadAlone() {
        final EventClock clock = new EventClock(3);
        clock.onWatermark("a", 100);
        clock.onWatermark("b", 100);
        clock.onWatermark("c", 100);
        clock.onIdle("a");
        clock.onIdle("b");
        clock.onIdle("c");
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(100));
        // The pause ends; partition a happens to be read first, with points up to 500.
        clock.onWatermark("a", 500);
        assertThat(clock.lowWatermark()).as("b and c, idle only because everything was, hold it back")
                .isEqualTo(OptionalLong.of(100));
        clock.onWatermark("b", 480);
        clock.onWatermark("c", 490);
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(480));
    }

    @Test
    void aSourceIdleWhileOthersRunStaysOutWhenOneOfThemSpeaks() {
        final EventClock clock = new EventClock(2);
        clock.onWatermark("a", 100);
        clock.onWatermark("b", 50);
        clock.onIdle("b");
        clock.onWatermark("a", 200);
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(200));
    }

    @Test
    void watermarksNeverGoBack() {
        final EventClock clock = new EventClock(1);
        clock.onWatermark("a", 100);
        clock.onWatermark("a", 40);
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(100));
    }

    @Test
    void aRestoredClockKeepsWatermarksButNotIdleness() {
        final EventClock before = new EventClock(2);
        before.onWatermark("a", 100);
        before.onWatermark("b", 30);
        before.onIdle("b");
        assertThat(before.lowWatermark()).isEqualTo(OptionalLong.of(100));

        final EventClock after = new EventClock(2);
        after.restore(before.encode());
        // b may be catching up after the restart: it holds evaluation back until it says it is idle again.
        assertThat(after.lowWatermark()).isEqualTo(OptionalLong.of(30));
        after.onIdle("b");
        assertThat(after.lowWatermark()).isEqualTo(OptionalLong.of(100));
    }

    @Test
    void aRestoredSourceThatNeverSentAWatermarkHoldsEvaluationBackUntilItIsIdleAgain() {
        final EventClock before = new EventClock(2);
        before.onWatermark("a", 100);
        before.onIdle("empty");
        final EventClock after = new EventClock(2);
        after.restore(before.encode());
        assertThat(after.lowWatermark()).isEmpty();
        after.onIdle("empty");
        assertThat(after.lowWatermark()).isEqualTo(OptionalLong.of(100));
    }
}
