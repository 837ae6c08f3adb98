package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.RuleProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading rule test files: what a valid one means, and where and why a malformed one is refused. */
class RuleTestLoaderTest {

    private static final Path FILE = Path.of("rules", "x.test.yaml");
    private static final String NO_SUCH_RULE_FILE = "beside the test file): no such file or directory";

    @TempDir
    Path dir;

    private static RuleTestLoader.Result parse(final String yaml) {
        return RuleTestLoader.parse(FILE, yaml);
    }

    /**
     * Every problem of a malformed file, as printed, but for the rule files it names that do not exist (none of these
     * files' do; {@link #aMalformedFileSaysTheRuleFilesItNamesThatDoNotExistToo}).
     */
    private static List<String> problems(final String yaml) {
        final RuleTestLoader.Result result = parse(yaml);
        assertThat(result.file()).isEmpty();
        return result.problems().stream().filter(p -> !p.message().endsWith(NO_SUCH_RULE_FILE))
                .map(RuleProblem::toString).toList();
    }

    /** The one problem of a malformed file, as printed. */
    private static String problem(final String yaml) {
        final List<String> problems = problems(yaml);
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    /**
     * A file with problems of its form says the rule files it names that do not exist with them: said only once the
     * others were fixed, they came as a new problem on the next run.
     */
    @Test
    void aMalformedFileSaysTheRuleFilesItNamesThatDoNotExistToo() {
        assertThat(parse("rule_files: [a.yaml]\ntests:\n  - name: x\n    intervall: 1m\n    alerts: [{at: 1m}]\n")
                .problems()).map(RuleProblem::toString).containsExactly(
                        "rules/x.test.yaml:1:14: rule_files: 'a.yaml' (" + Path.of("rules", "a.yaml") + ", beside"
                                + " the test file): no such file or directory",
                        "rules/x.test.yaml:4:5: unknown key 'intervall'; did you mean 'interval'?");
    }

    @Test
    void aValidFileReadsWithRuleFilesRelativeToItAndPromtoolsDefaultInterval() {
        final RuleTestFile file = parse("""
                rule_files: [backend.yaml, ../other/db.yaml]
                tests:
                  - name: pages
                    input_series:
                      - series: cpu{instance="a", cluster="b"}
                        values: "1 _ 3"
                    alerts:
                      - at: 2m
                        firing:
                          - labels: {alertname: High, instance: a}
                            annotations: {summary: "a is high"}
                      - at: 5m
                  - name: quiet
                    interval: 15s
                    alerts:
                      - at: 1m
                        firing: []
                """).file().orElseThrow();

        assertThat(file.path()).isEqualTo(FILE);
        assertThat(file.ruleFiles()).containsExactly(Path.of("rules", "backend.yaml"), Path.of("other", "db.yaml"));
        final RuleTestFile.TestCase pages = file.tests().get(0);
        assertThat(pages.name()).isEqualTo("pages");
        assertThat(pages.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(pages.inputSeries()).hasSize(1);
        assertThat(pages.inputSeries().get(0).series())
                .isEqualTo(new Series("cpu", Labels.of("instance", "a", "cluster", "b")));
        assertThat(pages.inputSeries().get(0).values().samples()).hasSize(3);
        assertThat(pages.alerts()).containsExactly(
                new RuleTestFile.Expectation(Duration.ofMinutes(2), java.util.List.of(new RuleTestFile.ExpectedAlert(
                        Labels.of("alertname", "High", "instance", "a"), Map.of("summary", "a is high")))),
                new RuleTestFile.Expectation(Duration.ofMinutes(5), java.util.List.of()));
        assertThat(file.tests().get(1).interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(file.tests().get(1).inputSeries()).isEmpty();
    }

    /** Each YAML is one line, {@code \n} for a line break; {@code $TEST } opens a file with one test named x. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key           | $TEST     intervall: 1m\\n    alerts: [{at: 1m}]\\n | 4:5: unknown key 'intervall'; did you mean 'interval'?
            bad duration          | $TEST     interval: 1x\\n    alerts: [{at: 1m}]\\n | 4:15: '1x' is not a duration (e.g. 10s, 1m, 1h30m)
            interval too long     | $TEST     interval: 100000000000d\\n    alerts: [{at: 1m}]\\n | 4:15: 'interval' is too long: 100000000000d, at most 3650d
            at too long           | $TEST     alerts:\\n      - at: 3650d1ms\\n | 5:13: 'at' is too long: 3650d1ms, at most 3650d
            zero interval         | $TEST     interval: 0s\\n    alerts: [{at: 1m}]\\n | 3:5: test 'x': 'interval' must be more than 0s
            regex matcher         | $TEST     input_series:\\n      - series: 'cpu{a=~"b"}'\\n        values: 1\\n    alerts: [{at: 1m}]\\n | 5:17: 'a=~"b"': an input series names its labels with '=' only
            bad selector          | $TEST     input_series:\\n      - series: 'cpu{a="b"'\\n        values: 1\\n    alerts: [{at: 1m}]\\n | 5:17: missing '}' at the end of the selector
            reserved series       | $TEST     input_series:\\n      - series: vigil_rule_test_clock\\n        values: 1\\n    alerts: [{at: 1m}]\\n | 5:17: 'vigil_rule_test_clock' is reserved: rule tests use it to move event time past the last 'at'
            bad values            | $TEST     input_series:\\n      - series: cpu\\n        values: 1 2+x3\\n    alerts: [{at: 1m}]\\n | 6:17: '2+x3': expected a step after '+'
            series given twice    | $TEST     input_series:\\n      - series: 'cpu{a="1",b="2"}'\\n        values: 1\\n      - series: 'cpu{b="2",a="1"}'\\n        values: 2\\n    alerts: [{at: 1m}]\\n | 3:5: test 'x': series cpu{a="1",b="2"} is given twice in 'input_series'
            no values             | $TEST     input_series:\\n      - series: cpu\\n    alerts: [{at: 1m}]\\n | 5:9: an input series needs 'series' and 'values'
            no name               | rule_files: [a.yaml]\\ntests:\\n  - interval: 1m\\n    alerts: [{at: 1m}]\\n  - name: y\\n    alerts: [{at: 1m}]\\n | 3:5: a test needs a 'name'
            no alerts             | $TEST  | 3:5: test 'x' needs 'alerts': the alerts expected at given times
            no at                 | $TEST     alerts:\\n      - firing: []\\n | 5:9: an 'alerts' entry needs 'at', the time to check
            no alertname          | $TEST     alerts:\\n      - at: 1m\\n        firing:\\n          - labels: {instance: a}\\n | 7:13: an expected alert needs 'labels' with at least 'alertname'
            empty label           | $TEST     alerts:\\n      - at: 1m\\n        firing:\\n          - labels: {alertname: A, instance: }\\n | 7:13: label 'instance' has no value
            empty item            | $TEST     alerts:\\n      -\\n | 5:8: an empty item in 'alerts'
            empty rule file       | rule_files: [""]\\ntests:\\n  - name: x\\n    alerts: [{at: 1m}]\\n | 1:14: rule_files: an empty path; name a rule file
            no rule files         | tests:\\n  - name: x\\n    alerts: [{at: 1m}]\\n | 1:1: 'rule_files' must list the rule files to test
            no tests              | rule_files: [a.yaml]\\n | 1:1: 'tests' must list at least one test
            tests without value   | rule_files: [a.yaml]\\ntests:\\n | 2:1: 'tests' needs a value: 'tests' must list at least one test
            alerts without value  | $TEST     alerts:\\n | 4:5: 'alerts' needs a value: test 'x' needs 'alerts': the alerts expected at given times
            empty tests           | rule_files: [a.yaml]\\ntests: []\\n | 2:8: 'tests' is an empty list: 'tests' must list at least one test
            empty alerts          | $TEST     alerts: []\\n | 4:13: 'alerts' is an empty list: test 'x' needs 'alerts': the alerts expected at given times
            tests not a list      | rule_files: [a.yaml]\\ntests: {a: 1}\\n | 2:8: 'tests' must be a list
            rule files not a list | rule_files: a.yaml\\ntests: [{name: x, alerts: [{at: 1m}]}]\\n | 1:13: 'rule_files' must be a list
            at not text           | $TEST     alerts:\\n    - at: [1m]\\n | 5:11: expected text, not a list
            not a mapping         | - a\\n- b\\n | 1:1: expected a mapping with keys rule_files, tests
            duplicate key         | rule_files: [a.yaml]\\nrule_files: [b]\\ntests: [{name: x, alerts: [{at: 1m}]}]\\n | 2:1: duplicate key 'rule_files'; first given at line 1
            an anchor             | rule_files: &f [a.yaml]\\ntests: [{name: x, alerts: [{at: 1m}]}]\\n | 1:13: YAML anchors are not allowed in a rule test file
            two documents         | $TEST     alerts: [{at: 1m}]\\n---\\nrule_files: [b]\\n | 6:1: a rule test file holds one YAML document; a second one starts here
            no label name         | $TEST     alerts: [{at: 1m, firing: [{labels: {alertname: A, '': x}}]}]\\n | 4:32: label name '' must match [a-zA-Z_][a-zA-Z0-9_]*
            empty file            | '' | 1:1: the file is empty; expected 'rule_files' and 'tests'
            only a comment        | # nothing here\\n | 1:1: the file is empty; expected 'rule_files' and 'tests'
            YAML syntax           | rule_files: [a.yaml\\ntests: x\\n | 2:6: YAML syntax error: expected ',' or ']', but got : (while parsing a flow sequence at line 1, column 13)
            """)
    void aMalformedFileIsOneProblemAtItsPlace(final String what, final String yaml, final String expected) {
        final String text = yaml.replaceFirst("^\\$TEST ?", "rule_files: [a.yaml]\ntests:\n  - name: x\n")
                .replace("\\n", "\n");
        assertThat(problem(text)).isEqualTo("rules/x.test.yaml:" + expected);
    }

    @Test
    void everyProblemOfATestIsReportedInFileOrderEachAtItsPlace() {
        assertThat(problems("""
                rule_files: [a.yaml]
                tests:
                  - name: x
                    interval: 1x
                    intervall: 1m
                    input_series:
                      - series: cpu
                        values: "1 2 +"
                    alerts:
                      - at: 1m
                        firing:
                          - labels: {instance: a}
                """)).containsExactly(
                "rules/x.test.yaml:4:15: '1x' is not a duration (e.g. 10s, 1m, 1h30m)",
                "rules/x.test.yaml:5:5: unknown key 'intervall'; did you mean 'interval'?",
                "rules/x.test.yaml:8:17: '+': expected a number, Inf, NaN or '_'",
                "rules/x.test.yaml:12:13: an expected alert needs 'labels' with at least 'alertname'");
    }

    /** A test's own problems, said at its start, name it; a test without a name is "a test". */
    @Test
    void theProblemsOfDifferentTestsOfAFileAreReportedTogether() {
        assertThat(problems("""
                rule_files: [a.yaml]
                tests:
                  - name: a
                    interval: 1x
                    alerts: [{at: 1m}]
                  - name: b
                    interval: 0s
                    alerts: [{at: 1m}]
                  - name: fine
                    alerts: [{at: 1m}]
                  - interval: 10s
                """)).containsExactly(
                "rules/x.test.yaml:4:15: '1x' is not a duration (e.g. 10s, 1m, 1h30m)",
                "rules/x.test.yaml:6:5: test 'b': 'interval' must be more than 0s",
                "rules/x.test.yaml:11:5: a test needs 'alerts': the alerts expected at given times",
                "rules/x.test.yaml:11:5: a test needs a 'name'");
    }

    @Test
    void aProblemInAListItemIsAtThatItemAndEveryItemIsChecked() {
        assertThat(problems("""
                rule_files: [a.yaml, [b.yaml], "c\\0.yaml"]
                tests:
                  - name: x
                    input_series:
                      - series: cpu{i="1"}
                        values: "1 x"
                      - series: cpu{i="2"}
                        values: "1 2"
                      - series: cpu{i=~"3"}
                        values: "1 2"
                    alerts:
                      - at: 1m
                        firing:
                          - labels: {alertname: A}
                          - labels: {alertname: B, 0x: y}
                      - at: 2m
                        firing:
                          - labels: {alertname: A}
                            annotations: {summary: [a]}
                """)).containsExactly(
                "rules/x.test.yaml:1:22: 'rule_files' must be text",
                "rules/x.test.yaml:1:32: rule_files: 'c\\u0000.yaml' is not a path: Nul character not allowed",
                "rules/x.test.yaml:6:17: 'x': expected a number, Inf, NaN or '_'",
                "rules/x.test.yaml:9:17: 'i=~\"3\"': an input series names its labels with '=' only",
                "rules/x.test.yaml:15:13: label name '0x' must match [a-zA-Z_][a-zA-Z0-9_]*",
                "rules/x.test.yaml:19:36: 'summary' must be text");
    }

    /** A series given twice is found among the valid ones, beside another series' problem. */
    @Test
    void aSeriesGivenTwiceIsReportedBesideTheOtherSeriesProblems() {
        assertThat(problems("""
                rule_files: [a.yaml]
                tests:
                  - name: x
                    input_series:
                      - series: cpu
                        values: "1"
                      - series: mem
                        values: "1 +"
                      - series: cpu
                        values: "2"
                    alerts: [{at: 1m}]
                """)).containsExactly(
                "rules/x.test.yaml:3:5: test 'x': series cpu{} is given twice in 'input_series'",
                "rules/x.test.yaml:8:17: '+': expected a number, Inf, NaN or '_'");
    }

    /** Problems after YAML's own, which leaves the rest readable, are found in the same run. */
    @Test
    void aDuplicateKeyIsReportedWithTheProblemsOfTheRest() {
        assertThat(problems("""
                rule_files: [a.yaml]
                tests:
                  - name: x
                    interval: 1m
                    interval: 2m
                    alerts: [{at: 1x}]
                """)).containsExactly(
                "rules/x.test.yaml:5:5: duplicate key 'interval'; first given at line 4",
                "rules/x.test.yaml:6:19: '1x' is not a duration (e.g. 10s, 1m, 1h30m)");
    }

    @Test
    void aFileWithVeryManyProblemsIsCutShortAsARuleFileIs() {
        final StringBuilder yaml = new StringBuilder("rule_files: [a.yaml]\ntests:\n");
        for (int i = 0; i < 150; i++) {
            yaml.append("  - name: t").append(i).append("\n    interval: 1x\n    alerts: [{at: 1m}]\n");
        }
        final List<String> problems = problems(yaml.toString());
        assertThat(problems).hasSize(101);
        assertThat(problems.get(99))
                .isEqualTo("rules/x.test.yaml:301:15: '1x' is not a duration (e.g. 10s, 1m, 1h30m)");
        assertThat(problems.get(100))
                .isEqualTo("rules/x.test.yaml:304:15: too many problems; only the first 100 are reported");
    }

    @Test
    void tabsAreASyntaxErrorWhereTheyStand() {
        assertThat(problem("rule_files: [a.yaml]\ntests:\n\t- name: x\n"))
                .startsWith("rules/x.test.yaml:3:1: YAML syntax error: found character")
                .contains("Do not use");
    }

    @Test
    void aMissingOrUnreadableFileIsAProblemAtItsStart() throws Exception {
        final Path missing = dir.resolve("none.test.yaml");
        assertThat(RuleTestLoader.load(missing).problems())
                .containsExactly(new RuleProblem(missing.toString(), 1, 1, "no such file"));
        assertThat(RuleTestLoader.load(dir).problems().get(0).message()).startsWith("is a directory");
        final Path binary = dir.resolve("bin.test.yaml");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        assertThat(RuleTestLoader.load(binary).problems())
                .containsExactly(new RuleProblem(binary.toString(), 1, 1, "the file is not valid UTF-8"));
        Files.write(binary, new byte[] {'a', ':', '\n', ' ', (byte) 0xc3, (byte) 0xa9, (byte) 0xc3, '\n'});
        assertThat(RuleTestLoader.load(binary).problems()).as("at the bad byte")
                .containsExactly(new RuleProblem(binary.toString(), 2, 3, "the file is not valid UTF-8"));
    }

    @Test
    void aFileOnDiskReadsLikeItsText() throws Exception {
        final Path file = dir.resolve("ok.test.yaml");
        Files.writeString(file, "\uFEFFrule_files: [r.yaml]\ntests:\n  - name: x\n    alerts: [{at: 1m}]\n");
        final RuleTestFile read = RuleTestLoader.load(file).file().orElseThrow();
        assertThat(read.ruleFiles()).containsExactly(dir.resolve("r.yaml"));
        assertThat(read.tests()).hasSize(1);
    }
}
