package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.rules.Aggregate;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WindowAggregatorTest {

    private static final double EPS = 1e-12;

    /** Points 10 s apart starting at t = 1000 s. */
    private static long[] times(final int n) {
        final long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1_000_000L + 10_000L * i;
        }
        return t;
    }

    private static double of(final Aggregate a, final double... values) {
        return WindowAggregator.compute(a, times(values.length), values, 0, values.length);
    }

    @Test
    void simpleAggregatesOfASmallWindow() {
        final double[] v = {4, -2, 7, 1};
        assertThat(of(Aggregate.AVG, v)).isEqualTo(2.5);
        assertThat(of(Aggregate.MIN, v)).isEqualTo(-2);
        assertThat(of(Aggregate.MAX, v)).isEqualTo(7);
        assertThat(of(Aggregate.SUM, v)).isEqualTo(10);
        assertThat(of(Aggregate.COUNT, v)).isEqualTo(4);
        assertThat(of(Aggregate.LAST, v)).isEqualTo(1);
    }

    @Test
    void onlyTheRangeFromToCounts() {
        final double[] v = {100, 1, 2, 3, 100};
        assertThat(WindowAggregator.compute(Aggregate.SUM, times(5), v, 1, 4)).isEqualTo(6);
        assertThat(WindowAggregator.compute(Aggregate.LAST, times(5), v, 1, 4)).isEqualTo(3);
        assertThat(WindowAggregator.compute(Aggregate.MAX, times(5), v, 1, 4)).isEqualTo(3);
    }

    @Test
    void stddevIsThePopulationDeviation() {
        // mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /8 = 4 (the sample deviation would be sqrt(32/7))
        assertThat(of(Aggregate.STDDEV, 2, 4, 4, 4, 5, 5, 7, 9)).isEqualTo(2.0);
        assertThat(of(Aggregate.STDDEV, 3)).isEqualTo(0.0);
    }

    @Test
    void stddevStaysExactFarFromZero() {
        assertThat(of(Aggregate.STDDEV, 1e9 + 2, 1e9 + 4, 1e9 + 4, 1e9 + 4, 1e9 + 5, 1e9 + 5, 1e9 + 7, 1e9 + 9))
                .isCloseTo(2.0, within(1e-6));
    }

    @Test
    void quantilesInterpolateBetweenClosestRanks() {
        final double[] oneToTen = {10, 3, 1, 7, 2, 9, 4, 8, 6, 5};
        // rank = q * (n - 1): p90 -> 8.1 -> 9 + 0.1 * (10 - 9)
        assertThat(of(Aggregate.P90, oneToTen)).isCloseTo(9.1, within(EPS));
        // p50 -> 4.5 -> 5.5; p95 -> 8.55 -> 9.55; p99 -> 8.91 -> 9.91
        assertThat(of(Aggregate.P50, oneToTen)).isCloseTo(5.5, within(EPS));
        assertThat(of(Aggregate.P95, oneToTen)).isCloseTo(9.55, within(EPS));
        assertThat(of(Aggregate.P99, oneToTen)).isCloseTo(9.91, within(EPS));
        assertThat(of(Aggregate.P50, 1, 3, 100)).isEqualTo(3);
        assertThat(of(Aggregate.P99, 42)).isEqualTo(42);
    }

    @Test
    void quantilesUseTheCallersScratchAndLeaveTheInputAlone() {
        final double[] values = {5, 1, 4, 2, 3};
        final double[] scratch = new double[8];
        assertThat(WindowAggregator.compute(Aggregate.P50, times(5), values, 0, 5, scratch)).isEqualTo(3);
        assertThat(values).containsExactly(5, 1, 4, 2, 3);
        assertThat(scratch).startsWith(1, 2, 3, 4, 5);
        // A scratch that is too small falls back to the per-thread buffer rather than failing.
        assertThat(WindowAggregator.compute(Aggregate.P50, times(5), values, 0, 5, new double[2])).isEqualTo(3);
    }

    @Test
    void quantilesOfAWindowLargerThanTheInitialBuffer() {
        final int n = 1001;
        final double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = n - 1 - i;
        }
        assertThat(WindowAggregator.compute(Aggregate.P90, times(n), values, 0, n)).isEqualTo(900);
    }

    @Test
    void increaseCountsACounterResetAsTheNewValue() {
        // 150 - 100, then a reset to 20 counts 20, then 50 - 20
        assertThat(of(Aggregate.INCREASE, 100, 150, 20, 50)).isEqualTo(100);
        assertThat(of(Aggregate.INCREASE, 5, 5, 5)).isEqualTo(0);
        assertThat(of(Aggregate.INCREASE, 10, 0)).isEqualTo(0);
    }

    @Test
    void rateIsIncreasePerSecondOverTheFirstToLastSpanWithoutExtrapolation() {
        // 4 points 10 s apart: span 30 s, increase 100
        assertThat(of(Aggregate.RATE, 100, 150, 20, 50)).isCloseTo(100 / 30.0, within(EPS));
        final long[] t = {0, 500};
        assertThat(WindowAggregator.compute(Aggregate.RATE, t, new double[] {1, 2}, 0, 2)).isEqualTo(2);
    }

    @Test
    void rateOfPointsAtOneInstantHasNoValueButIncreaseHas() {
        final long[] t = {7_000, 7_000};
        final double[] v = {1, 4};
        assertThat(WindowAggregator.compute(Aggregate.RATE, t, v, 0, 2)).isNaN();
        assertThat(WindowAggregator.compute(Aggregate.INCREASE, t, v, 0, 2)).isEqualTo(3);
    }

    @Test
    void nonFiniteValuesAreIgnoredByEveryAggregate() {
        final double[] v = {Double.NaN, 2, Double.POSITIVE_INFINITY, 4, Double.NEGATIVE_INFINITY, 6, Double.NaN};
        assertThat(of(Aggregate.AVG, v)).isEqualTo(4);
        assertThat(of(Aggregate.MIN, v)).isEqualTo(2);
        assertThat(of(Aggregate.MAX, v)).isEqualTo(6);
        assertThat(of(Aggregate.SUM, v)).isEqualTo(12);
        assertThat(of(Aggregate.COUNT, v)).isEqualTo(3);
        assertThat(of(Aggregate.LAST, v)).isEqualTo(6);
        assertThat(of(Aggregate.P50, v)).isEqualTo(4);
        assertThat(of(Aggregate.STDDEV, v)).isCloseTo(Math.sqrt(8 / 3.0), within(EPS));
        assertThat(of(Aggregate.INCREASE, v)).isEqualTo(4);
        // The span runs from the first finite point (t = 10 s) to the last (t = 50 s).
        assertThat(of(Aggregate.RATE, v)).isCloseTo(4 / 40.0, within(EPS));
    }

    @ParameterizedTest
    @EnumSource(Aggregate.class)
    void anEmptyWindowHasNoValue(final Aggregate aggregate) {
        assertThat(WindowAggregator.compute(aggregate, new long[] {1, 2}, new double[] {1, 2}, 1, 1)).isNaN();
    }

    @ParameterizedTest
    @EnumSource(Aggregate.class)
    void aWindowOfOnlyNonFiniteValuesHasNoValue(final Aggregate aggregate) {
        assertThat(of(aggregate, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).isNaN();
    }

    @ParameterizedTest
    @EnumSource(Aggregate.class)
    void aSinglePointIsItsOwnValueExceptForCounters(final Aggregate aggregate) {
        final double result = of(aggregate, 3.5);
        if (EnumSet.of(Aggregate.RATE, Aggregate.INCREASE).contains(aggregate)) {
            assertThat(result).isNaN();
        } else if (aggregate == Aggregate.COUNT) {
            assertThat(result).isEqualTo(1);
        } else if (aggregate == Aggregate.STDDEV) {
            assertThat(result).isEqualTo(0);
        } else {
            assertThat(result).isEqualTo(3.5);
        }
    }

    @Test
    void sumAndAvgAreCompensated() {
        // Naive left-to-right summation loses the 1s entirely: 1e16 + 1 == 1e16 in doubles.
        final double[] v = {1e16, 1, 1, 1, 1, -1e16};
        assertThat(of(Aggregate.SUM, v)).isEqualTo(4);
        assertThat(of(Aggregate.AVG, v)).isCloseTo(4 / 6.0, within(EPS));
    }

    @Test
    void avgOfFiniteValuesWhoseSumOverflowsIsStillFinite() {
        assertThat(of(Aggregate.AVG, Double.MAX_VALUE, Double.MAX_VALUE)).isCloseTo(Double.MAX_VALUE,
                within(Double.MAX_VALUE * 1e-12));
    }

    @Test
    void minAndMaxOrderNegativeZeroBelowZero() {
        assertThat(Double.doubleToRawLongBits(of(Aggregate.MIN, 0.0, -0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Double.doubleToRawLongBits(of(Aggregate.MAX, -0.0, 0.0))).isEqualTo(Double.doubleToRawLongBits(0.0));
    }

    @Test
    void aRangeOutsideTheArraysIsRefused() {
        assertThatThrownBy(() -> WindowAggregator.compute(Aggregate.SUM, times(2), new double[] {1, 2}, 1, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> WindowAggregator.compute(Aggregate.SUM, times(1), new double[] {1, 2}, 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> WindowAggregator.compute(Aggregate.P50, times(1), new double[] {1}, 0, 1, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("scratch");
    }
}
