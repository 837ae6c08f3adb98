package io.vigil.app;

import io.vigil.model.DurationSyntax;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.FileProblems;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.LabelNames;
import io.vigil.rules.MappingReader;
import io.vigil.rules.SeriesSelector;
import io.vigil.rules.YamlNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the YAML tree of one rule unit test file into a {@link RuleTestFile} for {@link RuleTestLoader}, as
 * {@code RuleFileReader} reads a rule file's: every part is read and checked, so that every problem is reported, each
 * at its place. An unknown key is reported at the key, a value at the value, and what concerns a mapping as a whole (a
 * missing key, a zero interval, a series given twice, a label without a value) at the start of
 * that mapping, where the messages have always placed it; an empty list item at the item.
 */
final class RuleTestFileReader {

    private static final Shape FILE = new Shape("a rule test file", List.of("rule_files", "tests"));
    private static final Shape TEST = new Shape("a test", List.of("name", "interval", "input_series", "alerts"));
    private static final Shape INPUT = new Shape("an input series", List.of("series", "values"));
    private static final Shape EXPECTATION = new Shape("an 'alerts' entry", List.of("at", "firing"));
    private static final Shape ALERT = new Shape("an expected alert", List.of("labels", "annotations"));

    private static final String ALERTNAME = "alertname";
    private static final String NO_ALERTNAME = "an expected alert needs 'labels' with at least 'alertname'";

    /** promtool's default. */
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    /**
     * A mapping of the format.
     *
     * @param what how {@link MappingReader} names it
     * @param keys in the format's order, which "expected a mapping with keys ..." lists
     */
    private record Shape(String what, List<String> keys) {
        /** "unknown key" lists the known ones sorted, as it always has. */
        List<String> sortedKeys() {
            return keys.stream().sorted().toList();
        }
    }

    /**
     * A list's items as far as they could be read.
     *
     * @param valid    the items that are valid, in file order
     * @param complete whether every item was
     */
    private record Items<T>(List<T> valid, boolean complete) {
        static <T> Items<T> none(final boolean complete) {
            return new Items<>(List.of(), complete);
        }

        Optional<List<T>> all() {
            return complete ? Optional.of(List.copyOf(valid)) : Optional.empty();
        }
    }

    private final Path path;
    private final FileProblems problems;
    /** The rule files named that do not exist: their entries, and what is said of each. */
    private final Map<YamlNode.Mark, String> missing = new LinkedHashMap<>();

    private RuleTestFileReader(final Path path, final FileProblems problems) {
        this.path = path;
        this.problems = problems;
    }

    /**
     * @param path     the test file, which relative rule files are resolved against
     * @param root     the document, not empty (a null scalar is an empty file, for the caller to say)
     * @param problems where the problems found go, beside those YAML reading found
     * @return the file when its every part is valid; empty otherwise, each reason then in {@code problems}
     */
    static Optional<RuleTestFile> read(final Path path, final YamlNode root, final FileProblems problems) {
        return new RuleTestFileReader(path, problems).file(root);
    }

    private Optional<RuleTestFile> file(final YamlNode root) {
        final Optional<MappingReader> reader = mapping(root, FILE);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final MappingReader file = reader.get();
        final YamlNode.Mark at = root.mark();
        final Optional<List<Path>> ruleFiles = requiredItems(file, "rule_files", at,
                "'rule_files' must list the rule files to test", this::ruleFile).all();
        final Optional<List<RuleTestFile.TestCase>> tests = requiredItems(file, "tests", at,
                "'tests' must list at least one test", this::test).all();
        if (ruleFiles.isEmpty() || tests.isEmpty() || problems.count() > 0) {
            // Said with the file's other problems, so that one run says all: it was said only once they were fixed.
            missing.forEach(problems::add);
            return Optional.empty();
        }
        return Optional.of(new RuleTestFile(path, ruleFiles.get(), tests.get(), missing.entrySet().stream()
                .map(m -> new RuleProblem(path.toString(), m.getKey().line(), m.getKey().column(), m.getValue()))
                .toList()));
    }

    private Optional<Path> ruleFile(final YamlNode item) {
        return text("rule_files", item).flatMap(name -> {
            if (name.isBlank()) {
                // Resolved against the test file, it named the test file's directory: every rule file there was loaded.
                problems.add(item.mark(), "rule_files: an empty path; name a rule file");
                return Optional.empty();
            }
            try {
                final Path resolved = path.resolveSibling(name).normalize();
                if (!java.nio.file.Files.exists(resolved)) {
                    // Said at the entry: the rule loader would name the resolved path at 1:1, a place in a file that
                    // does not exist, by a path the test file does not hold as written. Not a problem of the test
                    // file's form: like a rule file that does not load, it fails every test of the file.
                    missing.put(item.mark(), "rule_files: '" + name + "' (" + resolved + ", beside the test file):"
                            + " no such file or directory");
                }
                return Optional.of(resolved);
            } catch (final InvalidPathException e) {
                problems.add(item.mark(), "rule_files: '" + name + "' is not a path: " + e.getReason());
                return Optional.empty();
            }
        });
    }

    private Optional<RuleTestFile.TestCase> test(final YamlNode node) {
        final Optional<MappingReader> reader = mapping(node, TEST);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final MappingReader test = reader.get();
        final YamlNode.Mark at = node.mark();
        final Optional<String> name = testName(test, at);
        // These problems are placed at the test's start, so they name the test; without a name, they say "a test".
        final String prefix = name.map(n -> "test '" + n + "': ").orElse("");
        final String subject = name.map(n -> "test '" + n + "'").orElse("a test");
        final Optional<Duration> interval = interval(test, at, prefix);
        final Optional<List<RuleTestFile.InputSeries>> inputSeries = inputSeries(test, at, prefix);
        final Optional<List<RuleTestFile.Expectation>> alerts = requiredItems(test, "alerts", at,
                subject + " needs 'alerts': the alerts expected at given times", this::expectation).all();
        if (name.isEmpty() || interval.isEmpty() || inputSeries.isEmpty() || alerts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RuleTestFile.TestCase(name.get(), interval.get(), inputSeries.get(), alerts.get()));
    }

    private Optional<String> testName(final MappingReader test, final YamlNode.Mark at) {
        final Optional<YamlNode> value = test.value("name");
        if (value.isEmpty()) {
            problems.add(at, "a test needs a 'name'");
            return Optional.empty();
        }
        return text("name", value.get()).filter(name -> {
            if (name.isBlank()) {
                problems.add(at, "a test needs a 'name'");
            }
            return !name.isBlank();
        });
    }

    private Optional<Duration> interval(final MappingReader test, final YamlNode.Mark at, final String prefix) {
        final Optional<YamlNode> value = test.value("interval");
        if (value.isEmpty()) {
            return Optional.of(DEFAULT_INTERVAL);
        }
        return parsed(value.get(), text -> duration("interval", text)).filter(interval -> {
            if (interval.isZero()) {
                problems.add(at, prefix + "'interval' must be more than 0s");
            }
            return !interval.isZero();
        });
    }

    private Optional<List<RuleTestFile.InputSeries>> inputSeries(final MappingReader test, final YamlNode.Mark at,
            final String prefix) {
        final Items<RuleTestFile.InputSeries> inputs = optionalItems(test, "input_series", at, this::input);
        // Checked among the valid ones even when another is not, so that one run says both.
        final boolean unique = eachSeriesOnce(inputs.valid(), at, prefix);
        return unique ? inputs.all() : Optional.empty();
    }

    /** A series given twice would have its samples merged, silently: a typo, most likely (promtool merges too). */
    private boolean eachSeriesOnce(final List<RuleTestFile.InputSeries> inputs, final YamlNode.Mark at,
            final String prefix) {
        final Set<Series> given = new HashSet<>();
        final Set<Series> repeated = new LinkedHashSet<>();
        for (final RuleTestFile.InputSeries input : inputs) {
            if (!given.add(input.series())) {
                repeated.add(input.series());
            }
        }
        repeated.forEach(series -> problems.add(at, prefix + "series " + series.key()
                + " is given twice in 'input_series'"));
        return repeated.isEmpty();
    }

    private Optional<RuleTestFile.InputSeries> input(final YamlNode node) {
        final Optional<MappingReader> reader = mapping(node, INPUT);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final Optional<YamlNode> seriesValue = reader.get().value("series");
        final Optional<YamlNode> samplesValue = reader.get().value("values");
        if (seriesValue.isEmpty() || samplesValue.isEmpty()) {
            problems.add(node.mark(), "an input series needs 'series' and 'values'");
        }
        final Optional<Series> series = seriesValue.flatMap(v -> parsed(v, RuleTestFileReader::series));
        final Optional<SeriesValues> values = samplesValue.flatMap(v -> parsed(v, SeriesValues::parse));
        if (series.isEmpty() || values.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RuleTestFile.InputSeries(series.get(), values.get()));
    }

    private Optional<RuleTestFile.Expectation> expectation(final YamlNode node) {
        final Optional<MappingReader> reader = mapping(node, EXPECTATION);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final Optional<YamlNode> atValue = reader.get().value("at");
        if (atValue.isEmpty()) {
            problems.add(node.mark(), "an 'alerts' entry needs 'at', the time to check");
        }
        final Optional<Duration> at = atValue.flatMap(v -> parsed(v, text -> duration("at", text)));
        final Optional<List<RuleTestFile.ExpectedAlert>> firing =
                optionalItems(reader.get(), "firing", node.mark(), this::expectedAlert).all();
        if (at.isEmpty() || firing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RuleTestFile.Expectation(at.get(), firing.get()));
    }

    private Optional<RuleTestFile.ExpectedAlert> expectedAlert(final YamlNode node) {
        final Optional<MappingReader> reader = mapping(node, ALERT);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final Optional<Labels> labels = labels(reader.get(), node.mark());
        final Optional<Map<String, String>> annotations = reader.get().value("annotations")
                .map(v -> textMapping("annotations", v).flatMap(m -> texts(m.entries(), "annotation", node.mark())))
                .orElse(Optional.of(Map.of()));
        if (labels.isEmpty() || annotations.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RuleTestFile.ExpectedAlert(labels.get(), annotations.get()));
    }

    /** An expected alert's labels: {@code alertname} among them, every name valid, every value text. */
    private Optional<Labels> labels(final MappingReader alert, final YamlNode.Mark at) {
        final Optional<YamlNode> value = alert.value("labels");
        if (value.isEmpty()) {
            problems.add(at, NO_ALERTNAME);
            return Optional.empty();
        }
        final Optional<YamlNode.Mapping> mapping = textMapping("labels", value.get());
        if (mapping.isEmpty()) {
            return Optional.empty();
        }
        final List<YamlNode.Entry> entries = mapping.get().entries();
        final boolean named = entries.stream().anyMatch(e -> e.key().equals(ALERTNAME) && !hasNoValue(e.value()));
        if (!named) {
            problems.add(at, NO_ALERTNAME);
        }
        // An alert has no such label: the expectation could never be met, whatever fired.
        final List<String> invalidNames = entries.stream().map(YamlNode.Entry::key)
                .filter(name -> !LabelNames.isValid(name)).toList();
        invalidNames.forEach(name -> problems.add(at, "label name '" + name + "' " + LabelNames.RULE));
        // An empty alertname is said as a missing one, above, not again as a label without a value.
        final Optional<Map<String, String>> texts = texts(entries.stream()
                .filter(e -> named || !e.key().equals(ALERTNAME)).toList(), "label", at);
        if (!named || !invalidNames.isEmpty() || texts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Labels.of(texts.get()));
    }

    /**
     * The entries' values as text, by name; a value that is empty ({@code name:} or {@code name: ''}) is said at
     * {@code at}, the start of the mapping that holds them.
     *
     * @param what "label", "annotation"
     */
    private Optional<Map<String, String>> texts(final List<YamlNode.Entry> entries, final String what,
            final YamlNode.Mark at) {
        final Map<String, String> texts = new LinkedHashMap<>();
        for (final YamlNode.Entry e : entries) {
            if (hasNoValue(e.value())) {
                problems.add(at, what + " '" + e.key() + "' has no value");
            } else {
                text(e.key(), e.value()).ifPresent(text -> texts.put(e.key(), text));
            }
        }
        // Names are unique (YAML reading refuses a duplicate key), so a size short means some value was refused.
        return texts.size() == entries.size() ? Optional.of(Map.copyOf(texts)) : Optional.empty();
    }

    // ---- Lists and mappings.

    /**
     * Reads {@code node} as a mapping of {@code shape}, reporting each key it does not know. A node that is not a
     * mapping is a problem at the node; one already reported ({@link YamlNode.Invalid}) is left out silently.
     */
    private Optional<MappingReader> mapping(final YamlNode node, final Shape shape) {
        if (node instanceof YamlNode.Mapping) {
            return MappingReader.of(node, shape.what(), shape.sortedKeys(), node.mark(), problems);
        }
        if (!(node instanceof YamlNode.Invalid)) {
            problems.add(node.mark(), "expected a mapping with keys " + String.join(", ", shape.keys()));
        }
        return Optional.empty();
    }

    /** {@code labels} or {@code annotations}, whose keys are the user's own. */
    private Optional<YamlNode.Mapping> textMapping(final String key, final YamlNode value) {
        if (value instanceof YamlNode.Mapping mapping) {
            return Optional.of(mapping);
        }
        if (!(value instanceof YamlNode.Invalid)) {
            problems.add(value.mark(), "'" + key + "' must be a mapping");
        }
        return Optional.empty();
    }

    /**
     * The items of the list under {@code key}, which must have at least one; {@code missing} is said at {@code at}, or
     * at a key without a value or an empty list, after what it is.
     */
    private <T> Items<T> requiredItems(final MappingReader mapping, final String key, final YamlNode.Mark at,
            final String missing, final Function<YamlNode, Optional<T>> read) {
        final Optional<YamlNode> value = mapping.value(key);
        if (value.isEmpty()) {
            // A key written without a value is said there, as a rule file's is ("'groups' needs a value").
            mapping.keyWithoutValue(key).ifPresentOrElse(k -> problems.add(k, "'" + key + "' needs a value: "
                    + missing), () -> problems.add(at, missing));
            return Items.none(false);
        }
        if (value.get() instanceof YamlNode.Sequence list && list.items().isEmpty()) {
            // `alerts: []` was said as a missing 'alerts'.
            problems.add(list.mark(), "'" + key + "' is an empty list: " + missing);
            return Items.none(false);
        }
        return items(key, value.get(), at, read);
    }

    /** The items of the list under {@code key}; none when the key is absent or empty. */
    private <T> Items<T> optionalItems(final MappingReader mapping, final String key, final YamlNode.Mark at,
            final Function<YamlNode, Optional<T>> read) {
        return mapping.value(key).map(v -> items(key, v, at, read)).orElseGet(() -> Items.none(true));
    }

    /**
     * Each item of the list {@code value}, read by {@code read}, which reports the problems of its own item. YAML's
     * {@code - } with nothing after it is a null item: said at each, where its value would be (as a rule file says it),
     * not at the start of the list's mapping, which for {@code tests} is the file's 1:1.
     */
    private <T> Items<T> items(final String key, final YamlNode value, final YamlNode.Mark at,
            final Function<YamlNode, Optional<T>> read) {
        if (!(value instanceof YamlNode.Sequence list)) {
            if (!(value instanceof YamlNode.Invalid)) {
                problems.add(value.mark(), "'" + key + "' must be a list");
            }
            return Items.none(false);
        }
        final List<T> valid = new ArrayList<>();
        for (final YamlNode item : list.items()) {
            if (item instanceof YamlNode.Scalar s && s.isNull()) {
                problems.add(item.mark(), "an empty item in '" + key + "'");
            } else {
                read.apply(item).ifPresent(valid::add);
            }
        }
        return new Items<>(valid, valid.size() == list.items().size());
    }

    // ---- Scalars.

    /** A scalar's text, a number or a boolean as written; anything else is a problem at the value. */
    private Optional<String> text(final String key, final YamlNode value) {
        if (value instanceof YamlNode.Scalar scalar) {
            return Optional.of(scalar.text());
        }
        if (!(value instanceof YamlNode.Invalid)) {
            problems.add(value.mark(), "'" + key + "' must be text");
        }
        return Optional.empty();
    }

    /**
     * What {@code parse} makes of a scalar written in a notation of its own (a duration, a series, samples); what it
     * refuses is said at the scalar's start, in its words.
     */
    private <T> Optional<T> parsed(final YamlNode value, final Function<String, T> parse) {
        if (!(value instanceof YamlNode.Scalar scalar)) {
            if (!(value instanceof YamlNode.Invalid)) {
                problems.add(value.mark(), "expected text, not " + value.describe());
            }
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(scalar.text()));
        } catch (final IllegalArgumentException e) {
            problems.add(value.mark(), e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code key:} with nothing after it, or {@code key: ''}. */
    private static boolean hasNoValue(final YamlNode value) {
        return value instanceof YamlNode.Scalar s && (s.isNull() || s.text().isEmpty());
    }

    /** At most {@link DurationSyntax#LONGEST}, as in rule files: test times are added to and multiplied as theirs. */
    private static Duration duration(final String key, final String text) {
        final Duration d = DurationSyntax.parse(text).orElseThrow(() ->
                new IllegalArgumentException("'" + text + "' is not a duration (e.g. 10s, 1m, 1h30m)"));
        DurationSyntax.tooLong(key, text, d).ifPresent(tooLong -> {
            throw new IllegalArgumentException(tooLong);
        });
        return d;
    }

    /** One series, written as a selector whose matchers are all {@code =}: its full label set. */
    private static Series series(final String text) {
        final SeriesSelector selector = SeriesSelector.parse(text);
        final Map<String, String> labels = new LinkedHashMap<>();
        for (final LabelMatcher m : selector.matchers()) {
            if (m.type() != LabelMatcher.Type.EQUAL) {
                throw new IllegalArgumentException("'" + m + "': an input series names its labels with '=' only");
            }
            if (labels.put(m.name(), m.value()) != null) {
                throw new IllegalArgumentException("label '" + m.name() + "' is given twice");
            }
        }
        if (selector.metricName().equals(RuleTestRunner.CLOCK_SERIES)) {
            throw new IllegalArgumentException("'" + RuleTestRunner.CLOCK_SERIES
                    + "' is reserved: rule tests use it to move event time past the last 'at'");
        }
        return new Series(selector.metricName(), Labels.of(labels));
    }
}
