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
    void anIdleNoticeHoldsUntilItsLeaseRunsOutAndARenewalExtendsIt() {
        final EventClock clock = new EventClock(2);
        clock.onWatermark("a", 100);
        clock.onWatermark("b", 50);
        clock.onIdle("b", 1_000);
        clock.expireIdle(999);
        assertThat(clock.lowWatermark()).isEqualTo(OptionalLong.of(100));
        clock.onIdle("b", 2_000);
        clock.expireIdle(1_500);
        assertThat(clock.lowWatermark()).as("renewed").isEqualTo(OptionalLong.of(100));
        clock.expireIdle(2_000);
        assertThat(clock.lowWatermark()).as("not renewed: waited for again").isEqualTo(OptionalLong.of(50));
        clock.onIdle("b");
        clock.expireIdle(Long.MAX_VALUE);
        assertThat(clock.lowWatermark()).as("a notice without a lease holds until b speaks")
                .isEqualTo(OptionalLong.of(100));
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

    private static final long MINUTE = 60_000;
    private static final long HORIZON = 15 * MINUTE;
    private static final long GRACE = 15_000;

    /** A live stream gone quiet as a whole: event time follows the wall clock for as long as the silence lasts. */
    @Test
    void aSilentStreamsTimeFollowsTheWallClockForAsLongAsTheSilenceLasts() {
        final EventClock clock = new EventClock(2);
        final long last = 1_000 * MINUTE;
        clock.onWatermark("a", last, last + 2_000); // live: it came 2 s after its time
        clock.onWatermark("b", last - 5_000, last + 2_000);
        assertThat(clock.wallClockLowWatermark(last + MINUTE, HORIZON, GRACE, 0)).as("a source still active").isEmpty();
        clock.onIdle("a");
        clock.onIdle("b");
        // A grace ahead: nothing at all came for longer than an instant waits for late points.
        assertThat(clock.wallClockLowWatermark(last + 2_000 + MINUTE, HORIZON, GRACE, 0))
                .hasValue(last + MINUTE + GRACE);
        // An hour into the silence (it stopped at 15 minutes, so an absent rule with a longer 'after' never fired).
        assertThat(clock.wallClockLowWatermark(last + 2_000 + 60 * MINUTE, HORIZON, GRACE, 0))
                .hasValue(last + 60 * MINUTE + GRACE);
        // Silent for less than the grace (a short idle timeout): only as much of the grace as has passed.
        assertThat(clock.wallClockLowWatermark(last + 2_000 + 4_000, HORIZON, GRACE, 0)).hasValue(last + 8_000);
    }

    /**
     * The run-ahead by the grace waits for the silence to last the shortest absent {@code after}: a fleet sending once
     * a minute is silent as a whole between its sends, and its next points, stamped a few seconds before they come,
     * must still find their instants waiting the grace (an audit: points on an instant, 5 s old, dropped as late).
     */
    @Test
    void aSilenceShorterThanTheShortestAbsentAfterDoesNotRunAheadByTheGrace() {
        final EventClock clock = new EventClock(1);
        final long last = 1_000 * MINUTE;
        clock.onWatermark("a", last, last + 2_000);
        clock.onIdle("a");
        final long twoMinutes = 2 * MINUTE;
        assertThat(clock.wallClockLowWatermark(last + 2_000 + 55_000, HORIZON, GRACE, twoMinutes))
                .hasValue(last + 55_000);
        assertThat(clock.wallClockLowWatermark(last + 2_000 + twoMinutes, HORIZON, GRACE, twoMinutes))
                .hasValue(last + twoMinutes + GRACE);
        assertThat(clock.wallClockLowWatermark(last + 2_000 + 60 * MINUTE, HORIZON, GRACE, Long.MAX_VALUE))
                .as("no absent rule").hasValue(last + 60 * MINUTE);
    }

    /** A source let go (its topic taken out of the input) holds the restored clock back no more. */
    @Test
    void aForgottenSourceNoLongerHoldsTheLowWatermark() {
        final EventClock before = new EventClock(3);
        before.onWatermark("metrics/0", 5_000);
        before.onWatermark("metrics/1", 6_000);
        before.onWatermark("extra/0", 1_000);
        final EventClock after = new EventClock(2);
        after.restore(before.encode());
        assertThat(after.lowWatermark()).hasValue(1_000);

        assertThat(after.forgetSources(source -> source.startsWith("extra/"))).containsExactly("extra/0");
        assertThat(after.lowWatermark()).hasValue(5_000);
    }

    /**
     * A topic taken out that was live after the others fell silent: the silence of the others is still timed from
     * the newest data, to which event time has already run, and pages. Timed from the others' own newest, 20
     * minutes old when the topic last sent, it read as old data and never did.
     */
    @Test
    void aSilenceOfTheSourcesKeptGoesOnFromTheNewestDataWhenAnotherIsLetGo() {
        final EventClock before = new EventClock(2);
        final long last = 1_000 * MINUTE;
        before.onWatermark("metrics/0", last, last + 1_000);
        before.onWatermark("extra/0", last + 20 * MINUTE, last + 20 * MINUTE + 1_000);
        final EventClock after = new EventClock(1);
        after.restore(before.encode());
        after.forgetSources(source -> source.startsWith("extra/"));
        after.onIdle("metrics/0");
        assertThat(after.wallClockLowWatermark(last + 50 * MINUTE + 1_000, HORIZON, GRACE, Long.MAX_VALUE))
                .hasValue(last + 50 * MINUTE);
    }

    /** A backtest of old data, or the end of a catch-up: its time is not moved on by the wall clock. */
    @Test
    void oldDataIsNotMovedOnByTheWallClock() {
        final EventClock clock = new EventClock(1);
        final long year = 365 * 24 * 60 * MINUTE;
        clock.onWatermark("a", 1_000 * MINUTE, 1_000 * MINUTE + year);
        clock.onIdle("a");
        assertThat(clock.wallClockLowWatermark(1_000 * MINUTE + year + MINUTE, HORIZON, GRACE, 0)).isEmpty();
    }

    /**
     * Restarted (or moved by a rebalance) while the stream is silent: the silence is timed from the last data, as
     * before the restart. The clock had no newest watermark after a restore, and no time moved until data came back.
     */
    @Test
    void aRestoredClockTimesASilenceFromTheLastData() {
        final EventClock before = new EventClock(1);
        final long last = 1_000 * MINUTE;
        before.onWatermark("a", last, last + 1_000);
        final EventClock after = new EventClock(1);
        after.restore(before.encode());
        after.onIdle("a"); // ingest announces its idle source again after the restart
        assertThat(after.wallClockLowWatermark(last + 1_000 + 3 * MINUTE, HORIZON, GRACE, 0))
                .hasValue(last + 3 * MINUTE + GRACE);

        // A clock written before the newest watermark was kept reads as before: its silence is not timed.
        final byte[] written = before.encode();
        final EventClock legacy = new EventClock(1);
        legacy.restore(java.util.Arrays.copyOf(written, written.length - 2 * Long.BYTES));
        legacy.onIdle("a");
        assertThat(legacy.lowWatermark()).hasValue(last);
        assertThat(legacy.wallClockLowWatermark(last + 3 * MINUTE, HORIZON, GRACE, 0)).isEmpty();
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
