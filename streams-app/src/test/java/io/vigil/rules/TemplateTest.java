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
        assertThat(Template.formatNumber(Double.MIN_VALUE)).isEqualTo("4.9e-324");
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
        assertError("{{ humanize $value }}", false,
                "unsupported template expression 'humanize $value'; only $labels.NAME, $value can be used", 3);
        assertError("{{ .Labels.x }}", false,
                "unsupported template expression '.Labels.x'; only $labels.NAME, $value can be used", 3);
        assertError("{{ $value | printf \"%.2f\" }}", false,
                "unexpected '| printf \"%.2f\"' in '{{ }}'; template functions and pipelines are not supported", 10);
        assertError("{{ $labels }}", false, "expected '.' and a label name after '$labels'", 10);
        assertError("{{ $labels.9 }}", false, "expected a label name after '$labels.'", 11);
        assertError("{{ $labels.__name__ }} high", false, "'$labels.__name__' is never set: the metric name is not"
                + " among an alert's labels; write the name itself", 11);
    }

    private static void assertError(final String text, final boolean allowBaseline, final String message,
            final int offset) {
        assertThatThrownBy(() -> Template.parse(text, allowBaseline))
                .isInstanceOf(ValueSyntaxException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ValueSyntaxException) e).offset()).isEqualTo(offset));
    }
}
