package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluation.forget must outlast every absent rule's silence, or that rule could never page. */
class ForgetCheckTest {

    /** Pages after 2m of silence, held 1m, judged every 30s: 3m30s. */
    private static final RuleSet SILENCE = TopologyFixture.parse("""
            groups:
              - name: hosts
                every: 30s
                rules:
                  - alert: HostCpuHigh
                    series: cpu
                    aggregate: avg
                    window: 1m
                    threshold: {above: 90}
                  - alert: HostSilent
                    series: cpu
                    absent: {after: 2m}
                    for: 1m
            """);

    /** Pages after 36 hours of silence: longer than the default forget, a day. */
    private static final String WEEKLY_JOB_SILENT = """
            groups:
              - name: batch
                rules:
                  - alert: WeeklyJobSilent
                    series: job_last_success_timestamp
                    absent: {after: 36h}
            """;

    @TempDir
    Path dir;

    @Test
    void forgetMustOutlastAnAbsentRulesAfterForAndEvery() {
        assertThat(ForgetCheck.problem(SILENCE, Duration.ofMinutes(3).plusSeconds(30)))
                .hasValueSatisfying(p -> assertThat(p)
                        .startsWith("evaluation.forget (3m30s) is too short for absent rule HostSilent (")
                        .endsWith("before this rule can page (after 2m, for 1m, every 30s); set evaluation.forget"
                                + " above 3m30s"));
        assertThat(ForgetCheck.problem(SILENCE, Duration.ofMinutes(3).plusSeconds(31))).isEmpty();
        assertThat(ForgetCheck.problem(SILENCE, Duration.ofHours(24))).isEmpty();
    }

    @Test
    void replayRefusesSuchAConfigurationNamingTheKey() throws Exception {
        final Path rules = Files.writeString(dir.resolve("hosts.yaml"), """
                groups:
                  - name: hosts
                    every: 30s
                    rules:
                      - alert: HostSilent
                        series: cpu
                        absent: {after: 2m}
                """);
        final Path input = Files.writeString(dir.resolve("in.jsonl"), "");
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), "evaluation: {forget: 1m}\n");

        final CommandRun run = CommandRun.vigil("replay", "--rules", rules.toString(), "--input", input.toString(),
                "--config", config.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("vigil: evaluation.forget (1m) is too short for absent rule HostSilent ("
                + rules + ":5)");
        assertThatCode(() -> ForgetCheck.require(SILENCE, Duration.ofDays(1))).doesNotThrowAnyException();
        assertThatThrownBy(() -> ForgetCheck.require(SILENCE, Duration.ofMinutes(1)))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void rulesValidateReportsAnAbsentRuleThatCanNeverPageUnderTheConfiguration() throws Exception {
        final Path rules = Files.writeString(dir.resolve("batch.yaml"), WEEKLY_JOB_SILENT);

        final CommandRun byDefault = CommandRun.vigil("rules", "validate", rules.toString());
        assertThat(byDefault.exit()).isEqualTo(1);
        assertThat(byDefault.err()).startsWith(rules + ":4:9: absent rule WeeklyJobSilent can never page with"
                + " evaluation.forget 1d: a series is forgotten after that much silence");

        final Path config = Files.writeString(dir.resolve("vigil.yaml"), "evaluation: {forget: 8d}\n");
        final CommandRun configured = CommandRun.vigil("rules", "validate", rules.toString(), "--config",
                config.toString());
        assertThat(configured.err()).isEmpty();
        assertThat(configured.exit()).isZero();
    }

    /**
     * Said with the rule files' other problems, in one run: said only once those were fixed, it came as a new problem
     * on the next run (a README audit, 2026-12-08). A rule beside the broken one in its group counts too.
     */
    @Test
    void rulesValidateAndRuleTestsSayItWithTheOtherProblems() throws Exception {
        final Path rules = Files.writeString(dir.resolve("batch.yaml"), WEEKLY_JOB_SILENT + """
                      - alert: JobSlow
                        series: job_duration_seconds
                        aggregate: median
                        threshold: {above: 3600}
                """);

        final CommandRun validate = CommandRun.vigil("rules", "validate", rules.toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.err().lines()).satisfiesExactly(
                l -> assertThat(l).startsWith(rules + ":4:9: absent rule WeeklyJobSilent can never page"),
                l -> assertThat(l).startsWith(rules + ":9:20: 'aggregate' must be one of"),
                l -> assertThat(l).isEqualTo("2 problem(s) found"));

        final Path test = Files.writeString(dir.resolve("batch.test.yaml"), """
                rule_files: [batch.yaml]
                tests:
                  - name: silent
                    alerts: [{at: 1m}]
                """);
        final CommandRun tests = CommandRun.vigil("rules", "test", test.toString());
        assertThat(tests.exit()).isEqualTo(1);
        assertThat(tests.out()).contains(rules + ":4:9: absent rule WeeklyJobSilent can never page")
                .contains(rules + ":9:20: 'aggregate' must be one of");
    }

    /**
     * Checked once the whole file is read, on the rules valid on their own: also in a group without a name, whose
     * rules are read all the same; not a rule that holds a problem the YAML reading found (a duplicate key: which
     * value the author meant is not known), nor any rule once problems were dropped past the limit of 100.
     */
    @Test
    void aRuleIsCheckedWhereItIsValidOnItsOwnAndNowhereElse() throws Exception {
        final Path nameless = Files.writeString(dir.resolve("nameless.yaml"), """
                groups:
                  - rules:
                      - alert: Gone
                        series: up
                        absent: {after: 1d}
                """);
        assertThat(validate(nameless)).containsExactly(nameless + ":2:5: a group needs 'name'",
                nameless + ":3:9: absent rule Gone can never page with evaluation.forget 1d: a series is forgotten"
                        + " after that much silence, before this rule can page (after 1d, for 0s, every 10s); set"
                        + " evaluation.forget above 1d10s");

        final Path duplicate = Files.writeString(dir.resolve("duplicate.yaml"), """
                groups:
                  - name: g
                    rules:
                      - alert: Gone
                        series: up
                        absent:
                          after: 1d
                          after: 1h
                      - alert: Fine
                        series: up
                        threshold: {above: 1}
                """);
        assertThat(validate(duplicate)).containsExactly(
                duplicate + ":8:11: duplicate key 'after'; first given at line 7");

        final StringBuilder many = new StringBuilder("groups:\n  - name: g\n    rules:\n");
        for (int i = 0; i < 101; i++) {
            many.append("      - {alert: Bad").append(i).append(", series: up, threshold: {above: x}}\n");
        }
        many.append("      - {alert: Gone, series: up, absent: {after: 1d}}\n");
        final Path tooMany = Files.writeString(dir.resolve("many.yaml"), many.toString());
        assertThat(validate(tooMany)).hasSize(101).last().asString().endsWith(
                "too many problems; only the first 100 are reported");
    }

    @Test
    void runAndReplayNameEveryRuleTheForgetIsTooShortForAndTheLongestForgetAsked() {
        final RuleSet two = TopologyFixture.parse("""
                groups:
                  - name: batch
                    rules:
                      - alert: DailyJobSilent
                        series: daily_job_last_success_timestamp
                        absent: {after: 1d}
                      - alert: WeeklyJobSilent
                        series: weekly_job_last_success_timestamp
                        absent: {after: 8d}
                """);
        assertThat(ForgetCheck.problem(two, Duration.ofDays(1))).hasValueSatisfying(p -> assertThat(p).isEqualTo(
                "evaluation.forget (1d) is too short for 2 absent rules, each silent that long before it can page:"
                        + " DailyJobSilent (" + two.rules().get(0).sourceFile() + ":4, 1d10s), WeeklyJobSilent ("
                        + two.rules().get(1).sourceFile() + ":7, 8d10s); a series is forgotten after that much"
                        + " silence; set evaluation.forget above 8d10s"));
    }

    /** What {@code rules validate} says of {@code file} under the default configuration, line by line. */
    private static java.util.List<String> validate(final Path file) {
        return io.vigil.rules.RuleLoader.load(java.util.List.of(file), ForgetCheck.check(Duration.ofDays(1)))
                .problems().stream().map(Object::toString).toList();
    }
}
