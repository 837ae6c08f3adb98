package io.vigil.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.model.Datapoint;
import io.vigil.model.DurationSyntax;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Runs rule unit tests through the production topology, as {@code vigil replay} runs recorded datapoints: each
 * test's input series become native JSON datapoints (sample {@code i} at {@code i * interval} from
 * 1970-01-01T00:00:00Z), fed in timestamp order to {@link Replay}, and the alert events that come out say which
 * alerts were firing at each expected time.
 *
 * <p>Evaluation runs on event time, {@code grace} behind the newest point; so that every evaluation instant up to
 * the last {@code at} has run, a datapoint of the reserved series {@value #CLOCK_SERIES} is fed last, at the last
 * {@code at} plus {@code grace} plus the longest {@code every}. Its own evaluations come after every {@code at} and
 * cannot change what was firing then.
 */
final class RuleTestRunner {

    /** Reserved: test input may not use this metric name. */
    static final String CLOCK_SERIES = "vigil_rule_test_clock";

    private static final JsonFactory JSON = new JsonFactory();
    private static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);

    private final VigilConfig config;

    /** @param config the engine configuration the topology runs with (grace, limits); defaults for tests */
    RuleTestRunner(final VigilConfig config) {
        this.config = config;
    }

    /** Loads the file's rule files and runs each of its tests; rule problems fail every test of the file. */
    RuleTestReport run(final RuleTestFile file) throws IOException {
        // A rule file that does not exist is said at its entry in the test file, not as the loader names it; the
        // others are loaded for their own problems.
        final LoadResult rules = RuleLoader.load(file.ruleFiles().stream().filter(java.nio.file.Files::exists).toList(),
                ForgetCheck.check(config.forget()));
        // What run and replay refuse at start (an absent rule the configured forget is too short for) fails the
        // file's tests too: a test passing on rules that cannot run proves nothing.
        final List<RuleProblem> problems = new ArrayList<>(file.missingRuleFiles());
        problems.addAll(rules.problems());
        if (!problems.isEmpty()) {
            final List<String> lines = new ArrayList<>(problems.stream().map(RuleProblem::toString).toList());
            lines.add(file.path() + ": its rule files " + (problems.stream().allMatch(ForgetCheck::said)
                    ? "would not run" : "did not load") + "; none of"
                    + " its " + file.tests().size() + " test(s) ran");
            return new RuleTestReport(lines, 0, file.tests().size());
        }
        RuleTestReport report = RuleTestReport.EMPTY;
        for (final RuleTestFile.TestCase test : file.tests()) {
            report = report.plus(run(file.path(), rules.ruleSet(), test));
        }
        return report;
    }

    private RuleTestReport run(final Path file, final RuleSet rules, final RuleTestFile.TestCase test)
            throws IOException {
        final String prefix = file + ": test \"" + test.name() + "\": ";
        final List<AlertEvent> events = new ArrayList<>();
        final Replay.Summary summary;
        final Path input = Files.createTempFile("vigil-rule-test", ".jsonl");
        try {
            writeJsonLines(input, withClock(datapoints(test), clockTime(rules, test)));
            summary = Replay.run(rules, config, List.of(input), json -> events.add(AlertEventJson.read(json)));
        } finally {
            Files.deleteIfExists(input);
        }
        final List<String> failures = new ArrayList<>();
        if (summary.deadLetters() > 0 || !summary.rejectedByReason().isEmpty()) {
            failures.add(prefix + "input samples were refused by ingest: " + summary.rejectedByReason().entrySet()
                    .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        }
        final RuleTestTimeline timeline = RuleTestTimeline.of(events);
        for (final RuleTestFile.Expectation expected : test.alerts()) {
            final List<RuleTestTimeline.FiringAlert> firing = timeline.firingAt(Instant.EPOCH.plus(expected.at()));
            if (!RuleTestMatching.oneToOne(expected.firing(), firing)) {
                failures.add(prefix + "at " + DurationSyntax.format(expected.at()) + ": expected "
                        + RuleTestMatching.describeExpected(expected.firing()) + " but firing "
                        + RuleTestMatching.describeFiring(firing, expected.firing()));
            }
        }
        return failures.isEmpty() ? RuleTestReport.passedTest() : RuleTestReport.failedTest(failures);
    }

    /** Every present sample of every input series, in timestamp order (series order within one timestamp). */
    static List<Datapoint> datapoints(final RuleTestFile.TestCase test) {
        final long intervalMs = test.interval().toMillis();
        final List<Datapoint> points = new ArrayList<>();
        for (final RuleTestFile.InputSeries input : test.inputSeries()) {
            final List<OptionalDouble> samples = input.values().samples();
            for (int i = 0; i < samples.size(); i++) {
                final OptionalDouble sample = samples.get(i);
                if (sample.isPresent()) {
                    points.add(new Datapoint(input.series(), sample.getAsDouble(), Math.multiplyExact(i, intervalMs)));
                }
            }
        }
        // A stable sort: the order within a timestamp stays as written.
        points.sort(Comparator.comparingLong(Datapoint::timestampMs));
        return points;
    }

    private long clockTime(final RuleSet rules, final RuleTestFile.TestCase test) {
        final Duration lastAt = test.alerts().stream().map(RuleTestFile.Expectation::at)
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        final Duration every = rules.groups().stream().map(RuleGroup::every)
                .max(Comparator.naturalOrder()).orElse(DEFAULT_EVERY);
        return lastAt.plus(config.grace()).plus(every).toMillis();
    }

    /** The input, then the clock point when the input does not already reach that far (it would be late then). */
    private static List<Datapoint> withClock(final List<Datapoint> points, final long clockMs) {
        if (!points.isEmpty() && points.get(points.size() - 1).timestampMs() >= clockMs) {
            return points;
        }
        final List<Datapoint> all = new ArrayList<>(points);
        all.add(new Datapoint(new Series(CLOCK_SERIES, Labels.EMPTY), 0, clockMs));
        return all;
    }

    /** formats.md's native JSON, one datapoint a line; JSON has no NaN or infinities, so those go as strings. */
    private static void writeJsonLines(final Path file, final List<Datapoint> points) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (final Datapoint p : points) {
                g.writeStartObject();
                g.writeStringField("name", p.series().name());
                g.writeObjectFieldStart("labels");
                for (final Map.Entry<String, String> label : p.series().labels().toMap().entrySet()) {
                    g.writeStringField(label.getKey(), label.getValue());
                }
                g.writeEndObject();
                g.writeFieldName("value");
                if (Double.isNaN(p.value())) {
                    g.writeString("NaN");
                } else if (Double.isInfinite(p.value())) {
                    g.writeString(p.value() > 0 ? "+Inf" : "-Inf");
                } else {
                    g.writeNumber(p.value());
                }
                g.writeNumberField("timestamp", p.timestampMs());
                g.writeEndObject();
                g.writeRaw('\n');
            }
        }
    }
}
