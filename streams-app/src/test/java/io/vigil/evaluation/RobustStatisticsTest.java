package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RobustStatisticsTest {

    @Property(tries = 3_000)
    void theMedianBySelectionIsTheMedianOfTheSortedValues(@ForAll("samples") final List<Double> sample) {
        final double[] values = sample.stream().mapToDouble(Double::doubleValue).toArray();
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        final double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        final double[] work = Arrays.copyOf(values, n + 3);
        final double median = RobustStatistics.medianInPlace(work, n);
        // The same number (NaN for the median of infinities of both signs, as sorting gives).
        assertThat(median == expected || Double.isNaN(median) && Double.isNaN(expected))
                .as("%s against %s", median, expected).isTrue();
        // Only reordered: the same values are still there.
        final double[] after = Arrays.copyOf(work, n);
        Arrays.sort(after);
        assertThat(after).containsExactly(sorted);
    }

    @Test
    void smallCases() {
        assertThat(RobustStatistics.medianInPlace(new double[0], 0)).isNaN();
        assertThat(RobustStatistics.medianInPlace(new double[] {7}, 1)).isEqualTo(7);
        assertThat(RobustStatistics.medianInPlace(new double[] {9, 1}, 2)).isEqualTo(5);
        assertThat(RobustStatistics.medianInPlace(new double[] {3, 3, 3, 1}, 4)).isEqualTo(3);
        assertThat(RobustStatistics.medianInPlace(new double[] {5, 1, 4, 2, 3, 100}, 5)).isEqualTo(3);
    }

    @Test
    void theMadOfABaselineIsThatOfItsSortedHistory() {
        final Baseline b = new Baseline(7);
        for (double v : new double[] {10, 12, 11, 50, 9, 10, 13}) {
            b.offer(v);
        }
        final double[] out = new double[2];
        b.medianAndMad(out, new double[Baseline.MAX_SAMPLES]);
        // sorted: 9 10 10 11 12 13 50 -> median 11; |dev| sorted: 0 1 1 1 2 2 39 -> MAD 1
        assertThat(out).containsExactly(11, 1);
        // The ring itself is untouched by the computation.
        assertThat(b.samples()).containsExactly(10, 12, 11, 50, 9, 10, 13);
    }

    @Provide
    Arbitrary<List<Double>> samples() {
        // Few distinct values among many: ties are where a selection goes wrong.
        final Arbitrary<Double> few = Arbitraries.of(-2.0, 0.0, 1.0, 1.0, 3.5, 7.0);
        final Arbitrary<Double> any = Arbitraries.doubles().between(-1e6, 1e6);
        return Arbitraries.oneOf(few, any, Arbitraries.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY))
                .list().ofMinSize(1).ofMaxSize(200);
    }
}
