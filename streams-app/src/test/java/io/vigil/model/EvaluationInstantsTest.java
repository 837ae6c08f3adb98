package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A point's first evaluation instant, and whether it has run. */
class EvaluationInstantsTest {

    private static final long STEP = 10_000;
    private static final long GRACE = 15_000;

    @Test
    void aTimestampRoundsUpToTheStepAnAlignedOneIsItsOwnInstant() {
        assertThat(EvaluationInstants.firstSeeing(1_000_000_004_000L, STEP)).isEqualTo(1_000_000_010_000L);
        assertThat(EvaluationInstants.firstSeeing(1_000_000_010_000L, STEP)).isEqualTo(1_000_000_010_000L);
        assertThat(EvaluationInstants.firstSeeing(1_000_000_010_001L, STEP)).isEqualTo(1_000_000_020_000L);
        // Before 1970 too: up is towards the future.
        assertThat(EvaluationInstants.firstSeeing(-4_000, STEP)).isEqualTo(0);
        assertThat(EvaluationInstants.firstSeeing(-14_000, STEP)).isEqualTo(-10_000);
        // Without rules there is no step: the timestamp itself.
        assertThat(EvaluationInstants.firstSeeing(4_000, 0)).isEqualTo(4_000);
    }

    @Test
    void aPointIsLateOnceItsInstantPlusGraceIsReached() {
        // The audit's example: 16 s behind 01:47:00, its instant 01:46:50 due at 01:47:05.
        assertThat(EvaluationInstants.isLate(4_000, STEP, GRACE, 20_000)).isFalse();
        assertThat(EvaluationInstants.isLate(4_000, STEP, GRACE, 24_999)).isFalse();
        assertThat(EvaluationInstants.isLate(4_000, STEP, GRACE, 25_000)).isTrue();
        // Exactly grace behind: aligned, late; unaligned, not yet.
        assertThat(EvaluationInstants.isLate(10_000, STEP, GRACE, 25_000)).isTrue();
        assertThat(EvaluationInstants.isLate(11_000, STEP, GRACE, 26_000)).isFalse();
        // Less than grace behind: never.
        assertThat(EvaluationInstants.isLate(20_000, STEP, GRACE, 34_999)).isFalse();
        // No event time yet: nothing is late.
        assertThat(EvaluationInstants.isLate(Long.MIN_VALUE + 1, STEP, GRACE, Long.MIN_VALUE)).isFalse();
        // Without rules, by distance as before: grace behind is late.
        assertThat(EvaluationInstants.isLate(11_000, 0, GRACE, 26_000)).isTrue();
        assertThat(EvaluationInstants.isLate(11_001, 0, GRACE, 26_000)).isFalse();
    }
}
