package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderProblemsTest {

    /** The problems of a file made of one group "g" whose only rule is {@code rule} (indented as a rule's keys). */
    private static List<String> problemsOfRule(final String rule) {
        return problems("groups:\n  - name: g\n    rules:\n      - alert: A\n" + rule);
    }

    private static List<String> problems(final String yaml) {
        final LoadResult result = RuleLoader.parse("bad.yaml", yaml);
        if (!result.problems().isEmpty()) {
            assertThat(result.ruleSet()).isEqualTo(RuleSet.EMPTY);
        }
        return result.problems().stream().map(RuleProblem::toString).toList();
    }

    @Test
    void unknownKeyNamesTheClosestKnownKey() {
        assertThat(problemsOfRule("""
                        series: up
                        widow: 5m
                        threshold: {above: 1, recovr: 0}
                        colour: red
                """)).containsExactly(
                "bad.yaml:6:9: unknown key 'widow'; did you mean 'window'?",
                "bad.yaml:7:31: unknown key 'recovr'; did you mean 'recover'?",
                "bad.yaml:8:9: unknown key 'colour'; expected one of alert, series, aggregate, window, threshold,"
                        + " deviation, outlier, absent, for, keep_firing_for, labels, annotations");
    }

    @Test
    void reportsEveryProblemOfAFileNotOnlyTheFirst() {
        assertThat(problems("""
                groups:
                  - name: g
                    every: 0s
                    rules:
                      - alert: 9lives
                        series: up{job="x"
                        aggregate: mean
                        window: 5 minutes
                        threshold: {above: high}
                        for: -1m
                  - every: 10s
                """)).containsExactly(
                "bad.yaml:3:12: 'every' must be longer than 0s",
                "bad.yaml:5:16: alert name '9lives' must match [A-Za-z_][A-Za-z0-9_]*",
                "bad.yaml:6:27: invalid series selector: missing '}' at the end of the selector",
                "bad.yaml:7:20: 'aggregate' must be one of avg, min, max, sum, count, last, p50, p90, p95, p99, stddev,"
                        + " rate, increase; not 'mean'",
                "bad.yaml:8:17: 'window' must be a duration such as 30s, 5m or 1h, not '5 minutes'",
                "bad.yaml:9:28: 'above' must be a number, not text",
                "bad.yaml:10:14: 'for' must be a duration such as 30s, 5m or 1h, not '-1m'",
                "bad.yaml:11:5: a group needs 'name'");
    }

    /** Ten years: the engine adds rule durations to epoch-ms times, which must never overflow (DurationSyntax). */
    @Test
    void everyDurationIsAtMostTenYearsWhereverItIsWritten() {
        assertThat(problems("""
                groups:
                  - name: g
                    every: 10000000000000d
                    rules:
                      - alert: A
                        series: up
                        window: 10000000000000d
                        threshold: {above: 1}
                        for: 3650d1ms
                        keep_firing_for: 10000000000000d
                      - alert: B
                        series: up
                        absent: {after: 10000000000000d}
                      - alert: C
                        series: up
                        deviation: {baseline: 10000000000000d, z: 3}
                """)).containsExactly(
                "bad.yaml:3:12: 'every' is too long: 10000000000000d, at most 3650d",
                "bad.yaml:7:17: 'window' is too long: 10000000000000d, at most 3650d",
                "bad.yaml:9:14: 'for' is too long: 3650d1ms, at most 3650d",
                "bad.yaml:10:26: 'keep_firing_for' is too long: 10000000000000d, at most 3650d",
                "bad.yaml:13:25: 'after' is too long: 10000000000000d, at most 3650d",
                "bad.yaml:16:31: 'baseline' is too long: 10000000000000d, at most 3650d");
        assertThat(problems("""
                groups:
                  - name: g
                    every: 3650d
                    rules:
                      - alert: A
                        series: up
                        window: 3650d
                        absent: {after: 3650d}
                        for: 3650d
                        keep_firing_for: 3650d
                """)).as("ten years exactly").isEmpty();
    }

    @Test
    void kindsMustBeExactlyOne() {
        assertThat(problemsOfRule("        series: up\n"))
                .containsExactly("bad.yaml:4:9: a rule needs exactly one of threshold, deviation, outlier, absent");
        assertThat(problemsOfRule("        series: up\n        threshold: {above: 1}\n        absent: {after: 1m}\n"))
                .containsExactly("bad.yaml:7:9: a rule needs exactly one of threshold, deviation, outlier, absent;"
                        + " this one has threshold and absent");
    }

    @Test
    void thresholdNeedsExactlyOneSideAndAConsistentRecover() {
        assertThat(problemsOfRule("        series: up\n        threshold: {above: 1, below: 0}\n"))
                .containsExactly("bad.yaml:6:31: threshold needs exactly one of 'above' or 'below', not both");
        assertThat(problemsOfRule("        series: up\n        threshold:\n"))
                .containsExactly("bad.yaml:6:9: threshold needs 'above' or 'below'");
        assertThat(problemsOfRule("        series: up\n        threshold: {above: 10, recover: 12}\n"))
                .containsExactly("bad.yaml:6:41: 'recover' (12) must be at or below 'above' (10): a firing alert"
                        + " resolves once the aggregate is at or below 'recover'");
        assertThat(problemsOfRule("        series: up\n        threshold: {below: 5, recover: 3.5}\n"))
                .containsExactly("bad.yaml:6:40: 'recover' (3.5) must be at or above 'below' (5): a firing alert"
                        + " resolves once the aggregate is at or above 'recover'");
    }

    @Test
    void deviationChecksItsKeys() {
        assertThat(problemsOfRule("""
                        series: up
                        window: 5m
                        deviation:
                          baseline: 5m
                          direction: high
                          z: 0
                          min_change: -1
                          method: mean
                """)).containsExactly(
                "bad.yaml:8:21: 'baseline' (5m) must be longer than the rule's 'window' (5m)",
                "bad.yaml:9:22: 'direction' must be one of up, down, both; not 'high'",
                "bad.yaml:10:14: 'z' must be greater than 0, not 0",
                "bad.yaml:11:23: 'min_change' must be 0 or more, not -1",
                "bad.yaml:12:19: 'method' must be one of mad, stddev; not 'mean'");
        assertThat(problemsOfRule("        series: up\n        deviation: {direction: up}\n"))
                .containsExactly("bad.yaml:6:9: deviation needs 'baseline'", "bad.yaml:6:9: deviation needs 'z'");
    }

    @Test
    void outlierChecksItsKeys() {
        assertThat(problemsOfRule("""
                        series: up
                        outlier:
                          peers: []
                          direction: up
                          z: "4"
                          min_peers: 1
                """)).containsExactly(
                "bad.yaml:7:18: 'peers' needs at least one label name",
                "bad.yaml:8:22: 'direction' must be one of low, high, both; not 'up'",
                "bad.yaml:9:14: 'z' must be a number, not text (a number in quotes is text: write it without them)",
                "bad.yaml:10:22: 'min_peers' must be a whole number of at least 2, not 1");
        assertThat(problemsOfRule("        series: up\n        outlier: {peers: [dc, 1x, dc], z: 3, min_peers: 2.5}\n"))
                .containsExactly(
                        "bad.yaml:6:31: peer label '1x' must match [a-zA-Z_][a-zA-Z0-9_]*",
                        "bad.yaml:6:35: peer label 'dc' is listed twice",
                        "bad.yaml:6:57: 'min_peers' must be a whole number of at least 2, not 2.5");
        assertThat(problemsOfRule("        series: up\n        outlier: {z: 3}\n"))
                .containsExactly("bad.yaml:6:9: outlier needs 'peers'");
    }

    @Test
    void absentNeedsAPositiveAfter() {
        assertThat(problemsOfRule("        series: up\n        absent: {after: 0s}\n"))
                .containsExactly("bad.yaml:6:25: 'after' must be longer than 0s");
        assertThat(problemsOfRule("        series: up\n        absent: {}\n"))
                .containsExactly("bad.yaml:6:9: absent needs 'after'");
    }

    @Test
    void windowMustBeAMultipleOfEvery() {
        assertThat(problems("""
                groups:
                  - name: g
                    every: 20s
                    rules:
                      - alert: A
                        series: up
                        window: 50s
                        absent: {after: 1m}
                      - alert: B
                        series: up
                        absent: {after: 1m}
                """)).containsExactly(
                "bad.yaml:7:17: 'window' (50s) must be a multiple of the group's 'every' (20s)");
    }

    @Test
    void alertNamesAreUniqueInAGroupAndGroupNamesInAFile() {
        assertThat(problems("""
                groups:
                  - name: g
                    rules:
                      - {alert: A, series: up, absent: {after: 1m}}
                      - {alert: A, series: up, absent: {after: 1m}}
                  - name: g
                """)).containsExactly(
                "bad.yaml:5:17: duplicate alert 'A' in group 'g'; first defined at line 4",
                "bad.yaml:6:11: duplicate group name 'g'; first defined at bad.yaml:2:11");
    }

    @Test
    void groupNamesAreUniqueAcrossFilesLoadedTogether(@TempDir final Path dir) throws IOException {
        final Path a = Files.writeString(dir.resolve("a.yaml"), RuleLoaderValidTest.group("shared"));
        final Path b = Files.writeString(dir.resolve("b.yaml"), "# the same name again\n"
                + RuleLoaderValidTest.group("shared"));

        final LoadResult result = RuleLoader.load(List.of(a, b));

        assertThat(result.ruleSet()).isEqualTo(RuleSet.EMPTY);
        assertThat(result.problems()).extracting(RuleProblem::toString).containsExactly(
                b + ":3:11: duplicate group name 'shared'; first defined at " + a + ":2:11");
    }

    @Test
    void labelsAndAnnotationsAreChecked() {
        assertThat(problemsOfRule("""
                        series: up
                        threshold: {above: 1}
                        labels:
                          alertname: x
                          __meta: y
                          bad-name: z
                          severity:
                        annotations:
                          summary: "{{ $median }} is the median"
                          runbook: [a, b]
                          resolved_reason: "mine"
                          vigil_cut: "mine too"
                """)).containsExactly(
                "bad.yaml:8:11: label name 'alertname' is reserved: it is always the rule's 'alert'",
                "bad.yaml:9:11: label name '__meta' is reserved: names starting with __ are internal",
                "bad.yaml:10:11: label name 'bad-name' must match [a-zA-Z_][a-zA-Z0-9_]*",
                "bad.yaml:11:11: 'severity' needs a value",
                "bad.yaml:13:24: invalid template in annotation 'summary': '$median' can only be used in deviation"
                        + " and outlier rules",
                "bad.yaml:14:20: annotation 'runbook' must be text, not a list",
                "bad.yaml:15:11: annotation name 'resolved_reason' is reserved: Vigil writes it (why an alert"
                        + " resolved, or that its annotations were cut)",
                "bad.yaml:16:11: annotation name 'vigil_cut' is reserved: Vigil writes it (why an alert resolved, or"
                        + " that its annotations were cut)");
        // The names the events are given, not a copy that could drift from them.
        assertThat(RuleFileReader.VIGIL_ANNOTATIONS).containsExactlyInAnyOrder(
                io.vigil.alerts.AlertEventFactory.RESOLVED_REASON, io.vigil.alerts.AlertEventFactory.CUT_NOTE);
    }

    /**
     * Every invalid regex of a selector and every wrong '{{ }}' of a template is reported, each at its own column, not
     * only the first of each value: a file is fixed in one pass.
     */
    @Test
    void everyInvalidRegexOfASelectorAndEveryWrongActionOfATemplateIsReported() {
        assertThat(problemsOfRule("""
                        series: cpu{a=~"(", b="ok", c!~"[", d=~"x"}
                        threshold: {above: 1}
                        annotations:
                          summary: "{{ $labels.x }} {{ $valu }} {{ $value | bogus }} {{ $value"
                """)).containsExactly(
                "bad.yaml:5:24: invalid series selector: invalid regex for 'a': missing closing ) `(`",
                "bad.yaml:5:40: invalid series selector: invalid regex for 'c': missing closing ] `[`",
                "bad.yaml:8:40: invalid template in annotation 'summary': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:8:61: invalid template in annotation 'summary': unknown template function 'bogus'; only"
                        + " humanize, humanize1024, humanizeDuration, humanizePercentage can be used",
                "bad.yaml:8:70: invalid template in annotation 'summary': unclosed '{{': no matching '}}'");
    }

    @Test
    void templateErrorsPointAtTheCharacterInsideQuotedValues() {
        assertThat(problemsOfRule("""
                        series: up
                        threshold: {above: 1}
                        annotations: {a: 'it''s {{ $valu }}', b: "\\t{{ $labels.x | upper }}"}
                """)).containsExactly(
                "bad.yaml:7:36: invalid template in annotation 'a': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:7:68: invalid template in annotation 'b': unknown template function 'upper'; only humanize,"
                        + " humanize1024, humanizeDuration, humanizePercentage can be used, on numbers");
    }

    /**
     * A template over several lines was reported at the value's start: a literal block's error at its '|'. Where
     * each character of the value is one written character, the error is at its line and column; where a reader
     * cannot find it one for one (a folded block, an escape), at the value's start as before.
     */
    @Test
    void templateErrorsInsideMultiLineValuesPointAtTheCharacter() {
        assertThat(problemsOfRule("""
                        series: up
                        threshold: {above: 1}
                        annotations:
                          a: |
                            first line

                              {{ $valu }}
                          b: |-2
                              x {{ $valu }}
                          c: |+
                            x
                            y {{ $valu }}

                          d: 'it''s
                             two  {{ $valu }}'
                          e: plain
                            two

                            three {{ $valu }}
                          f: "no escape
                            two {{ $valu }}"
                          g: >
                            folded {{ $valu }}
                          h: "an\\tescape
                            two {{ $valu }}"
                """)).containsExactly(
                "bad.yaml:11:18: invalid template in annotation 'a': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:13:20: invalid template in annotation 'b': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:16:18: invalid template in annotation 'c': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:19:22: invalid template in annotation 'd': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:23:22: invalid template in annotation 'e': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:25:20: invalid template in annotation 'f': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:26:14: invalid template in annotation 'g': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used",
                "bad.yaml:28:14: invalid template in annotation 'h': unknown variable '$valu'; only $labels.NAME,"
                        + " $value can be used");
    }

    @Test
    void templateFunctionErrorsPointAtTheFunction() {
        assertThat(problemsOfRule("""
                        series: up
                        threshold: {above: 1}
                        labels: {bytes: "{{ $value | humanize | humanize }}"}
                        annotations:
                          summary: "{{ $value | humanise }} B/s"
                          ok: '{{ $value|humanize1024 }}B, {{ $value | humanizeDuration }}, {{ $value | humanizePercentage }}'
                """)).containsExactly(
                "bad.yaml:7:47: invalid template in label 'bytes': only one template function can be applied, not a"
                        + " pipeline of several",
                "bad.yaml:9:33: invalid template in annotation 'summary': unknown template function 'humanise'; only"
                        + " humanize, humanize1024, humanizeDuration, humanizePercentage can be used");
    }

    @Test
    void selectorErrorPointsAtTheCharacter() {
        assertThat(problemsOfRule("        series: up{job=~\"(api\"}\n        absent: {after: 1m}\n"))
                .containsExactly("bad.yaml:5:25: invalid series selector: invalid regex for 'job': missing closing ) `(api`");
        assertThat(problemsOfRule("        series: up{job~\"x\"}\n        absent: {after: 1m}\n"))
                .containsExactly("bad.yaml:5:23: invalid series selector: expected one of =, !=, =~, !~ after 'job'");
    }

    @Test
    void wrongTypesAreProblemsNotExceptions() {
        assertThat(problems("groups: {name: g}\n")).containsExactly("bad.yaml:1:9: 'groups' must be a list, not a mapping");
        assertThat(problems("- a\n")).containsExactly("bad.yaml:1:1: a rule file must be a mapping, not a list");
        assertThat(problems("groups:\n  - rules: x\n    name: [g]\n")).containsExactly(
                "bad.yaml:2:12: 'rules' must be a list, not text",
                "bad.yaml:3:11: 'name' must be text, not a list");
        assertThat(problems("groups: [3]\n")).containsExactly("bad.yaml:1:10: a group must be a mapping, not a number");
        // The kind of a value, never its content: a file read by mistake (a symlink to a secret) was printed.
        assertThat(problems("BEARERSECRET_9f8e7d\n"))
                .containsExactly("bad.yaml:1:1: a rule file must be a mapping, not text");
        assertThat(problems("groups: 4242\n")).containsExactly("bad.yaml:1:9: 'groups' must be a list, not a number");
        assertThat(problems("groups: true\n")).containsExactly("bad.yaml:1:9: 'groups' must be a list, not true or false");
        assertThat(problemsOfRule("        series: up\n        threshold: {above: .inf}\n        labels: x\n"))
                .containsExactly("bad.yaml:6:28: 'above' must be a finite number, not .inf",
                        "bad.yaml:7:17: 'labels' must be a mapping, not text");
    }

    @Test
    void yamlSyntaxErrorIsOneProblemWithItsLocation() {
        assertThat(problems("groups:\n  - name: g\n    rules: [a, b\n  - name: h\n")).containsExactly(
                "bad.yaml:4:9: YAML syntax error: expected ',' or ']', but got : (while parsing a flow sequence at"
                        + " line 3, column 12)");
        assertThat(problems("groups:\n  - name: g\n     every: 10s\n")).containsExactly(
                "bad.yaml:3:11: YAML syntax error: mapping values are not allowed here; most likely a key indented deeper"
                        + " than the keys beside it, or a value holding ': ' unquoted");
        assertThat(problems("groups:\n  - name: g\n    every: 10s\n    rules:\n      - alert: A\n        series: m\n"
                + "        threshold: {above: 1}\n     - alert: B\n")).containsExactly("bad.yaml:8:6: YAML syntax error:"
                + " expected <block end>, but found '<block sequence start>' (while parsing a block mapping at line 2,"
                + " column 5); most likely a line indented differently from the lines of its block: line it up with them");
    }

    @Test
    void aControlCharacterIsPlacedWhereItIs() {
        // SnakeYAML's reader says only "special characters are not allowed", and the parser's place was line 1.
        assertThat(problems("groups:\n  - name: g\n    every: 10s\n    rules: []\n# pasted: \u001b[31mERROR\n"))
                .containsExactly("bad.yaml:5:11: YAML syntax error: the character U+001B is not allowed in YAML (a"
                        + " control character); remove it");
        assertThat(problems("groups:\r\n  - name: g\u0000\r\n")).containsExactly("bad.yaml:2:12: YAML syntax error:"
                + " the character U+0000 is not allowed in YAML (a control character); remove it");
    }

    /**
     * A number beyond a double's range is out of range, however it is written: Jackson would not convert one of more
     * than 1,000 chars ("not a finite number"), and SnakeYAML makes one of more than 1,024 text ("not a number").
     */
    @Test
    void aNumberBeyondADoubleIsOutOfRangeHoweverLong() {
        final String zeros = "0".repeat(1000);
        final String[][] outOfRange = {
            {"1e999", "1e999"},
            {"-1e999", "-1e999"},
            {"1" + "0".repeat(400), "1000000000000000...000 (401 digits)"},
            {"1" + zeros, "1000000000000000...000 (1001 digits)"},
            {"-1" + "0".repeat(1023), "-100000000000000...000 (1024 digits)"},
            {"1" + zeros + zeros, "1000000000000000...000 (2001 digits)"},
            {"1_" + zeros + zeros + ".5e3", "1_00000000000000...5e3 (2003 digits)"},
        };
        for (String[] n : outOfRange) {
            assertThat(problemsOfRule("        series: up\n        threshold: {above: " + n[0] + "}\n"))
                    .containsExactly("bad.yaml:6:28: 'above' is out of range: " + n[1]
                            + " is more than a double holds (about ±1.8e308)");
        }
        // Long, but in range; and 2^1020 in binary, which Jackson refused as a syntax error.
        for (String n : new String[] {"1." + zeros + zeros + "1", "0." + zeros + "1", "0b1" + "0".repeat(1020)}) {
            assertThat(problemsOfRule("        series: up\n        threshold: {above: " + n + "}\n")).isEmpty();
        }
        assertThat(problemsOfRule("        series: up\n        threshold: {above: .inf}\n"))
                .containsExactly("bad.yaml:6:28: 'above' must be a finite number, not .inf");
        assertThat(problemsOfRule("        series: up\n        threshold: {above: '1" + zeros + zeros + "'}\n"))
                .containsExactly("bad.yaml:6:28: 'above' must be a number, not text (a number in quotes is text: write it without"
                        + " them)");
    }

    @Test
    void aQuotedValueKeepsTheProblemOnOneLine() {
        assertThat(problems("groups:\n  - name: g\n    every: |\n      10s\n    rules: []\n")).containsExactly(
                "bad.yaml:3:12: 'every' must be a duration such as 30s, 5m or 1h, not '10s\\n'");
    }

    @Test
    void duplicateKeysAndSecondDocumentsAreRefused() {
        assertThat(problems("groups: []\ngroups: []\n"))
                .containsExactly("bad.yaml:2:1: duplicate key 'groups'; first given at line 1");
        assertThat(problems("groups: []\n---\ngroups: []\n"))
                .containsExactly("bad.yaml:3:1: a rule file holds one YAML document; a second one starts here");
    }

    @Test
    void aliasesAreRefused() {
        assertThat(problems("""
                groups:
                  - name: g
                    rules:
                      - alert: A
                        series: up
                        absent: {after: 1m}
                        labels: &common {team: sre}
                      - alert: B
                        series: up
                        absent: {after: 1m}
                        labels: *common
                """)).containsExactly(
                "bad.yaml:7:17: YAML anchors are not allowed in rule files",
                "bad.yaml:11:17: YAML aliases are not allowed in rule files");
    }

    /** Jackson gives the anchors of mappings and lists only; a scalar's or a key's is found where it is written. */
    @Test
    void anchorsOnScalarsAndKeysAreRefusedToo() {
        assertThat(problems("""
                groups:
                  - name: g
                    every: &every 10s
                    rules:
                      - alert: A
                        series: up
                        &k absent: {after: &a 1m}
                        labels: {team: "&not-an-anchor"}
                """)).containsExactly(
                "bad.yaml:3:12: YAML anchors are not allowed in rule files",
                "bad.yaml:7:9: YAML anchors are not allowed in rule files",
                "bad.yaml:7:28: YAML anchors are not allowed in rule files");
    }

    /** A tag changes how a value is read ({@code !!int "10"} is a number); dropping it silently misreads the file. */
    @Test
    void tagsAreRefusedWhereTheyAreWritten() {
        assertThat(problems("""
                groups:
                  - name: g
                    every: !foo 10s
                    rules:
                      - alert: A
                        series: up
                        for: !!str 1m
                        threshold: {above: !!int "10"}
                        labels: !!map {team: sre}
                        annotations: &a !bar {summary: x}
                      - !baz alert: B
                        series: up
                        !!str absent: {after: ! 1m}
                """)).containsExactly(
                "bad.yaml:3:12: YAML tags are not allowed in rule files; write the value without !foo, in quotes to"
                        + " make it text",
                "bad.yaml:7:14: YAML tags are not allowed in rule files; write the value without !!str, in quotes to"
                        + " make it text",
                "bad.yaml:8:28: YAML tags are not allowed in rule files; write the value without !!int, in quotes to"
                        + " make it text",
                "bad.yaml:9:17: YAML tags are not allowed in rule files; write the value without !!map, in quotes to"
                        + " make it text",
                "bad.yaml:10:22: YAML anchors are not allowed in rule files",
                "bad.yaml:10:22: YAML tags are not allowed in rule files; write the value without !bar, in quotes to"
                        + " make it text",
                "bad.yaml:11:9: YAML tags are not allowed in rule files; write the key without !baz",
                "bad.yaml:13:9: YAML tags are not allowed in rule files; write the key without !!str",
                "bad.yaml:13:31: YAML tags are not allowed in rule files; write the value without !, in quotes to make"
                        + " it text");
    }

    @Test
    void aTaggedRootOrListIsRefusedAndQuotedBangsAreText() {
        assertThat(problems("!rules\ngroups: []\n")).containsExactly(
                "bad.yaml:1:1: YAML tags are not allowed in rule files; write the value without !rules, in quotes to"
                        + " make it text");
        assertThat(problems("groups: !!seq []\n")).containsExactly(
                "bad.yaml:1:9: YAML tags are not allowed in rule files; write the value without !!seq, in quotes to"
                        + " make it text");
        assertThat(problems("groups:\n  - name: g\n    rules:\n      - alert: A\n        series: up\n"
                + "        absent: {after: 1m}\n        labels: {a: \"!foo\", b: '!!str'}\n")).isEmpty();
    }

    @Test
    void anAliasBombIsRefusedWithoutExpandingIt() {
        final StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            final String prev = "*" + (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [").append(String.join(",", List.of(
                    prev, prev, prev, prev, prev, prev, prev, prev, prev))).append("]\n");
        }

        final List<String> problems = problems(bomb.toString());

        assertThat(problems).contains("bad.yaml:2:4: YAML anchors are not allowed in rule files",
                "bad.yaml:2:8: YAML aliases are not allowed in rule files",
                "bad.yaml:9:32: YAML aliases are not allowed in rule files");
    }

    @Test
    void problemsAreCappedPerFile() {
        final StringBuilder yaml = new StringBuilder("groups: []\n");
        for (int i = 0; i < 150; i++) {
            yaml.append("unknown").append(i).append(": x\n");
        }

        final List<String> problems = problems(yaml.toString());

        assertThat(problems).hasSize(FileProblems.LIMIT + 1);
        assertThat(problems.get(FileProblems.LIMIT - 1)).startsWith("bad.yaml:101:1: unknown key 'unknown99'");
        assertThat(problems.get(FileProblems.LIMIT))
                .isEqualTo("bad.yaml:102:1: too many problems; only the first 100 are reported");
    }

    @Test
    void deepNestingIsAProblemNotACrash() {
        final String deep = "groups: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";

        assertThat(problems(deep)).containsExactly("bad.yaml:1:72: nesting is deeper than 64 levels");
    }

    @Test
    void aFileOverOneMebibyteIsRefusedUnread(@TempDir final Path dir) throws IOException {
        final String big = "# " + "x".repeat(RuleLoader.MAX_FILE_BYTES) + "\n";
        final Path file = Files.writeString(dir.resolve("big.yaml"), big);

        assertThat(RuleLoader.parse("big.yaml", big).problems()).extracting(RuleProblem::toString)
                .containsExactly("big.yaml:1:1: the file is 1048579 bytes; rule files are limited to 1 MiB (1048576 bytes)");
        assertThat(RuleLoader.load(List.of(file)).problems()).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(1), p -> assertThat(p.column()).isEqualTo(1));
    }

    @Test
    void invalidUtf8IsReportedAtTheFirstBadByte(@TempDir final Path dir) throws IOException {
        final byte[] bad = {(byte) 0xff};
        final Path second = Files.write(dir.resolve("second.yaml"), concat("groups:\r\n  - name: g\u00e9", bad, "\n"));
        final Path first = Files.write(dir.resolve("first.yaml"), concat("\uFEFFgroups", bad, ":\n"));
        // A multi-byte sequence cut short: the bad byte is its first.
        final Path cut = Files.write(dir.resolve("cut.yaml"),
                concat("a: \u00e9\n\n#", new byte[] {(byte) 0xe2, (byte) 0x82}, ""));

        assertThat(RuleLoader.load(List.of(second, first, cut)).problems()).extracting(RuleProblem::toString)
                .containsExactly(second + ":2:13: the file is not valid UTF-8",
                        first + ":1:7: the file is not valid UTF-8",
                        cut + ":3:2: the file is not valid UTF-8");
    }

    private static byte[] concat(final String before, final byte[] bytes, final String after) {
        final byte[] a = before.getBytes(StandardCharsets.UTF_8);
        final byte[] c = after.getBytes(StandardCharsets.UTF_8);
        final byte[] all = Arrays.copyOf(a, a.length + bytes.length + c.length);
        System.arraycopy(bytes, 0, all, a.length, bytes.length);
        System.arraycopy(c, 0, all, a.length + bytes.length, c.length);
        return all;
    }

    @Test
    void aMissingPathIsAProblem(@TempDir final Path dir) {
        final Path missing = dir.resolve("nope");

        assertThat(RuleLoader.load(List.of(missing)).problems()).extracting(RuleProblem::toString)
                .containsExactly(missing + ":1:1: no such file or directory");
    }
}
