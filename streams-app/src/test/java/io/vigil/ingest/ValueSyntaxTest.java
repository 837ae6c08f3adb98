package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written checks of {@link NameSyntax} and {@link NumericText}. */
class ValueSyntaxTest {

    @ParameterizedTest
    @ValueSource(strings = {"up", "_x", ":a", "node_cpu:rate5m", "A9", "a_b_c"})
    void metricNames(final String name) {
        assertThat(NameSyntax.isMetricName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "9a", "a-b", "a b", "a.b", "é", "a\u0000"})
    void notMetricNames(final String name) {
        assertThat(NameSyntax.isMetricName(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"job", "_x", "__name__", "a9_B"})
    void labelNames(final String name) {
        assertThat(NameSyntax.isLabelName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":a", "a:b", "9a", "a-b", "ü"})
    void notLabelNames(final String name) {
        assertThat(NameSyntax.isLabelName(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "+1", "1.", ".5", "1.5e3", "1E-3", "1e+3", "NaN", "nan", "Inf", "+Inf",
        "-inf", "Infinity", "-INFINITY", "00012", "iNf", "+infinity", "NAN"})
    void numericText(final String text) {
        assertThat(NumericText.isNumber(text)).isTrue();
        assertThat(NumericText.parse(text)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "-", ".", "e3", "1e", "1e+", "1.5.2", "0x1p3", "1d", "1f", " 1", "1 ", "1,5",
        "in", "infinit", "nana", "abc", "--1", "1_000", "+NaN", "-nan", "+-Inf"})
    void notNumericText(final String text) {
        assertThat(NumericText.isNumber(text)).isFalse();
    }
}
