package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogPacingTest {

    @Test
    void theFirstLineOfAKeyIsDueThenOnePerPeriodOfThatKey() {
        final LogPacing<String> pacing = new LogPacing<>(1_000);

        assertThat(pacing.due("a", 5_000)).isTrue();
        assertThat(pacing.due("a", 5_999)).as("within the period").isFalse();
        assertThat(pacing.due("b", 5_999)).as("another key has its own").isTrue();
        assertThat(pacing.due("a", 6_000)).as("a period after the last line").isTrue();
        assertThat(pacing.due("a", 6_500)).as("the period runs from the last line, not the first").isFalse();
    }

    @Test
    void aSingleKeyIsPacedTheSameAndCanBeAskedWithoutTakingItsTurn() {
        final LogPacing.Single pacing = new LogPacing.Single(1_000);

        assertThat(pacing.wouldBeDue(Long.MIN_VALUE + 1)).as("the first, whatever the clock says").isTrue();
        assertThat(pacing.wouldBeDue(5_000)).isTrue();
        assertThat(pacing.due(5_000)).as("asking did not take the turn").isTrue();
        assertThat(pacing.wouldBeDue(5_999)).isFalse();
        assertThat(pacing.due(5_999)).isFalse();
        assertThat(pacing.due(6_000)).isTrue();
        assertThat(pacing.due(6_999)).isFalse();
    }
}
