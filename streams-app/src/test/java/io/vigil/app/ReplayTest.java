package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code vigil replay} ingests on a second thread ({@link ReplayReader}) and evaluates on the calling one: the same
 * events in the same order as the whole pipeline on one thread, the same counts, and a failure on either thread ends
 * the replay with that failure. The timeouts only turn a hang into a failure.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ReplayTest {

    @TempDir
    Path dir;

    private RuleSet rules;
    private VigilConfig config;

    @BeforeEach
    void load() {
        rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        config = ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://vigil:8080"));
    }

    @Test
    void twoThreadsGiveTheEventsAndCountsOfOne() throws Exception {
        final List<String> records = FleetRecords.generate();
        assertThat(records.size()).isGreaterThan(10 * ReplayReader.RECORDS);
        // Split over two files, with a blank line, and a record that is not a datapoint (read as line protocol).
        final int half = records.size() / 2 + 17;
        final List<String> first = new ArrayList<>(records.subList(0, half));
        first.add(100, "");
        first.add(2_000, "not a datapoint");
        final Path a = Files.write(dir.resolve("a.jsonl"), first);
        final Path b = Files.write(dir.resolve("b.jsonl"), records.subList(half, records.size()));

        final List<String> threaded = new ArrayList<>();
        final Replay.Summary summary = Replay.run(rules, config, List.of(a, b),
                json -> threaded.add(new String(json, StandardCharsets.UTF_8)));

        final List<String> oneThread = new ArrayList<>();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final ReplayPipeline pipeline = new ReplayPipeline(new LiveRules(rules), Replay.settings(config), registry,
                System.currentTimeMillis(), json -> oneThread.add(new String(json, StandardCharsets.UTF_8)));
        for (Path input : List.of(a, b)) {
            for (String line : Files.readAllLines(input)) {
                if (!line.isBlank()) {
                    pipeline.offer(line.getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        assertThat(threaded).hasSizeGreaterThan(10).containsExactlyElementsOf(oneThread);
        assertThat(summary.lines()).isEqualTo(pipeline.records()).isEqualTo(records.size() + 1);
        assertThat(summary.deadLetters()).isEqualTo(pipeline.deadLetters()).isGreaterThan(1);
        assertThat(summary.rejectedByReason()).containsEntry("invalid_line", 1L).containsKey("invalid_value");
        // What the counts leave out: what was wrong, the first record of each reason.
        assertThat(summary.firstByReason()).containsOnlyKeys(summary.rejectedByReason().keySet().stream()
                .filter(r -> !r.equals("late")).toArray(String[]::new));
        // And where it is: the file as named, its line counted with the blank one before it, and the column.
        assertThat(summary.firstByReason().get("invalid_line")).isEqualTo(a + ":2001:6: invalid_line: expected '='");
        assertThat(summary.alertEvents()).isEqualTo(threaded.size());
    }

    /**
     * Two captures of the same two hours (the database's series in one, the nodes' in the other) replay as the one
     * capture of both: read one after the other, the second was late behind the first's newest point and dropped.
     */
    @Test
    void capturesOfTheSameHoursReplayMergedByTime() throws Exception {
        final List<String> records = FleetRecords.generate();
        final Path whole = Files.write(dir.resolve("whole.jsonl"), records);
        final Path nodes = Files.write(dir.resolve("nodes.jsonl"), records.stream()
                .filter(r -> !r.contains("db-1")).toList());
        final Path database = Files.write(dir.resolve("db.jsonl"), records.stream()
                .filter(r -> r.contains("db-1")).toList());

        final List<String> fromWhole = new ArrayList<>();
        final Replay.Summary wholeSummary = Replay.run(rules, config, List.of(whole),
                json -> fromWhole.add(new String(json, StandardCharsets.UTF_8)));
        final List<String> fromTwo = new ArrayList<>();
        final Replay.Summary twoSummary = Replay.run(rules, config, List.of(nodes, database),
                json -> fromTwo.add(new String(json, StandardCharsets.UTF_8)));

        assertThat(fromWhole).anyMatch(e -> e.contains("db-1")).anyMatch(e -> e.contains("node-04"));
        assertThat(fromTwo).containsExactlyInAnyOrderElementsOf(fromWhole);
        assertThat(twoSummary.rejectedByReason()).isEqualTo(wholeSummary.rejectedByReason()).doesNotContainKey("late");
        assertThat(twoSummary.lines()).isEqualTo(records.size());
    }

    /**
     * {@code VIGIL_HTTP_PORT=0}: run links to the port it binds, a replay binds none, and its generatorURLs named
     * {@code http://localhost:0/rules/...}. They name the default port, as the default external URL does; a port of
     * the external URL's own is kept.
     */
    @Test
    void onPortZeroTheEventsLinkToTheDefaultPort() throws Exception {
        final VigilConfig portZero = ReplayCommand.linksWithoutPortZero(ConfigLoader.load(null,
                Map.of("VIGIL_HTTP_PORT", "0")));
        assertThat(portZero.externalUrl()).isEqualTo("http://localhost:8080");
        final List<String> events = new ArrayList<>();
        Replay.run(rules, portZero, List.of(Path.of("..", "samples", "backend-incident.jsonl")),
                json -> events.add(new String(json, StandardCharsets.UTF_8)));
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e)
                .contains("\"generatorURL\":\"http://localhost:8080/rules/").doesNotContain("localhost:0"));

        assertThat(ReplayCommand.linksWithoutPortZero(ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "0",
                "VIGIL_HTTP_EXTERNAL_URL", "http://vigil-1:9000"))).externalUrl()).isEqualTo("http://vigil-1:9000");
        final VigilConfig fixed = ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "8081"));
        assertThat(ReplayCommand.linksWithoutPortZero(fixed).externalUrl()).isEqualTo("http://localhost:8081");
    }

    /**
     * A point of a rule's metric that the rule does not select, first in the input: nothing is evaluated yet, so it
     * is not late. It was counted as late (the unset evaluated-through time less the grace wrapped round), and a rule
     * test whose first series was such a look-alike failed with "input samples were refused by ingest: late=1".
     */
    @Test
    void aLookAlikeSeriesFirstIsNotLate() throws Exception {
        final RuleSet backend = RuleLoader.parse("r.yaml", """
                groups:
                  - name: g
                    rules:
                      - alert: Hot
                        series: cpu{cluster="backend"}
                        threshold: {above: 90}
                """).ruleSet();
        final List<String> lines = new ArrayList<>();
        for (int step = 0; step < 30; step++) {
            final long ts = FleetRecords.T0 + step * 10_000L;
            lines.add(TopologyFixture.point("cpu", Map.of("cluster", "frontend", "instance", "f1"), 95, ts));
            lines.add(TopologyFixture.point("cpu", Map.of("cluster", "backend", "instance", "b1"), 40, ts));
        }
        final Path input = Files.write(dir.resolve("lookalike.jsonl"), lines);

        final Replay.Summary summary = Replay.run(backend, config, List.of(input), json -> { });

        assertThat(summary.rejectedByReason()).isEmpty();
        assertThat(summary.alertEvents()).isZero();
    }

    @Test
    void aFailureOfTheEvaluatingThreadEndsTheReplayAndTheReadingThread() throws Exception {
        final Path input = Files.write(dir.resolve("fleet.jsonl"), FleetRecords.generate());
        final IllegalStateException stop = new IllegalStateException("the sink is full");

        assertThatThrownBy(() -> Replay.run(rules, config, List.of(input), json -> {
            throw stop;
        })).isSameAs(stop);
        assertThat(readingThreads()).isEmpty();
    }

    @Test
    void anInputTheReadingThreadCannotReadFailsTheReplay() throws Exception {
        final Path good = Files.write(dir.resolve("fleet.jsonl"), FleetRecords.generate());
        final Path notAFile = Files.createDirectory(dir.resolve("not-a-file.jsonl"));

        assertThatThrownBy(() -> Replay.run(rules, config, List.of(good, notAFile), json -> { }))
                .isInstanceOf(IOException.class).hasMessage("cannot read " + notAFile + ": is a directory");
        assertThat(readingThreads()).isEmpty();
    }

    @Test
    void aLineThatIsNotUtf8IsDeadLetteredAsRunWouldAndTheRestIsReplayed() throws Exception {
        final List<String> records = FleetRecords.generate();
        final byte[] notUtf8 = "{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-\u00e9\"},\"value\":1,\"timestamp\":1}"
                .getBytes(StandardCharsets.ISO_8859_1);
        final java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.writeBytes(notUtf8);
        file.write('\n');
        file.writeBytes(String.join("\n", records).getBytes(StandardCharsets.UTF_8));
        final Path input = Files.write(dir.resolve("capture.jsonl"), file.toByteArray());

        replaysAsWithoutOneRecord(input, records, "unparseable");
    }

    /**
     * A producer that writes Long.MIN_VALUE for "no timestamp": that datapoint is dead-lettered, and the points after
     * it give the same events as without it (its instant once wrapped the evaluators' "t - grace" around, and every
     * later point was dropped as late).
     */
    @Test
    void aTimestampNearLongMinValueIsDeadLetteredAndTheRestIsReplayed() throws Exception {
        final List<String> records = FleetRecords.generate();
        final List<String> withSentinel = new ArrayList<>(records);
        withSentinel.add(0, "{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"sentinel\"},\"value\":0,"
                + "\"timestamp\":" + Long.MIN_VALUE + "}");
        final Path input = Files.write(dir.resolve("capture.jsonl"), withSentinel);

        replaysAsWithoutOneRecord(input, records, "invalid_timestamp");
    }

    /**
     * A capture with a line of over 2 GiB and no line end in it (binary data; {@code head -c 700M /dev/zero}): read
     * whole, it ran the replay out of memory, with a stack trace. It counts as {@code record_too_large}, as {@code run}
     * counts a record over {@code ingest.max_record_bytes}, and the records after it give the events they give
     * without it. The file is sparse: its zeros take no disk.
     */
    @Test
    void aLineOverTheRecordLimitCountsAsTooLargeAndTheRestIsReplayed() throws Exception {
        final List<String> records = FleetRecords.generate();
        final Path input = dir.resolve("capture.jsonl");
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(input,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            file.position((1L << 31) + 5); // what is before is a hole, read as zeros
            file.write(java.nio.ByteBuffer.wrap(("\n" + String.join("\n", records)).getBytes(StandardCharsets.UTF_8)));
        }

        final Replayed replayed = replaysAsWithoutOneRecord(input, records, "record_too_large");
        assertThat(replayed.summary().rejectedByReason()).containsEntry("record_too_large", 1L);
        // Its size as it is in the file, not as much of it as was read before it was known to be too large.
        assertThat(replayed.summary().firstByReason()).containsEntry("record_too_large", input
                + ":1: record_too_large: " + ((1L << 31) + 5) + " bytes, more than the limit of "
                + config.limits().maxRecordBytes());
    }

    /**
     * The first skipped record of each reason is named as a compiler names an error, {@code FILE:LINE:COLUMN: reason:
     * problem}: the column in characters of the line as written, and no second "line 1:" or "at line 1, column 9" in
     * the problem (a record of the replay is one line of its file); {@code FILE:LINE:} where there is no column.
     */
    @Test
    void theFirstOfEachReasonIsNamedByFileLineAndColumn() throws Exception {
        final Path input = dir.resolve("capture.txt");
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.writeBytes(("cpu,host=a usage_user=1 1655793000000000000\n"
                + "\n"
                + "  cpu,host=\u00e9\u00e9 usage 1655793000000000000\n"
                + "{\"name\":\"\u00e9\u00e9\",\"value\":1,}\n"
                + "cpu,host=a usage_user=1 9000000000000000000\n"
                + "[{\"name\":\"up\",\"value\":\"abc\",\"timestamp\":0},{\"value\":1,\"timestamp\":0}]\n"
                + "\u00e9\u00e9,host=").getBytes(StandardCharsets.UTF_8));
        bytes.write(0xFF);
        bytes.writeBytes(" usage_user=1 1655793000000000000\n".getBytes(StandardCharsets.UTF_8));
        Files.write(input, bytes.toByteArray());

        final Map<String, String> first = replay(input).summary().firstByReason();

        assertThat(first).containsEntry("invalid_line", input + ":3:20: invalid_line: expected '='");
        // The first unparseable one of two: malformed JSON, not the malformed UTF-8 after it.
        assertThat(first).containsEntry("unparseable", input + ":4:24: unparseable: malformed JSON: Unexpected "
                + "character ('}' (code 125)): was expecting double-quote to start field name");
        assertThat(first.get("future_timestamp")).startsWith(input + ":5: future_timestamp: timestamp 2255-");
        // Each reason by its own rejection, not by the whole record's "2 rejections, 0 datapoints accepted: ...", and
        // each datapoint's at its value, or at the object lacking it.
        assertThat(first).containsEntry("invalid_value", input + ":6:23: invalid_value: datapoint 0: value \"abc\" is"
                + " not a number").containsEntry("missing_name", input + ":6:44: missing_name: datapoint 1: no \"name\""
                + " and no \"__name__\" label");

        final Path notUtf8 = dir.resolve("latin1.txt");
        Files.write(notUtf8, java.util.Arrays.copyOfRange(bytes.toByteArray(), bytes.size() - 45, bytes.size()));
        assertThat(replay(notUtf8).summary().firstByReason())
                .containsExactly(Map.entry("unparseable", notUtf8 + ":1:9: unparseable: malformed UTF-8: 0xFF"));
    }

    /**
     * A point dropped as late is named as the dead letters are, by its file and line, with the instant that had run:
     * it was logged as a running engine logs it, by an input partition ("input metrics/0") the replay has not, pointing
     * to a metric it does not serve, and the summary gave only the count.
     */
    @Test
    void theFirstLatePointIsNamedByFileAndLineNotByAPartition() throws Exception {
        final long t0 = 1_700_000_000_000L;
        final List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add(point("n1", t0 + i * 10_000L));
        }
        lines.add(point("n1", t0 + 5_000));
        lines.add(point("n2", t0 + 7_000));
        final Path input = Files.write(dir.resolve("late.jsonl"), lines);

        try (CapturedLogs logs = new CapturedLogs()) {
            final Replay.Summary summary = replay(input).summary();
            assertThat(summary.rejectedByReason()).containsEntry("late", 2L);
            assertThat(summary.firstByReason()).containsExactly(Map.entry("late", input + ":31: late: "
                    + "cpu_usage_percent{cluster=\"backend\",instance=\"n1\"} at 2023-11-14T22:13:25Z: its evaluation"
                    + " instant 2023-11-14T22:13:30Z had run (event time had reached 2023-11-14T22:18:10Z, the instant"
                    + " + grace (15s) or more)"));
            assertThat(logs.text()).doesNotContain("metrics/0").doesNotContain("dropped as late");
        }
    }

    private static String point(final String instance, final long timestampMs) {
        return "{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"" + instance
                + "\",\"cluster\":\"backend\"},\"timestamp\":" + timestampMs + ",\"value\":50}";
    }

    /**
     * A line protocol line whose measurement, field value or timestamp is wrong is named at that token's column, as
     * its other syntax errors are: these were {@code FILE:LINE:} alone, the reader left to find the token.
     */
    @ParameterizedTest
    @MethodSource("badTokens")
    void aBadTokenOfALineIsNamedAtItsColumn(final String line, final int column, final String problem)
            throws Exception {
        final Path input = Files.writeString(dir.resolve("bad.lp"),
                "cpu,host=a usage_user=1 1655793000000000000\n\n" + line + "\n");
        assertThat(replay(input).summary().firstByReason())
                .containsExactly(Map.entry("invalid_line", input + ":3:" + column + ": invalid_line: " + problem));
    }

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("\t,host=\u00e9 usage=1 1655793000000000000", 2, "missing measurement"),
                Arguments.of("  cpu,host=\u00e9\ud83d\ude00 usage=oops 1655793000000000000", 21,
                        "field value 'oops' is not a number, string or boolean"),
                Arguments.of("cpu,host=\u00e9\ud83d\ude00 usage=1 soon", 21, "timestamp 'soon' is not an integer"));
    }

    /**
     * {@code input} holds {@code records} and one more line, which the replay sets aside for {@code reason}: one line
     * more, one dead letter more of that reason, and the very events of {@code records} alone.
     */
    private Replayed replaysAsWithoutOneRecord(final Path input, final List<String> records, final String reason)
            throws IOException {
        final Replayed replayed = replay(input);
        final Replayed clean = replay(Files.write(dir.resolve("clean.jsonl"), records));
        assertThat(replayed.summary().lines()).isEqualTo(records.size() + 1);
        assertThat(replayed.summary().rejectedByReason()).containsEntry(reason,
                clean.summary().rejectedByReason().getOrDefault(reason, 0L) + 1);
        assertThat(replayed.summary().deadLetters()).isEqualTo(clean.summary().deadLetters() + 1);
        assertThat(replayed.events()).hasSizeGreaterThan(10).containsExactlyElementsOf(clean.events());
        return replayed;
    }

    private static List<Thread> readingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("vigil-replay-ingest") && t.isAlive()).toList();
    }

    /** What a replay of {@code input} under the repository's rules wrote, and its summary. */
    private record Replayed(Replay.Summary summary, List<String> events) {
    }

    private Replayed replay(final Path input) throws IOException {
        final List<String> events = new ArrayList<>();
        final Replay.Summary summary = Replay.run(rules, config, List.of(input),
                json -> events.add(new String(json, StandardCharsets.UTF_8)));
        return new Replayed(summary, events);
    }
}
