package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesSelectorTest {

    private static Series series(final String name, final String... labels) {
        return new Series(name, Labels.of(labels));
    }

    @Test
    void aBareMetricNameMatchesEverySeriesOfThatName() {
        final SeriesSelector s = SeriesSelector.parse("node:cpu_seconds_total");

        assertThat(s).isEqualTo(new SeriesSelector("node:cpu_seconds_total", List.of()));
        assertThat(s.matches(series("node:cpu_seconds_total", "a", "b"))).isTrue();
        assertThat(s.matches(series("other"))).isFalse();
    }

    @Test
    void readsAllFourOperatorsWithSpacesAndATrailingComma() {
        final SeriesSelector s = SeriesSelector.parse(" up { a = \"1\" , b!=\"2\", c=~\"x.*\", d !~ \"y\", } ");

        assertThat(s.matchers()).containsExactly(
                LabelMatcher.of("a", LabelMatcher.Type.EQUAL, "1"),
                LabelMatcher.of("b", LabelMatcher.Type.NOT_EQUAL, "2"),
                LabelMatcher.of("c", LabelMatcher.Type.REGEX, "x.*"),
                LabelMatcher.of("d", LabelMatcher.Type.NOT_REGEX, "y"));
    }

    @Test
    void regexesAreFullyAnchored() {
        final SeriesSelector s = SeriesSelector.parse("up{role=~\"api|web\"}");

        assertThat(s.matches(series("up", "role", "api"))).isTrue();
        assertThat(s.matches(series("up", "role", "web"))).isTrue();
        assertThat(s.matches(series("up", "role", "api2"))).isFalse();
        assertThat(s.matches(series("up", "role", "xapi"))).isFalse();
    }

    @Test
    void negativeRegexExcludesMatchesAndKeepsAbsentLabels() {
        final SeriesSelector s = SeriesSelector.parse("up{env!~\"dev|test\"}");

        assertThat(s.matches(series("up", "env", "prod"))).isTrue();
        assertThat(s.matches(series("up"))).isTrue();
        assertThat(s.matches(series("up", "env", "dev"))).isFalse();
        assertThat(s.matches(series("up", "env", "development"))).isTrue();
    }

    @Test
    void readsSingleQuotedAndRawValuesAsPromQlDoes() {
        final SeriesSelector s = SeriesSelector.parse("up{a='b', q='say \"hi\"', esc='it\\'s', raw=~`\\d+\\.\\d+`}");

        assertThat(s.matchers()).containsExactly(
                LabelMatcher.of("a", LabelMatcher.Type.EQUAL, "b"),
                LabelMatcher.of("q", LabelMatcher.Type.EQUAL, "say \"hi\""),
                LabelMatcher.of("esc", LabelMatcher.Type.EQUAL, "it's"),
                LabelMatcher.of("raw", LabelMatcher.Type.REGEX, "\\d+\\.\\d+"));
        assertError("up{a='b}", "unterminated string: missing closing '''", 5);
    }

    @Test
    void decodesBackslashEscapesInValues() {
        final SeriesSelector s = SeriesSelector.parse("up{path=\"C:\\\\temp\\\"x\\\"\", tab=\"a\\tb\", hex=\"\\x41\\u00e9\"}");

        assertThat(s.matchers()).extracting(LabelMatcher::value).containsExactly("C:\\temp\"x\"", "a\tb", "Aé");
        assertThat(s.matches(series("up", "path", "C:\\temp\"x\"", "tab", "a\tb", "hex", "Aé"))).isTrue();
        assertThat(s.toString()).isEqualTo("up{path=\"C:\\\\temp\\\"x\\\"\", tab=\"a\tb\", hex=\"Aé\"}");

        // A newline is written escaped, as a series' labels are: the selector reads back, on one line.
        final SeriesSelector newline = SeriesSelector.parse("up{msg=\"a\\nb\"}");
        assertThat(newline.toString()).isEqualTo("up{msg=\"a\\nb\"}");
        assertThat(SeriesSelector.parse(newline.toString())).isEqualTo(newline);
    }

    @Test
    void acceptsTheNameMatcherForm() {
        final SeriesSelector s = SeriesSelector.parse("{__name__=\"db_cpu\", role=\"primary\"}");

        assertThat(s).isEqualTo(new SeriesSelector("db_cpu",
                List.of(LabelMatcher.of("role", LabelMatcher.Type.EQUAL, "primary"))));
    }

    @Test
    void reportsErrorsAtTheirOffset() {
        assertError("", "empty selector; expected a metric name", 0);
        assertError("{job=\"x\"}", "a selector needs a metric name: write name{...} or {__name__=\"name\", ...}", 0);
        assertError("up{job=\"x\"", "missing '}' at the end of the selector", 10);
        assertError("up{job=x}", "expected a quoted value (\"...\", '...' or `...`)", 7);
        assertError("up{job=\"x}", "unterminated string: missing closing '\"'", 7);
        assertError("up{job==\"x\"}", "expected a quoted value (\"...\", '...' or `...`)", 7);
        assertError("up{job<\"x\"}", "expected one of =, !=, =~, !~ after 'job'", 6);
        assertError("up{1job=\"x\"}", "expected a label name, found '1'", 3);
        assertError("up{a=\"x\" b=\"y\"}", "expected ',' or '}' after a matcher, found 'b'", 9);
        assertError("up{a=\"x\"} extra", "unexpected 'e'; expected '{' or the end of the selector", 10);
        assertError("up{a=\"\\.\"}", "unknown escape sequence '\\.'; a regex backslash is written '\\\\'", 6);
        assertError("up{__name__=~\"u.*\"}", "__name__ can only be matched with '='", 3);
        assertError("up{__name__=\"up\"}", "the metric name is given twice", 3);
    }

    @Test
    void aBadRegexIsASyntaxErrorAtItsValue() {
        assertError("up{job=~\"(api\"}", "invalid regex for 'job': missing closing ) `(api`", 8);
        // Valid once wrapped in ^(?:...)$, but not as written.
        assertError("up{job=~\"a)|(b\"}", "invalid regex for 'job': unmatched ')'", 8);
        assertError("up{job!~\"[z-a]\"}", "invalid regex for 'job': invalid character class range `z-a`", 8);
    }

    /** As Go's RE2 refuses such a regex; RE2/J compiled this one into a filled 2 GB heap. */
    @Test
    void aRegexThatWouldCompileToMillionsOfInstructionsIsRefused() {
        assertError("up{job=~\"((a{1000}){1000}){100}\"}", "invalid regex for 'job': expression too large", 8);
    }

    /** As Go's RE2 refuses it; RE2/J overflowed the stack compiling it, out of every command that loads rules. */
    @Test
    void aRegexNestedThousandsDeepIsRefusedAsGoRefusesIt() {
        final String deep = "(".repeat(100_000) + "a" + ")".repeat(100_000);
        assertError("up{job=~\"" + deep + "\"}", "invalid regex for 'job': expression nests too deeply", 8);
    }

    private static void assertError(final String text, final String message, final int offset) {
        assertThatThrownBy(() -> SeriesSelector.parse(text))
                .isInstanceOf(ValueSyntaxException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ValueSyntaxException) e).offset()).isEqualTo(offset));
    }
}
