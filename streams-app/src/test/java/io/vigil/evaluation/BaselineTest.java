package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BaselineTest {

    @Test
    void theRingHoldsTheBaselinesKeptEvaluationsAndNoMore() {
        // evaluations -> {stride, slots}: every evaluation up to 180, then every k-th, never older than the baseline.
        final long[][] cases = {{1, 1, 1}, {90, 1, 90}, {180, 1, 180}, {181, 2, 90}, {186, 2, 93}, {240, 2, 120},
                {360, 2, 180}, {361, 3, 120}, {1440, 8, 180}};
        for (long[] c : cases) {
            final Baseline b = new Baseline(c[0]);
            assertThat(b.stride()).as("stride for %d", c[0]).isEqualTo((int) c[1]);
            assertThat(b.samples()).as("slots for %d", c[0]).hasSize((int) c[2]);
            assertThat(b.stride() * b.samples().length).as("span for %d", c[0]).isLessThanOrEqualTo((int) c[0]);
        }
    }

    @Test
    void warmOnceHalfTheBaselineIsKept() {
        final Baseline b = new Baseline(186);
        for (int i = 1; i <= 92; i++) {
            b.offer(i);
            assertThat(b.isWarm()).as("after %d evaluations", i).isFalse();
        }
        b.offer(93);
        assertThat(b.isWarm()).isTrue();
    }

    /** Evaluations without a value push out old values as others do, and count neither to warm up nor in the median. */
    @Test
    void evaluationsWithoutAValueTakeTheirTimeAndNothingElse() {
        final Baseline b = new Baseline(6);
        b.offer(100);
        b.skip(4);
        b.offer(3);
        assertThat(b.isWarm()).as("two values of six slots").isFalse();
        b.offer(2);
        assertThat(b.isWarm()).as("two values of six slots, the 100 pushed out").isFalse();
        b.offer(1);
        assertThat(b.isWarm()).isTrue();
        final double[] out = new double[2];
        b.medianAndMad(out, new double[Baseline.MAX_SAMPLES]);
        assertThat(out).containsExactly(2, 1);
        b.meanAndStddev(out);
        assertThat(out[0]).isEqualTo(2);
        assertThat(b.evaluationsHeld()).isEqualTo(3);
        b.skip(6);
        assertThat(b.size()).as("a gap of the whole baseline empties it").isZero();
    }

    @Test
    void refittedKeepsTheNewestSamplesTakenAtTheSameStride() {
        // A ring of 180 at stride 2 (a state written before the ring fitted the baseline), 200 samples offered.
        final Baseline old = new Baseline("r", new double[180], 2, 0, 0, 0);
        for (int i = 0; i < 400; i++) {
            old.offer(i);
        }
        assertThat(old.fits(186)).isFalse();
        final Baseline fitted = old.refitted(186);
        assertThat(fitted.fits(186)).isTrue();
        assertThat(fitted.size()).isEqualTo(93);
        // The newest 93 samples, 214 to 398 (every second), oldest first; the next offer overwrites the oldest.
        assertThat(fitted.samples()[0]).isEqualTo(214);
        assertThat(fitted.samples()[92]).isEqualTo(398);
        fitted.offer(400);
        assertThat(fitted.samples()[0]).isEqualTo(400);
        fitted.offer(401); // not kept: every second evaluation
        assertThat(fitted.samples()[1]).isEqualTo(216);

        // A partly filled ring keeps all it has, in order.
        final Baseline young = new Baseline("r", new double[180], 2, 0, 0, 0);
        for (int i = 0; i < 20; i++) {
            young.offer(i);
        }
        final Baseline youngFitted = young.refitted(186);
        assertThat(youngFitted.size()).isEqualTo(10);
        assertThat(youngFitted.samples()[9]).isEqualTo(18);
        assertThat(youngFitted.head()).isEqualTo(10);

        // Another stride (the rule's baseline or every changed): the times of the samples would be misread.
        assertThat(old.refitted(720).size()).isZero();
    }

    @Test
    void aStateAsksForTheRingItsRuleWants() {
        final SeriesState state = new SeriesState(new io.vigil.model.Series("cpu", io.vigil.model.Labels.of("instance", "db")));
        final Baseline first = state.baseline("r", 186);
        assertThat(state.baseline("r", 186)).isSameAs(first);
        for (int i = 0; i < 10; i++) {
            first.offer(i);
        }
        // The rule's baseline changed from 31 to 60 minutes at 10 s: same stride, a larger ring, the history kept.
        final Baseline longer = state.baseline("r", 360);
        assertThat(longer.samples()).hasSize(180);
        assertThat(longer.size()).isEqualTo(5);
        assertThat(state.baseline("r", 360)).isSameAs(longer);
    }
}
