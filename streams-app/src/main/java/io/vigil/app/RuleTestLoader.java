package io.vigil.app;

import io.vigil.model.KeySuggestion;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vigil.model.DurationSyntax;
import io.vigil.model.FileErrorReason;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.SeriesSelector;
import io.vigil.rules.Utf8Text;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a rule unit test file (rules.md, "Rule unit tests") into a {@link RuleTestFile}, or says what is wrong with
 * it as {@code file:line:column: message}. Never throws for anything a file contains.
 *
 * <pre>
 * rule_files: [backend.yaml]              # relative to the test file
 * tests:
 *   - name: a saturated node pages
 *     interval: 10s                       # default 1m, as promtool's
 *     input_series:
 *       - series: cpu_usage_percent{cluster="backend", instance="node-1"}   # '=' matchers only: one series
 *         values: "50x5 95x20"
 *     alerts:
 *       - at: 5m
 *         firing:                         # absent or [] means none
 *           - labels: {alertname: NodeCpuSaturated, instance: node-1}       # alertname required
 *             annotations: {summary: "..."}                                 # optional
 * </pre>
 * Jackson reads the file: reading stops at the first problem, so at most one is reported.
 */
final class RuleTestLoader {

    /** Test files are hand-written, as rule files are; the same limit. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final String EMPTY_FILE = "the file is empty; expected 'rule_files' and 'tests'";

    /** promtool's default. */
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new SimpleModule("rule-test-file")
                    .addDeserializer(FileYaml.class, new MappingValue<>(FileYaml.class))
                    .addDeserializer(TestYaml.class, new MappingValue<>(TestYaml.class))
                    .addDeserializer(InputYaml.class, new MappingValue<>(InputYaml.class))
                    .addDeserializer(ExpectationYaml.class, new MappingValue<>(ExpectationYaml.class))
                    .addDeserializer(AlertYaml.class, new MappingValue<>(AlertYaml.class))
                    .addDeserializer(Duration.class, new TextValue<>(Duration.class, RuleTestLoader::duration))
                    .addDeserializer(Series.class, new TextValue<>(Series.class, (key, text) -> series(text)))
                    .addDeserializer(SeriesValues.class,
                            new TextValue<>(SeriesValues.class, (key, text) -> SeriesValues.parse(text))))
            .build();

    /** The file, or the problems that kept it from being read (then never empty). */
    record Result(Optional<RuleTestFile> file, List<RuleProblem> problems) {
        Result {
            problems = List.copyOf(problems);
        }
    }

    private RuleTestLoader() {
    }

    /** Reads and checks one test file; rule files are only named here, {@link RuleTestRunner} loads them. */
    static Result load(final Path path) {
        final String name = path.toString();
        final String text;
        try {
            if (!Files.isRegularFile(path)) {
                return failed(name, 1, 1, Files.isDirectory(path)
                        ? "is a directory without rule test files (*.test.yaml, *.test.yml)"
                        : Files.exists(path) ? "not a regular file" : "no such file");
            }
            final long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                return failed(name, 1, 1, "the file is " + size + " bytes; test files are limited to 1 MiB");
            }
            text = Utf8Text.decode(Files.readAllBytes(path));
        } catch (final Utf8Text.NotUtf8Exception e) {
            return failed(name, e.line(), e.column(), "the file is not valid UTF-8");
        } catch (final IOException e) {
            return failed(name, 1, 1, "cannot read the file: " + FileErrorReason.of(e));
        }
        return parse(path, text);
    }

    /** {@link #load} of text already read; {@code path} names the file and anchors relative rule files. */
    static Result parse(final Path path, final String text) {
        final String name = path.toString();
        // Read as rule files are first: a second document, an alias or an anchor, a duplicate key said as such, at
        // their place (Jackson reads an alias as its anchor's name, and takes the first of two documents).
        final List<RuleProblem> yaml = io.vigil.rules.YamlTreeReader.read(name, text, "a rule test file").problems();
        if (!yaml.isEmpty()) {
            return new Result(Optional.empty(), yaml);
        }
        final FileYaml read;
        try {
            read = YAML.readValue(text, FileYaml.class);
        } catch (final JsonProcessingException e) {
            return new Result(Optional.empty(), List.of(problem(name, e)));
        }
        if (read == null) {
            return failed(name, 1, 1, EMPTY_FILE);
        }
        final List<Path> ruleFiles = new ArrayList<>();
        for (final String ruleFile : read.ruleFiles()) {
            try {
                ruleFiles.add(path.resolveSibling(ruleFile).normalize());
            } catch (final InvalidPathException e) {
                return failed(name, 1, 1, "rule_files: '" + ruleFile + "' is not a path: " + e.getReason());
            }
        }
        final List<RuleTestFile.TestCase> tests = read.tests().stream().map(TestYaml::toTestCase).toList();
        return new Result(Optional.of(new RuleTestFile(path, ruleFiles, tests)), List.of());
    }

    private static Result failed(final String file, final int line, final int column, final String message) {
        return new Result(Optional.empty(), List.of(new RuleProblem(file, line, column, message)));
    }

    // ---- The file as YAML, read by MappingValue; a constructor's IllegalArgumentException is reported at the start
    // ---- of its mapping.

    private record FileYaml(List<String> ruleFiles, List<TestYaml> tests) {
        FileYaml {
            ruleFiles = nonEmpty(ruleFiles, "rule_files", "'rule_files' must list the rule files to test");
            tests = nonEmpty(tests, "tests", "'tests' must list at least one test");
        }
    }

    private record TestYaml(String name, Duration interval, List<InputYaml> inputSeries,
                            List<ExpectationYaml> alerts) {
        TestYaml {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a test needs a 'name'");
            }
            if (interval == null) {
                interval = DEFAULT_INTERVAL;
            } else if (interval.isZero()) {
                throw new IllegalArgumentException("test '" + name + "': 'interval' must be more than 0s");
            }
            inputSeries = inputSeries == null ? List.of() : noEmptyItems(inputSeries, "'input_series'");
            // Its samples would be merged into one series, silently: a typo, most likely (promtool merges too).
            final java.util.Set<Series> given = new java.util.HashSet<>();
            for (InputYaml input : inputSeries) {
                if (!given.add(input.series())) {
                    throw new IllegalArgumentException("test '" + name + "': series " + input.series().key()
                            + " is given twice in 'input_series'");
                }
            }
            alerts = nonEmpty(alerts, "alerts", "test '" + name + "' needs 'alerts': the alerts expected at given times");
        }

        RuleTestFile.TestCase toTestCase() {
            return new RuleTestFile.TestCase(name, interval,
                    inputSeries.stream().map(i -> new RuleTestFile.InputSeries(i.series(), i.values())).toList(),
                    alerts.stream().map(ExpectationYaml::toExpectation).toList());
        }
    }

    private record InputYaml(Series series, SeriesValues values) {
        InputYaml {
            if (series == null || values == null) {
                throw new IllegalArgumentException("an input series needs 'series' and 'values'");
            }
        }
    }

    private record ExpectationYaml(Duration at, List<AlertYaml> firing) {
        ExpectationYaml {
            if (at == null) {
                throw new IllegalArgumentException("an 'alerts' entry needs 'at', the time to check");
            }
            firing = firing == null ? List.of() : noEmptyItems(firing, "'firing'");
        }

        RuleTestFile.Expectation toExpectation() {
            return new RuleTestFile.Expectation(at, firing.stream()
                    .map(a -> new RuleTestFile.ExpectedAlert(Labels.of(a.labels()), a.annotations())).toList());
        }
    }

    private record AlertYaml(Map<String, String> labels, Map<String, String> annotations) {
        AlertYaml {
            if (labels == null || labels.get("alertname") == null || labels.get("alertname").isEmpty()) {
                throw new IllegalArgumentException("an expected alert needs 'labels' with at least 'alertname'");
            }
            labels.keySet().stream().filter(n -> !io.vigil.rules.LabelNames.isValid(n)).findFirst().ifPresent(n -> {
                // An alert has no such label: the expectation could never be met, whatever fired.
                throw new IllegalArgumentException("label name '" + n + "' " + io.vigil.rules.LabelNames.RULE);
            });
            labels = noEmptyValues(labels, "label");
            annotations = annotations == null ? Map.of() : noEmptyValues(annotations, "annotation");
        }
    }

    private static <T> List<T> nonEmpty(final List<T> list, final String key, final String message) {
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException(message);
        }
        return noEmptyItems(list, "'" + key + "'");
    }

    /** YAML's {@code - } with nothing after it is a null item; say so rather than fail on it later. */
    private static <T> List<T> noEmptyItems(final List<T> list, final String what) {
        if (list.contains(null)) {
            throw new IllegalArgumentException("an empty item in " + what);
        }
        return List.copyOf(list);
    }

    private static Map<String, String> noEmptyValues(final Map<String, String> map, final String what) {
        for (final Map.Entry<String, String> e : map.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new IllegalArgumentException(what + " '" + e.getKey() + "' has no value");
            }
        }
        return Map.copyOf(map);
    }

    // ---- Values with their own syntax.

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

    /**
     * Reads a scalar as text and turns it into a value, given the key it is the value of (for messages); a problem is
     * reported at the scalar.
     */
    private static final class TextValue<T> extends StdScalarDeserializer<T> {

        private static final long serialVersionUID = 1L;

        private final transient BiFunction<String, String, T> read;

        TextValue(final Class<T> type, final BiFunction<String, String, T> read) {
            super(type);
            this.read = read;
        }

        @Override
        public T deserialize(final JsonParser p, final DeserializationContext ctxt) throws IOException {
            if (!p.currentToken().isScalarValue()) {
                throw new ValueProblem(p, "expected text, not " + (p.currentToken() == JsonToken.START_ARRAY
                        ? "a list" : "a mapping"));
            }
            try {
                return read.apply(p.currentName(), p.getText());
            } catch (final IllegalArgumentException e) {
                throw new ValueProblem(p, e.getMessage());
            }
        }
    }

    /**
     * Reads a mapping into one of the records above, key by key with the file's own parser, so that every problem
     * keeps its place: an unknown key is reported at the key, a value at the value, and what the record's constructor
     * refuses (a missing key, say) at the start of the mapping. (Jackson's own record support buffers unknown keys and
     * reports them, and constructor problems, past the end of the mapping.) Keys are the components' names in
     * snake_case; a key that is absent or null leaves its component null, for the constructor to judge.
     */
    private static final class MappingValue<T extends Record> extends StdDeserializer<T> {

        private static final long serialVersionUID = 1L;

        private final transient RecordComponent[] components;
        private final transient Map<String, Integer> indexByKey = new LinkedHashMap<>();
        private final transient Constructor<T> constructor;

        MappingValue(final Class<T> type) {
            super(type);
            this.components = type.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                indexByKey.put(components[i].getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT), i);
            }
            try {
                this.constructor = type.getDeclaredConstructor(
                        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            } catch (final NoSuchMethodException e) {
                throw new IllegalStateException("a record without its canonical constructor: " + type, e);
            }
            constructor.setAccessible(true);
        }

        @Override
        public T deserialize(final JsonParser p, final DeserializationContext ctxt) throws IOException {
            final JsonLocation start = p.currentTokenLocation();
            if (!p.isExpectedStartObjectToken()) {
                throw new ValueProblem(p, "expected a mapping with keys " + String.join(", ", indexByKey.keySet()));
            }
            final Object[] values = new Object[components.length];
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                final String key = p.currentName();
                final Integer i = indexByKey.get(key);
                if (i == null) {
                    throw new ValueProblem(p, unknownKey(key, indexByKey.keySet()));
                }
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    // "key:" with nothing after it is as good as no key; the constructor decides.
                    values[i] = null;
                    continue;
                }
                try {
                    values[i] = ctxt.readValue(p, ctxt.getTypeFactory().constructType(components[i].getGenericType()));
                } catch (final JsonMappingException e) {
                    throw JsonMappingException.wrapWithPath(e, handledType(), key);
                }
            }
            try {
                return constructor.newInstance(values);
            } catch (final InvocationTargetException e) {
                if (e.getCause() instanceof IllegalArgumentException problem) {
                    throw new ValueProblem(p, problem.getMessage(), start);
                }
                throw new IllegalStateException("cannot build " + handledType().getSimpleName(), e.getCause());
            } catch (final ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build " + handledType().getSimpleName(), e);
            }
        }
    }

    /** A value that its own syntax refuses; the message is already one line for the user. */
    private static final class ValueProblem extends JsonMappingException {

        private static final long serialVersionUID = 1L;

        ValueProblem(final JsonParser p, final String message) {
            this(p, message, p.currentTokenLocation());
        }

        ValueProblem(final JsonParser p, final String message, final JsonLocation at) {
            super(p, message, at);
        }
    }

    // ---- Jackson's exceptions as one line each.

    private static RuleProblem problem(final String file, final JsonProcessingException e) {
        // Jackson wraps SnakeYAML's syntax error, once or twice depending on where reading stopped.
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                return new RuleProblem(file, marked.getProblemMark().getLine() + 1,
                        marked.getProblemMark().getColumn() + 1, io.vigil.rules.YamlSyntaxError.message(marked));
            }
        }
        final String message = message(e);
        final JsonLocation at = e.getLocation();
        if (at == null || message.startsWith(EMPTY_FILE)) {
            return new RuleProblem(file, 1, 1, message);
        }
        return new RuleProblem(file, Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()), message);
    }

    private static String message(final JsonProcessingException e) {
        if (e instanceof ValueProblem) {
            return e.getOriginalMessage();
        }
        final String original = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        if (original.startsWith("No content to map")) {
            return EMPTY_FILE;
        }
        if (original.startsWith("Duplicate field ")) {
            return "duplicate key " + original.substring("Duplicate field ".length());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            final String key = e instanceof JsonMappingException j ? lastKey(j) : "";
            return (key.isEmpty() ? "the file" : "'" + key + "'") + " must be " + describe(m.getTargetType());
        }
        return "YAML: " + original.lines().findFirst().orElse(original);
    }

    private static String unknownKey(final String key, final Collection<String> known) {
        final List<String> names = known.stream().sorted().toList();
        final Optional<String> closest = KeySuggestion.closest(key, names);
        return "unknown key '" + key + "'" + closest.map(c -> "; did you mean '" + c + "'?")
                .orElse("; expected one of " + names.stream().collect(Collectors.joining(", ")));
    }

    private static String lastKey(final JsonMappingException e) {
        final List<JsonMappingException.Reference> path = e.getPath();
        for (int i = path.size() - 1; i >= 0; i--) {
            if (path.get(i).getFieldName() != null) {
                return path.get(i).getFieldName();
            }
        }
        return "";
    }

    private static String describe(final Class<?> type) {
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        return "text";
    }
}
