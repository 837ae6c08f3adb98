package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** promtool's expanding notation, as {@link SeriesValues} reads it. */
class RuleTestSeriesValuesTest {

    private static final double MISSING = Double.MIN_VALUE;

    /** Samples as doubles, {@link #MISSING} where a sample is left out. */
    private static List<Double> samples(final String text) {
        return SeriesValues.parse(text).samples().stream()
                .map(s -> s.isPresent() ? s.getAsDouble() : MISSING).toList();
    }

    private static List<Double> of(final double... values) {
        return Arrays.stream(values).boxed().toList();
    }

    @Test
    void plainValuesAreOneSampleEach() {
        assertThat(samples("1 2.5 -3 +4 1e3 -1.5E-2 .5")).containsExactly(1.0, 2.5, -3.0, 4.0, 1000.0, -0.015, 0.5);
    }

    @Test
    void aRepeatIsNPlusOneSamples() {
        assertThat(samples("7x2")).isEqualTo(of(7, 7, 7));
        assertThat(samples("7x0")).isEqualTo(of(7));
    }

    @Test
    void aStepUpOrDownIsNPlusOneSamples() {
        assertThat(samples("1+1x3")).isEqualTo(of(1, 2, 3, 4));
        assertThat(samples("5-2x3")).isEqualTo(of(5, 3, 1, -1));
        assertThat(samples("-1+0.5x2")).isEqualTo(of(-1, -0.5, 0));
        assertThat(samples("1e3-1e2x1")).isEqualTo(of(1000, 900));
    }

    @Test
    void floatStepsAccumulateAsPromtoolDoes() {
        // 0.1 + 0.1 + 0.1, not 3 * 0.1: the two differ in the last bit, and promtool adds.
        assertThat(samples("0+0.1x3")).isEqualTo(of(0, 0.1, 0.1 + 0.1, 0.1 + 0.1 + 0.1));
    }

    @Test
    void aBlankIsOneMissingSampleAndBlankTimesNIsN() {
        assertThat(samples("1 _ 3")).isEqualTo(of(1, MISSING, 3));
        assertThat(samples("_x3 4")).isEqualTo(of(MISSING, MISSING, MISSING, 4));
        assertThat(samples("_x0 4")).isEqualTo(of(4));
    }

    @Test
    void promtoolsOwnExampleReadsTheSame() {
        // From promtool's parser tests: `1 3 _ 5 _x4` is 1, 3, none, 5, then four missing samples.
        assertThat(samples("1 3 _ 5 _x4")).isEqualTo(of(1, 3, MISSING, 5, MISSING, MISSING, MISSING, MISSING));
        assertThat(samples("1+1x10 _ 5x3")).hasSize(11 + 1 + 4);
    }

    @Test
    void infinitiesAndNotANumberInAnyCase() {
        final List<OptionalDouble> s = SeriesValues.parse("Inf -Inf +inf NaN nan Infx1").samples();
        assertThat(s.get(0).getAsDouble()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(s.get(1).getAsDouble()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(s.get(2).getAsDouble()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(s.get(3).getAsDouble()).isNaN();
        assertThat(s.get(4).getAsDouble()).isNaN();
        assertThat(s).hasSize(7);
    }

    @Test
    void hexadecimalIsNotReadAsPromtoolDoesNotInSeries() {
        assertThat(samples("0x3")).isEqualTo(of(0, 0, 0, 0));
    }

    @Test
    void spacesAroundAndBetweenDoNotMatter() {
        assertThat(samples("  1   2\t3 ")).isEqualTo(of(1, 2, 3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "stale         | 'stale': staleness markers are not supported; leave a sample out with '_'",
        "1+x3          | '1+x3': expected a step after '+'",
        "-3-3          | '-3-3': a step must be followed by 'x' and a count, as in 1-2x10",
        "_-2           | '_-2': expected 'x' and a count after '_', as in _x3",
        "3+3x4-4       | '3+3x4-4': the count after 'x' must be a whole number and end the item, as in 5x3",
        "1+-1x3        | '1+-1x3': the step after '+' must be a number without a sign",
        "1x            | '1x': the count after 'x' must be a whole number and end the item, as in 5x3",
        "1x2.5         | '1x2.5': the count after 'x' must be a whole number and end the item, as in 5x3",
        "abc           | 'abc': expected a number, Inf, NaN or '_'",
        "1e            | '1e': expected the digits of an exponent",
        "1;2           | '1;2': unexpected ';'; expected 'x', '+' or '-' after the value",
        "1x99999999999999999999 | '1x99999999999999999999': the count after 'x' is too large",
        "1x1000000     | '1x1000000': more than 1000000 samples in one series",
        "1e999         | '1e999': '1e999' is out of range of a double (about ±1.8e308); write Inf for an infinite value",
        "1+1e400x2     | '1+1e400x2': '1e400' is out of range of a double (about ±1.8e308); write Inf for an infinite value",
    })
    void mistakesNameTheItemAndWhatIsWrong(final String text, final String message) {
        assertThatThrownBy(() -> SeriesValues.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void noValuesAtAllIsAMistake() {
        assertThatThrownBy(() -> SeriesValues.parse("  "))
                .hasMessage("no values; write samples such as \"1 2 3\" or \"0+10x5\"");
    }
}
