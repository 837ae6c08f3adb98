package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.Labels;
import org.junit.jupiter.api.Test;

class TemplateTest {

    private static final Labels NODE = Labels.of("instance", "node-7", "cluster", "backend");

    @Test
    void rendersLabelsAndNumbersWithOrWithoutSpaces() {
        final Template t = Template.parse("{{ $labels.instance }} in {{$labels.cluster}}: {{ $value }}"
                + " (median {{  $median }}, z {{ $z}})", true);

        assertThat(t.render(NODE, new TemplateValues(21.496866, 100, -4.5)))
                .isEqualTo("node-7 in backend: 21.4969 (median 100, z -4.5)");
    }

    /** A template naming a long label many times rendered over a megabyte, more than a Kafka record takes. */
    @Test
    void aRenderingIsCutAtSixteenThousandCharactersAndSaysSo() {
        final Labels blob = Labels.of("blob", "z".repeat(2_000));
        final String rendered = Template.parse("{{ $labels.blob }}".repeat(600), false)
                .render(blob, TemplateValues.of(1));
        assertThat(rendered).hasSize(Template.MAX_RENDERED).endsWith("... (cut at 16384 characters)")
                .startsWith("z".repeat(16_000));
        assertThat(Template.parse("{{ $labels.blob }}".repeat(8), false).render(blob, TemplateValues.of(1)))
                .isEqualTo("z".repeat(16_000));
    }

    @Test
    void aMissingLabelRendersEmpty() {
        assertThat(Template.parse("[{{ $labels.team }}]", false).render(NODE, TemplateValues.of(1))).isEqualTo("[]");
    }

    @Test
    void textWithoutReferencesRendersAsIsIncludingLoneBraces() {
        final Template t = Template.parse("cpu } {high} }}", false);

        assertThat(t.render(NODE, TemplateValues.of(1))).isEqualTo("cpu } {high} }}");
        assertThat(t).isEqualTo(Template.literal("cpu } {high} }}"));
        assertThat(t.text()).isEqualTo("cpu } {high} }}");
    }

    @Test
    void formatsNumbersWithAtMostFourDecimals() {
        assertThat(Template.formatNumber(21.496866)).isEqualTo("21.4969");
        assertThat(Template.formatNumber(12.5)).isEqualTo("12.5");
        assertThat(Template.formatNumber(3.0)).isEqualTo("3");
        assertThat(Template.formatNumber(0.0)).isEqualTo("0");
        assertThat(Template.formatNumber(-0.0)).isEqualTo("0");
        assertThat(Template.formatNumber(123456789.0)).isEqualTo("123456789");
        assertThat(Template.formatNumber(999_999_999_999_999.0)).isEqualTo("999999999999999");
        assertThat(Template.formatNumber(0.0001)).isEqualTo("0.0001");
        assertThat(Template.formatNumber(0.00012345)).isEqualTo("0.0001");
        assertThat(Template.formatNumber(0.000099996)).as("rounds up to 0.0001").isEqualTo("0.0001");
        assertThat(Template.formatNumber(-2.5)).isEqualTo("-2.5");
        assertThat(Template.formatNumber(Double.NaN)).isEqualTo("NaN");
        assertThat(Template.formatNumber(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(Template.formatNumber(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    }

    /** As Go's %.4g, which Prometheus users know from {{ printf "%.4g" $value }}. */
    @Test
    void formatsTinyAndHugeNumbersWithFourSignificantDigitsInExponentForm() {
        assertThat(Template.formatNumber(0.0000234)).isEqualTo("2.34e-05");
        assertThat(Template.formatNumber(0.00005)).isEqualTo("5e-05");
        assertThat(Template.formatNumber(0.000012345678)).isEqualTo("1.235e-05");
        assertThat(Template.formatNumber(1e-7)).isEqualTo("1e-07");
        assertThat(Template.formatNumber(-1e-7)).isEqualTo("-1e-07");
        assertThat(Template.formatNumber(Double.MIN_VALUE)).isEqualTo("4.941e-324");
        // Rounded as Go rounds: the double's exact value, ties to even (1.0005e-05 is just below its decimal).
        assertThat(Template.formatNumber(1.0005e-05)).isEqualTo("1e-05");
        assertThat(Template.formatNumber(1.0015e-05)).isEqualTo("1.001e-05");
        assertThat(Template.formatNumber(1.0025e+16)).isEqualTo("1.002e+16");
        assertThat(Template.formatNumber(1e15)).isEqualTo("1e+15");
        assertThat(Template.formatNumber(1_234_567_890_123_456.0)).isEqualTo("1.235e+15");
        assertThat(Template.formatNumber(1e20)).isEqualTo("1e+20");
        assertThat(Template.formatNumber(-1e300)).isEqualTo("-1e+300");
        assertThat(Template.formatNumber(Double.MAX_VALUE)).isEqualTo("1.798e+308");
    }

    @Test
    void noBaselineNumbersRenderAsNaN() {
        assertThat(Template.parse("{{ $median }}", true).render(NODE, TemplateValues.of(5))).isEqualTo("NaN");
    }

    @Test
    void medianAndZAreRefusedWithoutABaseline() {
        assertError("x {{ $median }}", false, "'$median' can only be used in deviation and outlier rules", 5);
        assertError("{{ $z }}", false, "'$z' can only be used in deviation and outlier rules", 3);
    }

    @Test
    void anythingElseInsideBracesIsAnError() {
        assertError("a {{ $value", true, "unclosed '{{': no matching '}}'", 2);
        assertError("{{ }}", true, "empty '{{ }}'", 0);
        assertError("{{ $foo }}", false, "unknown variable '$foo'; only $labels.NAME, $value can be used", 3);
        assertError("{{ $foo }}", true, "unknown variable '$foo'; only $labels.NAME, $value, $median, $z can be used", 3);
        assertError("{{ .Labels.x }}", false,
                "unsupported template expression '.Labels.x'; only $labels.NAME, $value can be used", 3);
        assertError("{{ $labels.x y }}", false, "unexpected 'y' in '{{ }}'", 13);
        // Go's template lexer skips space, tab, CR and LF only: an ideographic space is no space to Prometheus.
        assertError("{{ $value\u3000}}", false, "unexpected '\u3000' in '{{ }}'; a number can only be followed by"
                + " '| FUNCTION', one of humanize, humanize1024, humanizeDuration, humanizePercentage", 9);
        assertError("{{ $labels }}", false, "expected '.' and a label name after '$labels'", 10);
        assertError("{{ $labels.9 }}", false, "expected a label name after '$labels.'", 11);
        assertError("{{ $labels.__name__ }} high", false, "'$labels.__name__' is never set: the metric name is not"
                + " among an alert's labels; write the name itself", 11);
    }

    /*
     * The expected strings below are Prometheus' own, from template/template_test.go (TestTemplateExpansion) and
     * prometheus/common helpers/templates/time_test.go (TestHumanizeDuration), as of 2026-08; int64 and uint64 inputs
     * there are the doubles they convert to (MaxInt64 is 9.223372036854776e18, MaxUint64 1.8446744073709552e19).
     */

    @Test
    void humanizePrintsSiPrefixesAsPrometheus() {
        assertFunction("humanize", 0.0, "0");
        assertFunction("humanize", 1.0, "1");
        assertFunction("humanize", -1.0, "-1");
        assertFunction("humanize", 1234567.0, "1.235M");
        assertFunction("humanize", .12, "120m");
        assertFunction("humanize", 0.001234, "1.234m");
        assertFunction("humanize", (double) Long.MAX_VALUE, "9.223E");
        assertFunction("humanize", 1.8446744073709552e19, "18.45E");
        // Not in Prometheus' tests, from its code: Go's %.4g after the last prefix.
        assertFunction("humanize", 12_000_000.0, "12M");
        assertFunction("humanize", 1234.5678, "1.235k");
        assertFunction("humanize", 1e-30, "1e-06y");
        assertFunction("humanize", 1e30, "1e+06Y");
    }

    @Test
    void humanize1024PrintsBinaryPrefixesAsPrometheus() {
        assertFunction("humanize1024", 0.0, "0");
        assertFunction("humanize1024", 1.0, "1");
        assertFunction("humanize1024", -1.0, "-1");
        assertFunction("humanize1024", 1048576.0, "1Mi");
        assertFunction("humanize1024", .12, "0.12");
        assertFunction("humanize1024", 1234567.0, "1.177Mi");
        assertFunction("humanize1024", (double) Long.MAX_VALUE, "8Ei");
        assertFunction("humanize1024", 1.8446744073709552e19, "16Ei");
    }

    @Test
    void humanizeDurationPrintsSecondsAsPrometheus() {
        assertFunction("humanizeDuration", 0.0, "0s");
        assertFunction("humanizeDuration", 1.0, "1s");
        assertFunction("humanizeDuration", -1.0, "-1s");
        assertFunction("humanizeDuration", 60.0, "1m 0s");
        assertFunction("humanizeDuration", 3600.0, "1h 0m 0s");
        assertFunction("humanizeDuration", 86400.0, "1d 0h 0m 0s");
        assertFunction("humanizeDuration", 86400.0 + 3600, "1d 1h 0m 0s");
        assertFunction("humanizeDuration", -(86400.0 * 2 + 3600 * 3 + 60 * 4 + 5), "-2d 3h 4m 5s");
        assertFunction("humanizeDuration", 1234567.0, "14d 6h 56m 7s");
        assertFunction("humanizeDuration", 3723.0, "1h 2m 3s");
        // From a minute up, whole seconds, truncated.
        assertFunction("humanizeDuration", 899.99, "14m 59s");
        assertFunction("humanizeDuration", 60.1, "1m 0s");
        assertFunction("humanizeDuration", 60.5, "1m 0s");
        // Below, 4 significant digits of the double itself: 1.2345 is just below, 12.345 just above.
        assertFunction("humanizeDuration", 1.2345, "1.234s");
        assertFunction("humanizeDuration", 12.345, "12.35s");
        assertFunction("humanizeDuration", .1, "100ms");
        assertFunction("humanizeDuration", .0001, "100us");
        assertFunction("humanizeDuration", .12345, "123.5ms");
    }

    @Test
    void humanizePercentagePrintsARatioAsPrometheus() {
        assertFunction("humanizePercentage", -0.22222, "-22.22%");
        assertFunction("humanizePercentage", 0.0, "0%");
        assertFunction("humanizePercentage", 0.1234567, "12.35%");
        assertFunction("humanizePercentage", 1.23456, "123.5%");
        assertFunction("humanizePercentage", -1.0, "-100%");
        assertFunction("humanizePercentage", 1.0, "100%");
        assertFunction("humanizePercentage", 1234567.0, "1.235e+08%");
        assertFunction("humanizePercentage", (double) Long.MAX_VALUE, "9.223e+20%");
        assertFunction("humanizePercentage", 1.8446744073709552e19, "1.845e+21%");
        assertFunction("humanizePercentage", 0.0523, "5.23%");
    }

    @Test
    void nonFiniteNumbersPrintAsPrometheusPrintsThem() {
        for (String f : new String[] {"humanize", "humanize1024", "humanizeDuration"}) {
            assertFunction(f, Double.POSITIVE_INFINITY, "+Inf");
            assertFunction(f, Double.NEGATIVE_INFINITY, "-Inf");
            assertFunction(f, Double.NaN, "NaN");
        }
        // Not in Prometheus' tests, from its code: "%" after Go's %.4g, as for any number.
        assertFunction("humanizePercentage", Double.NaN, "NaN%");
        assertFunction("humanizePercentage", Double.POSITIVE_INFINITY, "+Inf%");
    }

    /** Go's %.4g, which every function prints with (Go's fmt documentation; not in Prometheus' tests). */
    @Test
    void printsFourSignificantDigitsAsGo() {
        assertG4(1234.5678, "1235");
        assertG4(0.5, "0.5");
        assertG4(100, "100");
        assertG4(12000, "1.2e+04");
        assertG4(0.0001234, "0.0001234");
        assertG4(0.00001234, "1.234e-05");
        assertG4(9.99951, "10");
        assertG4(99995, "1e+05");
        assertG4(1.0625, "1.062");
        assertG4(-0.0, "-0");
        assertG4(-2.5e-300, "-2.5e-300");
    }

    @Test
    void aFunctionAppliesToEachNumberWithOrWithoutSpaces() {
        final Template t = Template.parse("{{ $labels.instance }} sends {{ $value | humanize }}B/s"
                + " (median {{$median|humanize1024}}B/s, z {{ $z |humanizePercentage}})", true);

        assertThat(t.render(NODE, new TemplateValues(12_000_000, 1048576, 0.0523)))
                .isEqualTo("node-7 sends 12MB/s (median 1MiB/s, z 5.23%)");
        assertThat(t.usesNumbers()).as("a function of a number still changes with it").isTrue();
        assertThat(Template.parse("{{ $value | humanizeDuration }}", false).render(NODE, TemplateValues.of(3723)))
                .isEqualTo("1h 2m 3s");
    }

    @Test
    void onlyTheFourFunctionsAloneAfterANumberAreAllowed() {
        final String names = "humanize, humanize1024, humanizeDuration, humanizePercentage";
        assertError("{{ $value | toUpper }}", false,
                "unknown template function 'toUpper'; only " + names + " can be used", 12);
        assertError("{{ $value | printf \"%.2f\" }}", false,
                "unknown template function 'printf'; only " + names + " can be used", 12);
        assertError("{{ $value | Humanize }}", false,
                "unknown template function 'Humanize'; only " + names + " can be used", 12);
        assertError("{{$value|}}", false, "expected a function name after '|', one of " + names, 9);
        assertError("{{ $value | humanize | humanize }}", false,
                "only one template function can be applied, not a pipeline of several", 21);
        assertError("{{ $value | humanize 2 }}", false,
                "unexpected '2' after 'humanize'; template functions take no arguments", 21);
        assertError("{{ $value humanize }}", false,
                "unexpected 'humanize' in '{{ }}'; a number can only be followed by '| FUNCTION', one of " + names, 10);
        assertError("{{ $labels.instance | humanize }}", false,
                "template functions (" + names + ") apply to numbers ($value), not to labels", 20);
        assertError("{{ $labels.instance|humanize }}", true,
                "template functions (" + names + ") apply to numbers ($value, $median, $z), not to labels", 19);
        assertError("{{ $labels.x | bogus }}", false,
                "unknown template function 'bogus'; only " + names + " can be used, on numbers", 15);
        assertError("{{ humanize $value }}", false, "unsupported template expression 'humanize $value'; write the"
                + " function after the number, as in '$value | humanize'", 3);
        assertError("{{ $median | humanize }}", false, "'$median' can only be used in deviation and outlier rules", 3);
    }

    private static void assertFunction(final String function, final double x, final String expected) {
        assertThat(Template.parse("{{ $value | " + function + " }}", false).render(NODE, TemplateValues.of(x)))
                .as("%s(%s)", function, x).isEqualTo(expected);
    }

    private static void assertG4(final double x, final String expected) {
        final StringBuilder sb = new StringBuilder();
        TemplateFunction.appendG4(sb, x);
        assertThat(sb.toString()).as("%%.4g of %s", x).isEqualTo(expected);
    }

    private static void assertError(final String text, final boolean allowBaseline, final String message,
            final int offset) {
        assertThatThrownBy(() -> Template.parse(text, allowBaseline))
                .isInstanceOf(ValueSyntaxException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ValueSyntaxException) e).offset()).isEqualTo(offset));
    }
}
