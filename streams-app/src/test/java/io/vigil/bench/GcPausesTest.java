package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The collector's pauses as the bench hears them, and which of them stopped a probe alert on its path. */
class GcPausesTest {

    @Test
    void aCollectionIsHeardWithWhenItBeganOnTheWallClock() {
        try (GcPauses gc = GcPauses.listen()) {
            final long before = System.currentTimeMillis();
            System.gc();
            final long after = System.currentTimeMillis();

            // Announced on a thread of the JVM's own, moments later. The JVM times collections from its start on a
            // clock of its own: allow it a second against the wall clock.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(gc.between(before - 1_000, after + 1_000)).isNotEmpty());
            final GcPauses.Pause pause = gc.between(before - 1_000, after + 1_000).get(0);
            assertThat(pause.durationMs()).isNotNegative().isLessThanOrEqualTo(after - before + 1_000);
            assertThat(GcPauses.pauses(pause.collector())).as(pause.collector()).isTrue();
            assertThat(gc.between(after + 60_000, after + 120_000)).as("none in a later minute").isEmpty();
        }
    }

    @Test
    void aPauseIsOnAPathItOverlaps() {
        final List<GcPauses.Pause> pauses = List.of(new GcPauses.Pause(1_000, 40, "PS Scavenge"),
                new GcPauses.Pause(5_000, 0, "PS Scavenge"));

        assertThat(GcPauses.anyWithin(pauses, 1_020, 2_000)).as("began before the path, ended on it").isTrue();
        assertThat(GcPauses.anyWithin(pauses, 900, 1_010)).as("began on the path").isTrue();
        assertThat(GcPauses.anyWithin(pauses, 1_041, 4_999)).as("between the two").isFalse();
        assertThat(GcPauses.anyWithin(pauses, 5_000, 5_000)).as("a pause shorter than a millisecond").isTrue();
        assertThat(GcPauses.anyWithin(List.of(), 0, Long.MAX_VALUE)).isFalse();
    }

    @Test
    void concurrentCyclesAreNotPauses() {
        assertThat(List.of("PS Scavenge", "PS MarkSweep", "G1 Young Generation", "G1 Old Generation", "ZGC Pauses",
                "Copy", "MarkSweepCompact")).allMatch(GcPauses::pauses);
        assertThat(List.of("ZGC Cycles", "G1 Concurrent GC", "Shenandoah Cycles")).noneMatch(GcPauses::pauses);
    }
}
