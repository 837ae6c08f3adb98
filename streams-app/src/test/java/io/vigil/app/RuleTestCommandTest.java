package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil rules test} as a user runs it: through the production topology, with exact output and exit codes. */
class RuleTestCommandTest {

    private static final String NL = System.lineSeparator();

    /** `last` over one step: the sample at each evaluation instant is the whole story. */
    private static final String RULES = """
            groups:
              - name: g
                every: 10s
                rules:
                  - alert: High
                    series: load
                    aggregate: last
                    window: 10s
                    threshold: {above: 5}
                    labels: {severity: page}
                    annotations: {summary: "{{ $labels.instance }} at {{ $value }}"}
            """;

    @TempDir
    Path dir;

    private static CommandRun vigil(final String... args) {
        return CommandRun.vigil(args);
    }

    private Path write(final String name, final String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @BeforeEach
    void rules() throws Exception {
        write("load.yaml", RULES);
    }

    @Test
    void passingTestsPrintOnlyTheSummaryAndExitZero() throws Exception {
        final Path file = write("load.test.yaml", """
                rule_files: [load.yaml]
                tests:
                  - name: fires, resolves, and fires again after a gap
                    interval: 10s
                    input_series:
                      - series: load{instance="a"}
                        values: "1 1 9 9 1 _x2 9"       # 9 at 20s and 30s, 1 at 40s, nothing at 50s and 60s, 9 at 70s
                      - series: load{instance="b"}
                        values: "1x7"
                    alerts:
                      - at: 10s
                        firing: []
                      - at: 20s
                        firing:
                          - labels: {alertname: High, instance: a, severity: page}
                            annotations: {summary: "a at 9"}
                      - at: 35s
                        firing:
                          - labels: {alertname: High, instance: a}
                      - at: 40s
                        firing: []
                      - at: 70s
                        firing:
                          - labels: {alertname: High}
                  - name: a test with no input fires nothing
                    alerts:
                      - at: 1h
                        firing: []
                """);

        final CommandRun run = vigil("rules", "test", file.toString());

        assertThat(run.out()).isEqualTo("2 passed, 0 failed" + NL);
        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
    }

    @Test
    void eachFailingExpectationSaysWhatWasExpectedAndWhatFired() throws Exception {
        final Path file = write("load.test.yaml", """
                rule_files: [load.yaml]
                tests:
                  - name: right
                    interval: 10s
                    input_series:
                      - series: load{instance="a"}
                        values: "9"
                    alerts:
                      - at: 0s
                        firing: [{labels: {alertname: High, instance: a}}]
                  - name: wrong
                    interval: 10s
                    input_series:
                      - series: load{instance="a"}
                        values: "1 9 9 1"
                      - series: load{instance="c"}
                        values: "1 9 9 1"
                    alerts:
                      - at: 15s
                        firing: [{labels: {alertname: High, instance: b}}]
                      - at: 20s
                        firing:
                          - labels: {alertname: High, instance: a}
                          - labels: {alertname: High, instance: c}
                      - at: 30s
                        firing: [{labels: {alertname: High, instance: a}, annotations: {summary: "a at 9"}}]
                """);

        final CommandRun run = vigil("rules", "test", file.toString());

        assertThat(run.out()).isEqualTo(
                file + ": test \"wrong\": at 15s: expected [{alertname=\"High\", instance=\"b\"}] but firing "
                        + "[{alertname=\"High\", instance=\"a\", severity=\"page\"}, "
                        + "{alertname=\"High\", instance=\"c\", severity=\"page\"}]" + NL
                + file + ": test \"wrong\": at 30s: expected [{alertname=\"High\", instance=\"a\"} annotations "
                        + "{summary=\"a at 9\"}] but firing []" + NL
                + "1 passed, 1 failed" + NL);
        assertThat(run.exit()).isEqualTo(1);
    }

    @Test
    void aMissingRuleFileFailsEveryTestOfItsFile() throws Exception {
        final Path file = write("gone.test.yaml", """
                rule_files: [gone.yaml]
                tests:
                  - name: one
                    alerts: [{at: 1m}]
                  - name: two
                    alerts: [{at: 1m}]
                """);

        final CommandRun run = vigil("rules", "test", file.toString());

        assertThat(run.out()).isEqualTo(file + ":1:14: rule_files: 'gone.yaml' (" + dir.resolve("gone.yaml")
                + ", beside the test file): no such file or directory" + NL
                + file + ": its rule files did not load; none of its 2 test(s) ran" + NL
                + "0 passed, 2 failed" + NL);
        assertThat(run.exit()).isEqualTo(1);
    }

    /**
     * An absent rule the configured forget is too short for: run, replay and rules validate refuse it, so its tests
     * do not run either (one expecting no alert passed on rules that could never run).
     */
    @Test
    void rulesThatRunWouldRefuseFailEveryTestOfTheirFile() throws Exception {
        write("gone.yaml", """
                groups:
                  - name: g
                    rules:
                      - alert: LongGone
                        series: up
                        absent: {after: 2d}
                """);
        final Path file = write("gone.test.yaml", """
                rule_files: [gone.yaml]
                tests:
                  - name: quiet
                    interval: 10s
                    input_series:
                      - series: up{instance="a"}
                        values: "1x10"
                    alerts: [{at: 3d, firing: []}]
                """);

        final CommandRun run = vigil("rules", "test", file.toString());

        assertThat(run.out()).startsWith(dir.resolve("gone.yaml") + ":4:9: absent rule LongGone can never page with"
                        + " evaluation.forget 1d")
                .endsWith(file + ": its rule files would not run; none of its 1 test(s) ran" + NL
                        + "0 passed, 1 failed" + NL);
        assertThat(run.exit()).isEqualTo(1);
    }

    @Test
    void aMalformedTestFileIsOneLineWithItsPlaceAndTheOtherFilesStillRun() throws Exception {
        final Path bad = write("bad.test.yaml", """
                rule_files: [load.yaml]
                tests:
                  - name: x
                    input_series:
                      - series: load
                        values: "1 2 +"
                    alerts: [{at: 1m}]
                """);
        final Path good = write("good.test.yaml",
                "rule_files: [load.yaml]\ntests:\n  - name: ok\n    alerts: [{at: 1m}]\n");

        final CommandRun run = vigil("rules", "test", bad.toString(), good.toString());

        assertThat(run.out()).isEqualTo(bad + ":6:17: '+': expected a number, Inf, NaN or '_'" + NL
                + "1 passed, 1 failed" + NL);
        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isEqualTo(1);
    }

    @Test
    void aMalformedTestFileSaysEveryProblemAndCountsAsOneFailedTest() throws Exception {
        final Path bad = write("bad.test.yaml", """
                rule_files: [load.yaml]
                tests:
                  - name: x
                    interval: 1x
                    alerts: [{at: 1m}]
                  - name: y
                    input_series:
                      - series: load
                        values: "1 2 +"
                    alerts: [{at: 1m, firing: [{labels: {instance: a}}]}]
                """);

        final CommandRun run = vigil("rules", "test", bad.toString());

        assertThat(run.out()).isEqualTo(bad + ":4:15: '1x' is not a duration (e.g. 10s, 1m, 1h30m)" + NL
                + bad + ":9:17: '+': expected a number, Inf, NaN or '_'" + NL
                + bad + ":10:32: an expected alert needs 'labels' with at least 'alertname'" + NL
                + "0 passed, 1 failed" + NL);
        assertThat(run.exit()).isEqualTo(1);
    }

    @Test
    void noFileIsAUsageError() {
        final CommandRun run = vigil("rules", "test");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("FILE");
    }

    @Test
    void aDirectoryRunsTheTestFilesInItAndAnEmptyOneIsAFailure() throws Exception {
        write("load.test.yaml", "rule_files: [load.yaml]\ntests:\n  - name: ok\n    alerts: [{at: 1m}]\n");
        final Path nested = Files.createDirectories(dir.resolve("more"));
        Files.writeString(nested.resolve("load.test.yml"),
                "rule_files: [../load.yaml]\ntests:\n  - name: ok\n    alerts: [{at: 1m}]\n");
        final CommandRun run = vigil("rules", "test", dir.toString());
        assertThat(run.out()).isEqualTo("2 passed, 0 failed" + NL);
        assertThat(run.exit()).isZero();

        final Path empty = Files.createDirectories(dir.resolve("empty"));
        final CommandRun none = vigil("rules", "test", empty.toString());
        assertThat(none.out()).contains(empty + ":1:1: is a directory without rule test files (*.test.yaml, *.test.yml)");
        assertThat(none.exit()).isEqualTo(1);
    }

    /** `rules validate rules/*.yaml`, promtool's habit, names the tests beside the rules: they are skipped, said so. */
    @Test
    void validateSkipsTheRuleTestFilesItIsGiven() throws Exception {
        final Path test = write("load.test.yaml", "rule_files: [load.yaml]\ntests:\n  - name: ok\n    alerts: [{at: 1m}]\n");
        final CommandRun run = vigil("rules", "validate", dir.resolve("load.yaml").toString(), test.toString());
        assertThat(run.out()).isEqualTo("ok: 1 group(s), 1 rule(s)" + NL);
        assertThat(run.err()).isEqualTo("skipped " + test + ": a rule test file; run it with `vigil rules test " + test
                + "`" + NL);
        assertThat(run.exit()).isZero();
    }

    @Test
    void aDirectoryOfRulesStillLoadsWithItsTestFilesBesideIt() throws Exception {
        write("load.test.yaml", "rule_files: [load.yaml]\ntests:\n  - name: ok\n    alerts: [{at: 1m}]\n");
        final CommandRun run = vigil("rules", "validate", dir.toString());
        assertThat(run.out()).isEqualTo("ok: 1 group(s), 1 rule(s)" + NL);
        assertThat(run.exit()).isZero();
    }
}
