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
        assertThat(validate.err().lines()).hasSize(3).anySatisfy(l -> assertThat(l).startsWith(rules
                + ":4:9: absent rule WeeklyJobSilent can never page")).anySatisfy(l -> assertThat(l).startsWith(rules
                + ":9:20: 'aggregate' must be one of")).last().isEqualTo("2 problem(s) found");

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
}
