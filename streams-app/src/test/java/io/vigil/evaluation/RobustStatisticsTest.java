package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RobustStatisticsTest {

    @Test
    void theMedianBySelectionIsTheMedianOfTheSortedValues() {
        Tries.run(0x3ED_0001L, 3_000, RobustStatisticsTest::sample, sample -> {
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
        });
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

    private static final double[] FEW = {-2.0, 0.0, 1.0, 1.0, 3.5, 7.0};
    /** Where doubles in [-1e6, 1e6] end and begin: the bounds, 0, and 1 and 0.01 of either sign. */
    private static final double[] EDGES = {-1e6, -1.0, -0.01, 0.0, 0.01, 1.0, 1e6};

    /**
     * 1 to 200 values, mostly up to about 55, now and then one alone; each one of a few values (ties are where a
     * selection goes wrong), any in [-1e6, 1e6] with two decimal places (now and then an edge of that), or an infinity.
     */
    private static List<Double> sample(final Random r) {
        final int size = Gen.edge(r) ? 1 : Gen.size(r, 1, 200, 3_000);
        return Gen.list(r, size, random -> switch (random.nextInt(3)) {
            case 0 -> FEW[random.nextInt(FEW.length)];
            case 1 -> random.nextInt(15) == 0 ? EDGES[random.nextInt(EDGES.length)] : Gen.decimal(random, -1e6, 1e6);
            default -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        });
    }
}
