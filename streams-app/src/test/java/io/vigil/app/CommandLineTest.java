package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them (in-process): exit codes, what is printed, and the repository's own files. */
class CommandLineTest {

    /** The repository root: the tests run in streams-app/. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static CommandRun vigil(final String... args) {
        return CommandRun.vigil(args);
    }

    @Test
    void theRepositorysRulesValidate() {
        final CommandRun run = vigil("rules", "validate", ROOT.resolve("rules").toString());
        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("ok: ");
    }

    /** A warning is said where the rule is, and the rules still pass: rules.md allows a name in two groups. */
    @Test
    void oneAlertNameAndLabelsInTwoGroupsOverOneSeriesAreWarnedOfAndPass() throws Exception {
        final Path twice = dir.resolve("twice.yaml");
        Files.writeString(twice, """
                groups:
                  - name: a
                    rules:
                      - alert: X
                        series: cpu
                        threshold: {above: 1}
                  - name: b
                    rules:
                      - alert: X
                        series: cpu{host="h"}
                        threshold: {above: 2}
                """);
        final CommandRun run = vigil("rules", "validate", twice.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("ok: 2 group(s), 2 rule(s)");
        assertThat(run.err()).startsWith(twice + ":9:9: warning: alert 'X' of group 'b' has the name and labels of"
                + " the one in group 'a' (" + twice + ":4:9)");
    }

    @Test
    void invalidRulesArePrintedWithFileLineAndColumnAndExitOne() throws Exception {
        final Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                groups:
                  - name: g
                    rules:
                      - alert: X
                        series: cpu
                        threshold: {above: 1}
                        widow: 5m
                """);
        final CommandRun run = vigil("rules", "validate", bad.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(bad + ":7:");
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aBadConfigurationNamesTheKeyAndExitsTwo() throws Exception {
        final Path cfg = dir.resolve("vigil.yaml");
        Files.writeString(cfg, "evaluation:\n  grase: 10s\n");
        final CommandRun run = vigil("replay", "--rules", ROOT.resolve("rules").toString(), "--config", cfg.toString(),
                "--input", ROOT.resolve("samples/backend-incident.jsonl").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil: " + cfg + ":2:3: unknown configuration key 'evaluation.grase'; did you"
                + " mean 'evaluation.grace'?"
                + System.lineSeparator());
    }

    @Test
    void aReplayInputOrOutputThatCannotBeUsedIsNamedAndExitsTwo() throws Exception {
        final String rules = ROOT.resolve("rules").toString();
        final String sample = ROOT.resolve("samples/backend-incident.jsonl").toString();

        final CommandRun toNowhere = vigil("replay", "--rules", rules, "--input", sample,
                "--output", dir.resolve("missing/events.jsonl").toString());
        assertThat(toNowhere.exit()).isEqualTo(2);
        assertThat(toNowhere.err()).isEqualTo("vigil: --output: cannot write " + dir.resolve("missing/events.jsonl")
                + ": its directory does not exist" + System.lineSeparator());

        // What java.nio said was printed as it was: the exception's class ("AccessDeniedException"), the bare path.
        final Path aFile = Files.writeString(dir.resolve("a-file"), "");
        final CommandRun underAFile = vigil("replay", "--rules", rules, "--input", sample,
                "--output", aFile.resolve("events.jsonl").toString());
        assertThat(underAFile.exit()).isEqualTo(2);
        assertThat(underAFile.err()).isEqualTo("vigil: --output: cannot write " + aFile.resolve("events.jsonl")
                + ": not a directory" + System.lineSeparator());

        final CommandRun fromNowhere = vigil("replay", "--rules", rules,
                "--input", dir.resolve("none.jsonl").toString());
        assertThat(fromNowhere.exit()).isEqualTo(2);
        assertThat(fromNowhere.err()).isEqualTo("vigil: --input: cannot read " + dir.resolve("none.jsonl")
                + ": no such file or directory" + System.lineSeparator());

        final CommandRun fromADirectory = vigil("replay", "--rules", rules, "--input", dir.toString());
        assertThat(fromADirectory.exit()).isEqualTo(2);
        assertThat(fromADirectory.err()).isEqualTo("vigil: --input: " + dir + " is a directory; give the files in it"
                + System.lineSeparator());
    }

    /** A rule test file given as the rules is said to be one, not read as rules with a problem per key. */
    @Test
    void aRuleTestFileGivenAsTheRulesIsSaidToBeOne() {
        final String test = ROOT.resolve("rules/backend.test.yaml").toString();

        final CommandRun run = vigil("replay", "--rules", test, "--input",
                ROOT.resolve("samples/backend-incident.jsonl").toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith(test + ":1:1: a rule test file, not a rule file: give the rule files it names,"
                + " or run it with `vigil rules test " + test + "`").doesNotContain("groups");
    }

    /** Opening the output empties it: an output that is an input was erased, and the replay exited 0 on nothing. */
    @Test
    void aReplayOutputThatIsAnInputUnderAnySpellingIsRefusedAndTheInputKept() throws Exception {
        final Path capture = Files.copy(ROOT.resolve("samples/backend-incident.jsonl"), dir.resolve("cap.jsonl"));
        final byte[] recorded = Files.readAllBytes(capture);
        Files.createDirectory(dir.resolve("sub"));
        final Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), capture);
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), "evaluation:\n  grace: 10s\n");
        final String rules = ROOT.resolve("rules").toString();

        for (Path output : List.of(capture, dir.resolve("./cap.jsonl"), dir.resolve("sub/../cap.jsonl"), link)) {
            final CommandRun run = vigil("replay", "--rules", rules, "--input", capture.toString(),
                    "--output", output.toString());
            assertThat(run.exit()).as(output.toString()).isEqualTo(2);
            assertThat(run.err()).isEqualTo("vigil: --output: " + output + " is also an --input"
                    + System.lineSeparator());
        }
        final CommandRun secondInput = vigil("replay", "--rules", rules, "--input", config.toString(),
                capture.toString(), "--output", capture.toString());
        assertThat(secondInput.exit()).isEqualTo(2);
        final CommandRun overConfig = vigil("replay", "--rules", rules, "--config", config.toString(),
                "--input", capture.toString(), "--output", config.toString());
        assertThat(overConfig.exit()).isEqualTo(2);
        assertThat(overConfig.err()).isEqualTo("vigil: --output: " + config + " is also the --config"
                + System.lineSeparator());

        // A rule file, given as such or read from a directory of rules.
        final Path ruleDir = Files.createDirectory(dir.resolve("rules"));
        final Path ruleFile = Files.copy(ROOT.resolve("rules/hosts.yaml"), ruleDir.resolve("hosts.yaml"));
        final String ruleText = Files.readString(ruleFile);
        final CommandRun overRuleFile = vigil("replay", "--rules", ruleFile.toString(), "--input", capture.toString(),
                "--output", ruleFile.toString());
        assertThat(overRuleFile.exit()).isEqualTo(2);
        assertThat(overRuleFile.err()).isEqualTo("vigil: --output: " + ruleFile + " is also the --rules file"
                + System.lineSeparator());
        final CommandRun overRuleInDir = vigil("replay", "--rules", ruleDir.toString(), "--input", capture.toString(),
                "--output", ruleFile.toString());
        assertThat(overRuleInDir.exit()).isEqualTo(2);
        assertThat(overRuleInDir.err()).isEqualTo("vigil: --output: " + ruleFile + " is also a rule file read from"
                + " --rules " + ruleDir + System.lineSeparator());

        assertThat(Files.readAllBytes(capture)).isEqualTo(recorded);
        assertThat(Files.readString(config)).isEqualTo("evaluation:\n  grace: 10s\n");
        assertThat(Files.readString(ruleFile)).isEqualTo(ruleText);
    }

    /** The events went through a PrintStream, which keeps write errors to itself: all lost, the summary, exit 0. */
    @Test
    void eventsThatCannotBeWrittenFailTheReplay() {
        final Path full = Path.of("/dev/full"); // every write: ENOSPC
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full));
        final CommandRun run = vigil("replay", "--rules", ROOT.resolve("rules").toString(),
                "--input", ROOT.resolve("samples/backend-incident.jsonl").toString(), "--output", full.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("vigil: --output: cannot write /dev/full: no space left on device"
                + System.lineSeparator());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void runRefusesAnHttpPortInUseBeforeStartingAnything() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            final CommandRun run = vigil("run", "--rules", ROOT.resolve("rules").toString(),
                    "--http-port", String.valueOf(taken.getLocalPort()));
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).startsWith("vigil: --http-port: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void replayReadsEveryLineInTheFormatGivenAndCountsWhatItSkips() throws Exception {
        final Path rules = dir.resolve("hot.yaml");
        Files.writeString(rules, """
                groups:
                  - name: g
                    rules:
                      - alert: Hot
                        series: cpu_usage_user
                        window: 10s
                        threshold: {above: 50}
                """);
        // One point as line protocol, one as native JSON, and a string field; then a point ten minutes on, so that
        // the first ones' instants are evaluated.
        final Path input = dir.resolve("mixed.txt");
        Files.writeString(input, """
                cpu,host=lp usage_user=90 1655793000000000000
                {"name":"cpu_usage_user","labels":{"instance":"json"},"value":90,"timestamp":"2022-06-21T06:30:00Z"}
                cpu,host=lp state="busy" 1655793000000000000
                cpu,host=tick usage_user=1 1655793600000000000
                {"name":"cpu_usage_user","labels":{"instance":"tick"},"value":1,"timestamp":"2022-06-21T06:40:00Z"}
                """);

        final CommandRun auto = replay(rules, input, "auto");
        assertThat(auto.exit()).isZero();
        assertThat(events("auto")).contains("\"instance\":\"lp\"").contains("\"instance\":\"json\"");
        assertThat(auto.err()).contains("skipped 1 string or boolean field(s)");

        final CommandRun influx = replay(rules, input, "influx");
        assertThat(influx.exit()).isZero();
        assertThat(events("influx")).contains("\"instance\":\"lp\"").doesNotContain("\"instance\":\"json\"");
        assertThat(influx.err()).contains("2 record(s) run would dead-letter (their valid datapoints used")
                .containsPattern("(?m)^  the first invalid_line: .*mixed\\.txt:2:54: invalid_line: expected '='$");

        final CommandRun json = replay(rules, input, "json");
        assertThat(json.exit()).isZero();
        assertThat(events("json")).doesNotContain("\"instance\":\"lp\"").contains("\"instance\":\"json\"");
        assertThat(json.err()).contains("3 record(s) run would dead-letter (their valid datapoints used");

        final CommandRun unknown = vigil("replay", "--rules", rules.toString(), "--input", input.toString(),
                "--format", "csv");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("vigil: --format: 'csv' is not a format; use one of auto, json, "
                + "telegraf_json, influx" + System.lineSeparator());
    }

    /**
     * A capture of a topic configured with {@code precision: s}: read in nanoseconds its points were of 1970 and made
     * no alert, where run paged, and nothing set the unit.
     */
    @Test
    void replayReadsLineProtocolInThePrecisionGiven() throws Exception {
        final Path rules = hotRule();
        final Path seconds = Files.writeString(dir.resolve("seconds.txt"),
                "cpu,host=a usage_user=97 1655798400\nclock v=1 1655798490\n");
        final CommandRun run = vigil("replay", "--rules", rules.toString(), "--input", seconds.toString(),
                "--format", "influx", "--precision", "s", "--output", dir.resolve("s.jsonl").toString());
        assertThat(run.exit()).isZero();
        assertThat(Files.readString(dir.resolve("s.jsonl")))
                .contains("\"status\":\"firing\"", "\"startsAt\":\"2022-06-21T08:00:00Z\"");

        final CommandRun json = vigil("replay", "--rules", rules.toString(), "--input", seconds.toString(),
                "--format", "json", "--precision", "s");
        assertThat(json.exit()).isEqualTo(2);
        assertThat(json.err()).isEqualTo("vigil: --precision: the precision is that of line protocol timestamps;"
                + " --format json reads none (use --format influx or auto)" + System.lineSeparator());
        final CommandRun unknown = vigil("replay", "--rules", rules.toString(), "--input", seconds.toString(),
                "--precision", "sec");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("vigil: --precision: 'sec' is not a precision; use one of ns, us, ms, s"
                + System.lineSeparator());
    }

    /**
     * A line protocol line without a timestamp is what run dead-letters (missing_timestamp), as a JSON datapoint
     * without one: replay says so of both, where it said the line apart as one run would give its record's time.
     */
    @Test
    void replaySaysALineProtocolLineWithoutATimestampIsWhatRunWouldDeadLetter() throws Exception {
        final Path rules = hotRule();
        final Path lineProtocol = Files.writeString(dir.resolve("lp.txt"), "cpu,host=a usage_user=90\n");
        final Path json = Files.writeString(dir.resolve("js.txt"),
                "{\"name\":\"cpu_usage_user\",\"labels\":{},\"value\":90}\n");
        final CommandRun both = vigil("replay", "--rules", rules.toString(), "--input", lineProtocol.toString(),
                json.toString(), "--output", dir.resolve("both.jsonl").toString());
        assertThat(both.exit()).isZero();
        assertThat(both.err()).contains("2 record(s) run would dead-letter (their valid datapoints used")
                .contains("missing_timestamp=2" + System.lineSeparator())
                .contains("the first missing_timestamp: " + lineProtocol + ":1: missing_timestamp: no timestamp");
    }

    /** The summary's words for late points come with late points only; they were printed whatever was skipped. */
    @Test
    void replaysSummaryExplainsLateOnlyWhenPointsWereLate() throws Exception {
        final Path rules = hotRule();
        final String late = "{\"name\":\"cpu_usage_user\",\"labels\":{},\"value\":1,\"timestamp\":\"%s\"}\n";
        final Path input = Files.writeString(dir.resolve("late.jsonl"), late.formatted("2022-06-21T06:30:00Z")
                + late.formatted("2022-06-21T06:40:00Z") + late.formatted("2022-06-21T06:30:10Z") + "not a point\n");
        final CommandRun withLate = vigil("replay", "--rules", rules.toString(), "--input", input.toString(),
                "--output", dir.resolve("late-events.jsonl").toString());
        assertThat(withLate.exit()).isZero();
        assertThat(withLate.err()).contains("1 record(s) run would dead-letter (their valid datapoints used,"
                + " as run uses them); rejections by reason"
                + " (late: datapoints dropped): invalid_line=1 late=1");

        final Path onTime = Files.writeString(dir.resolve("on-time.jsonl"), late.formatted("2022-06-21T06:30:00Z")
                + "not a point\n");
        final CommandRun withoutLate = vigil("replay", "--rules", rules.toString(), "--input", onTime.toString(),
                "--output", dir.resolve("on-time-events.jsonl").toString());
        assertThat(withoutLate.exit()).isZero();
        assertThat(withoutLate.err()).contains("1 record(s) run would dead-letter (their valid datapoints used,"
                + " as run uses them); rejections by reason:"
                + " invalid_line=1" + System.lineSeparator()).doesNotContain("late");
    }

    /**
     * Epoch seconds where native JSON takes milliseconds: every point a few weeks after 1970 and within a second of
     * the others, so nothing was evaluated, and the summary said only "0 alert event(s)" (a numeric edge-case audit).
     */
    @Test
    void aReplayWhoseDatapointsCouldNotAlertSaysWhy() throws Exception {
        final Path rules = hotRule();
        final StringBuilder seconds = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            seconds.append("{\"name\":\"cpu_usage_user\",\"labels\":{},\"value\":95,\"timestamp\":")
                    .append(1_655_793_000L + 10 * i).append("}\n");
        }
        final CommandRun run = vigil("replay", "--rules", rules.toString(), "--input",
                Files.writeString(dir.resolve("seconds.jsonl"), seconds).toString());
        assertThat(run.exit()).isZero();
        assertThat(run.err()).contains("replayed 20 record(s): 0 alert event(s)" + System.lineSeparator()
                + "note: the datapoints are from 1970-01-20T03:56:33Z to 1970-01-20T03:56:33.190Z: are their"
                + " timestamps in another unit? Native JSON takes epoch milliseconds (or RFC 3339), line protocol"
                + " nanoseconds (--precision sets another), Telegraf JSON seconds (formats.md)" + System.lineSeparator()
                + "note: the datapoints span 190 ms, within the grace (evaluation.grace, 15s) that a replay leaves"
                + " unevaluated at the end of its input, as run waits that long for points out of order: no instant"
                + " was evaluated");

        final Path sample = ROOT.resolve("samples/backend-incident.jsonl");
        assertThat(vigil("replay", "--rules", ROOT.resolve("rules").toString(), "--input", sample.toString(),
                "--output", dir.resolve("sample.jsonl").toString()).err()).doesNotContain("note:");

        // One point of the rule's, then one of a metric no rule selects, 5 minutes on: its instants did run (the note
        // looked at the selected points alone).
        final CommandRun moved = vigil("replay", "--rules", rules.toString(), "--input", Files.writeString(
                dir.resolve("moved.jsonl"), """
                        {"name":"cpu_usage_user","labels":{},"value":5,"timestamp":1655791205000}
                        {"name":"clock","labels":{},"value":0,"timestamp":1655791500000}
                        """).toString());
        assertThat(moved.exit()).isZero();
        assertThat(moved.err()).contains("replayed 2 record(s): 0 alert event(s)").doesNotContain("note:");
    }

    /** A rule file of one rule, Hot: cpu_usage_user above 50, in the temp dir. */
    private Path hotRule() throws java.io.IOException {
        return Files.writeString(dir.resolve("hot.yaml"), """
                groups:
                  - name: g
                    rules:
                      - alert: Hot
                        series: cpu_usage_user
                        threshold: {above: 50}
                """);
    }

    /** {@code vigil replay} of {@code input} in {@code format}, its events written to a file of the temp dir. */
    private CommandRun replay(final Path rules, final Path input, final String format) {
        return vigil("replay", "--rules", rules.toString(), "--input", input.toString(), "--format", format,
                "--output", dir.resolve(format + ".jsonl").toString());
    }

    /** The events {@link #replay} wrote in {@code format}. */
    private String events(final String format) throws java.io.IOException {
        return Files.readString(dir.resolve(format + ".jsonl"));
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        assertThat(vigil("replay", "--nope").exit()).isEqualTo(2);
    }

    /**
     * A mistyped option after an option of many values was taken as one of them: {@code --input f.jsonl --ouptut x}
     * failed on "cannot read --ouptut", and after an option of one value it was that value. It is named as unknown,
     * in every command; a negative number is still a value.
     */
    @Test
    void aMistypedOptionIsNamedAsUnknownWhereverItIs() {
        final String rules = ROOT.resolve("rules").toString();
        final String sample = ROOT.resolve("samples/backend-incident.jsonl").toString();

        final CommandRun afterInputs = vigil("replay", "--rules", rules, "--input", sample, "--ouptut", "x");
        assertThat(afterInputs.exit()).isEqualTo(2);
        assertThat(afterInputs.err()).startsWith("Unknown option: '--ouptut'").doesNotContain("cannot read");
        assertThat(afterInputs.out()).isEmpty();

        final CommandRun asAValue = vigil("replay", "--rules", rules, "--input", sample, "--config", "--nope");
        assertThat(asAValue.exit()).isEqualTo(2);
        assertThat(asAValue.err()).startsWith("Unknown option: '--nope'");

        final CommandRun amongPaths = vigil("rules", "validate", rules, "--strict");
        assertThat(amongPaths.exit()).isEqualTo(2);
        assertThat(amongPaths.err()).startsWith("Unknown option: '--strict'");

        final CommandRun negative = vigil("bench", "--datapoints", "-5");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err())
                .isEqualTo("vigil: --datapoints: must be at least 1, not -5" + System.lineSeparator());
    }

    /**
     * A rules directory holding no rule file (mistyped, or not filled yet) passed {@code rules validate} as "ok: 0
     * group(s), 0 rule(s)", and {@code replay} ran no rules, exit 0. Both refuse it, naming the names looked for, as
     * invalid rules (exit 1); {@code run}, whose hot reload may add the first rules, starts and warns.
     */
    @Test
    void aRulesDirectoryWithoutRuleFilesIsRefusedByValidateAndReplayAndWarnedOfByRun() throws Exception {
        final Path rules = Files.createDirectory(dir.resolve("rules"));
        // Neither a rule test nor a hidden file is a rule file.
        Files.writeString(rules.resolve("nodes.test.yaml"), "rule_files: [nodes.yaml]\ntests: []\n");
        Files.writeString(rules.resolve(".draft.yaml"), "groups: []\n");
        final String said = rules + ":1:1: is a directory without rule files (*.yaml, *.yml; not *.test.yaml,"
                + " *.test.yml, nor names starting with '.')";

        final CommandRun validate = vigil("rules", "validate", rules.toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.out()).isEmpty();
        assertThat(validate.err()).isEqualTo(said + System.lineSeparator() + "1 problem(s) found"
                + System.lineSeparator());
        final CommandRun besideRules = vigil("rules", "validate", ROOT.resolve("rules").toString(), rules.toString());
        assertThat(besideRules.exit()).isEqualTo(1);
        assertThat(besideRules.err()).contains(said);

        final CommandRun replay = vigil("replay", "--rules", rules.toString(), "--input",
                ROOT.resolve("samples/backend-incident.jsonl").toString());
        assertThat(replay.exit()).isEqualTo(1);
        assertThat(replay.out()).isEmpty();
        assertThat(replay.err()).startsWith(said + System.lineSeparator()).doesNotContain("\tat ");

        assertThat(RunCommand.noRuleFilesWarning(rules)).hasValue("rules.path " + rules + " holds no rule file"
                + " (*.yaml, *.yml; not *.test.yaml, *.test.yml, nor names starting with '.'): nothing is evaluated"
                + " until one is put there (a reload takes it within 10s)");
        assertThat(RunCommand.noRuleFilesWarning(ROOT.resolve("rules"))).isEmpty();
        assertThat(RunCommand.noRuleFilesWarning(ROOT.resolve("rules/hosts.yaml"))).isEmpty();
    }

    /** An unset variable in {@code --rules "$RULES"} loaded the working directory's every rule file. */
    @Test
    void anEmptyPathIsAUsageError() {
        final CommandRun validate = vigil("rules", "validate", "");
        assertThat(validate.exit()).isEqualTo(2);
        assertThat(validate.err()).contains("an empty path (an unset variable?)");
        final CommandRun replay = vigil("replay", "--rules", "", "--input", "x.jsonl");
        assertThat(replay.exit()).isEqualTo(2);
        assertThat(replay.err()).startsWith("Invalid value for option '--rules': an empty path");
        assertThat(replay.out()).isEmpty();
    }

    /** A FIFO waited for a writer for ever; a device may never end. */
    @Test
    void aFileThatIsNotRegularIsRefusedUnread() throws Exception {
        final Path fifo = dir.resolve("rules.yaml");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start()
                .waitFor() == 0, "mkfifo");
        final CommandRun validate = vigil("rules", "validate", fifo.toString());
        assertThat(validate.exit()).isEqualTo(1);
        assertThat(validate.err()).startsWith(fifo + ":1:1: not a regular file");
        final CommandRun config = vigil("rules", "validate", "--config", fifo.toString(),
                ROOT.resolve("rules").toString());
        assertThat(config.exit()).isEqualTo(2);
        assertThat(config.err()).startsWith("vigil: " + fifo + ": cannot read: not a regular file");
        final CommandRun test = vigil("rules", "test", "/dev/null");
        assertThat(test.exit()).isEqualTo(1);
        assertThat(test.out()).contains("/dev/null:1:1: not a regular file");
    }

    /** {@code vigil} or {@code vigil rules} alone printed the usage on stdout and exited 0, as if asked for it. */
    @Test
    void noCommandIsAUsageErrorAndHelpIsNot() {
        for (String[] args : List.of(new String[0], new String[] {"rules"})) {
            final CommandRun run = vigil(args);
            assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("Missing required subcommand").contains("Usage: vigil");
        }
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"rules", "--help"},
                new String[] {"help"})) {
            final CommandRun run = vigil(args);
            assertThat(run.exit()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).startsWith("Usage: vigil");
            assertThat(run.err()).isEmpty();
        }
    }

    /**
     * Help says where a default comes from when configuration can change it, and names real variables: run's said
     * "--http-port ... (default 8080)" whatever http.port or VIGIL_HTTP_PORT said, and "data in ./data/kafka" whatever
     * --data-dir; rules test's named only *.test.yaml files of a directory, where *.test.yml run too.
     */
    @Test
    void helpSaysWhereDefaultsComeFromAndEveryTestFileName() {
        final String help = vigil("run", "--help").out().replaceAll("\\s+", " ");
        // The options' part: the configuration keys listed after it have their own defaults, http.port's 8080.
        final String run = help.substring(0, help.indexOf("The keys of the --config file"));
        assertThat(run).doesNotContain("default 8080").doesNotContain("./data/kafka")
                .contains("its data in kafka/ of --data-dir")
                .contains("(default: http.port of --config, or VIGIL_HTTP_PORT; else 8080)")
                .contains("(default: rules.path of --config, or VIGIL_RULES_PATH; else rules/)")
                .contains("(default: log.format of --config, or VIGIL_LOG_FORMAT; else text)")
                .contains("VIGIL_BOOTSTRAP_SERVERS");
        // The variables named are the ones read.
        final VigilConfig set = ConfigLoader.load(null, java.util.Map.of("VIGIL_HTTP_PORT", "18081",
                "VIGIL_RULES_PATH", "elsewhere/", "VIGIL_LOG_FORMAT", "json", "VIGIL_BOOTSTRAP_SERVERS", "k:19093"));
        assertThat(set.httpPort()).isEqualTo(18_081);
        assertThat(set.rulesPath()).isEqualTo(Path.of("elsewhere/"));
        assertThat(set.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(set.bootstrapServers()).hasValue("k:19093");

        assertThat(vigil("rules", "test", "--help").out().replaceAll("\\s+", " "))
                .contains("the *.test.yaml and *.test.yml files under them");
    }

    /**
     * run's help lists the keys of its --config file with their defaults, where "--config=FILE vigil.yaml" said nothing
     * of what the file may hold; each line fits a terminal.
     */
    @Test
    void runHelpListsTheConfigurationKeysWithTheirDefaults() {
        final CommandRun run = vigil("run", "--help");
        assertThat(run.exit()).isZero();
        // As written, not wrapped again by picocli (a line of more than 80 columns would be).
        assertThat(run.out()).contains("The keys of the --config file (YAML), with their defaults. Each can also be\n"
                        + "set in the environment: evaluation.grace as VIGIL_EVALUATION_GRACE. kafka.*\n")
                .contains("  topics.metrics (default metrics)\n")
                .contains("  evaluation.grace (default 15s)\n      how long an evaluation waits for late points\n")
                .contains("  ingest.max_age (default 7d)\n")
                .contains("  http.bind (default 127.0.0.1)\n")
                .contains("  http.bearer_token_file\n")
                .contains("  log.format (default text)\n");
        assertThat(run.out().lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
    }

    /** Every command's -V, which every command's help lists, prints the version; a subcommand's printed nothing. */
    @Test
    void everyCommandPrintsTheVersion() {
        final String version = vigil("--version").out();
        assertThat(version).startsWith("vigil ");
        for (String[] args : List.of(new String[] {"replay", "--version"}, new String[] {"rules", "validate", "-V"},
                new String[] {"rules", "--version"}, new String[] {"run", "-V"}, new String[] {"demo", "-V"})) {
            final CommandRun run = vigil(args);
            assertThat(run.exit()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).as(String.join(" ", args)).isEqualTo(version);
        }
    }

    @Test
    void replayingTheSampleIncidentFindsEachIncidentAndNothingElse() throws Exception {
        final Path output = dir.resolve("events.jsonl");
        final CommandRun run = vigil("replay", "--rules", ROOT.resolve("rules").toString(),
                "--input", ROOT.resolve("samples/backend-incident.jsonl").toString(), "--output", output.toString());
        assertThat(run.exit()).isZero();
        final List<AlertEvent> events = Files.readAllLines(output).stream()
                .map(line -> AlertEventJson.read(line.getBytes(StandardCharsets.UTF_8))).toList();
        final List<String> fired = events.stream().filter(e -> e.status() == EventStatus.FIRING)
                .map(e -> e.labels().get("alertname") + " " + e.labels().get("instance")).toList();
        assertThat(fired).containsExactlyInAnyOrder(
                "NodeCpuSaturated node-04",
                "NodeTrafficCollapsed node-05",
                "NodeTrafficFarBelowPeers node-05",
                "DatabaseConnectionsSurge db-1",
                "DatabaseConnectionsAnomalous db-1",
                "DatabaseCpuHigh db-1");
        assertThat(run.err()).contains("3 record(s) run would dead-letter");
    }
}
