package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The same alert name in two groups, both over {@code cpu}: one fingerprint for a series both select, so one group's
 * resolve ended the other's page downstream, and nothing said so.
 */
class SharedAlertIdentityTest {

    /** A selector of the table, its ' the YAML's ". */
    private static String quoted(final String selector) {
        return selector.replace('\'', '"');
    }

    private static String rules(final String first, final String second) {
        return """
                groups:
                  - name: warn
                    rules:
                      - alert: CpuHigh
                        series: %s
                        threshold: {above: 80}
                  - name: page
                    rules:
                      - alert: CpuHigh
                        series: %s
                        threshold: {above: 95}
                """.formatted(first, second);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cpu                           | cpu",
        "cpu{cluster='db'}             | cpu",
        "cpu{cluster='db'}             | cpu{cluster=~'d.*'}",
        "cpu{host!='a'}                | cpu{host!='b'}",
        "cpu{host=~'a.*'}              | cpu{host=~'b.*'}",
    })
    void rulesThatMayGiveOneSeriesTheSameAlertAreWarnedOfAtTheLaterOne(final String first, final String second) {
        assertThat(warnings(rules(quoted(first), quoted(second)))).singleElement().hasToString("r.yaml:9:9:"
                + " warning: alert 'CpuHigh' of group 'page' has the name and labels of the one in group 'warn'"
                + " (r.yaml:4:9), and a series may match both selectors: for it the two are one alert downstream (one"
                + " fingerprint), and one's resolve ends the other's page; tell them apart by a label (severity, say)"
                + " or rename one");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cpu                           | cpu_seconds_total",
        "cpu{cluster='db'}             | cpu{cluster='web'}",
        "cpu{cluster='db'}             | cpu{cluster!='db'}",
        "cpu{cluster='db'}             | cpu{cluster=~'web.*'} ",
        "cpu{cluster!~'db'}            | cpu{cluster='db'}",
        "cpu{cluster=''}               | cpu{cluster=~'.+'}",
    })
    void selectorsNoSeriesCanSatisfyBothAreNotWarnedOf(final String first, final String second) {
        assertThat(warnings(rules(quoted(first), quoted(second)))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{severity: warning} | {severity: page}",
        "{severity: page}    | {}",
        "{}                  | {team: db}",
    })
    void rulesWhoseLabelsDifferAreNotWarnedOf(final String first, final String second) {
        final String text = rules("cpu", "cpu")
                .replaceFirst("(threshold: \\{above: 80})", "$1\n        labels: " + first)
                .replaceFirst("(threshold: \\{above: 95})", "$1\n        labels: " + second);
        assertThat(warnings(text)).isEmpty();
    }

    /** The warnings of {@code text}, which loads without a problem. */
    private static java.util.List<RuleProblem> warnings(final String text) {
        final LoadResult loaded = RuleLoader.parse("r.yaml", text);
        assertThat(loaded.problems()).isEmpty();
        return SharedAlertIdentity.warnings(loaded.ruleSet());
    }
}
