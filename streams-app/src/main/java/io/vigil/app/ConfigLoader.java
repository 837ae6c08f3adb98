package io.vigil.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.SeriesBundler;
import io.vigil.model.DurationSyntax;
import io.vigil.model.KeySuggestion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads {@code vigil.yaml} and {@code VIGIL_*} environment variables into a {@link VigilConfig}. Every key is in
 * one table with its default; an unknown key is an error naming the closest known one. The environment wins over
 * the file: {@code evaluation.grace} is {@code VIGIL_EVALUATION_GRACE}, {@code kafka.X.Y} is {@code VIGIL_KAFKA_X_Y},
 * and {@code VIGIL_BOOTSTRAP_SERVERS} is {@code kafka.bootstrap.servers}.
 */
public final class ConfigLoader {

    /** One configuration key: its name, default (as text) and a description for errors and docs. */
    private record Key(String name, String defaultValue, String doc) {
    }

    private static final List<Key> KEYS = List.of(
            new Key("topics.metrics", "metrics",
                    "input topics: a list of names or {name, format, precision}, or comma-separated TOPIC[:FORMAT[:PRECISION]]"),
            new Key("topics.alerts", "alerts", "the alert events topic"),
            new Key("topics.dlq", "metrics.dlq", "the dead-letter topic"),
            new Key("topics.partitioned_by_series", "false",
                    "true if the producers keep every series on one partition of one input topic (keyed by series or"
                            + " by host): evaluation then runs where the series is read, with no series repartition"),
            new Key("rules.path", "rules/", "a rule file or a directory of rule files"),
            new Key("evaluation.grace", "15s", "how long an evaluation waits for late points"),
            new Key("evaluation.forget", "24h", "series unseen this long are forgotten"),
            new Key("evaluation.max_future_skew", "5m", "datapoints further ahead of the wall clock are rejected"),
            new Key("evaluation.idle_timeout", "30s", "a silent input partition stops holding evaluation back after this"),
            new Key("evaluation.max_series_per_rule",
                    Integer.toString(TopologySettings.DEFAULT_MAX_SERIES_PER_RULE),
                    "a rule holds at most this many series; new ones beyond it are not evaluated, counted and alerted on"),
            new Key("ingest.max_age", "7d",
                    "datapoints further behind the newest timestamp of their input partition are rejected"),
            new Key("ingest.max_record_bytes", "1048576", "larger record values are rejected unread"),
            new Key("ingest.max_labels", "64", "datapoints with more labels are rejected"),
            new Key("ingest.max_label_name_length", "128", "datapoints with a longer label name are rejected"),
            new Key("ingest.max_label_value_length", "2048", "datapoints with a longer label value are rejected"),
            new Key("http.port", "8080", "HTTP port"),
            new Key("http.bind", "127.0.0.1", "HTTP bind address"),
            new Key("http.external_url", "", "base URL of Vigil's links (default http://localhost:PORT)"),
            new Key("http.bearer_token_env", "", "environment variable holding the token the HTTP API requires"),
            new Key("http.bearer_token_file", "", "file holding the token the HTTP API requires"),
            new Key("http.readyz_max_rebalance", "2m",
                    "a rebalance longer than this makes /readyz answer 503; a shorter one keeps the instance ready"),
            new Key("log.format", "text", "log lines on stderr: text, or json (one object per line)"));

    private static final String KAFKA_PREFIX = "kafka.";

    private ConfigLoader() {
    }

    /**
     * @param file the YAML file, or null for none
     * @param env  the environment ({@code System.getenv()} in production)
     * @throws ConfigException naming the key that is wrong
     */
    public static VigilConfig load(final Path file, final Map<String, String> env) {
        final Map<String, String> values = new TreeMap<>();
        final Map<String, String> kafka = new TreeMap<>();
        final List<Object> receivers = new ArrayList<>();
        if (file != null) {
            readFile(file, values, kafka, receivers);
        }
        applyEnvironment(env, values, kafka);
        final String portText = value(values, "http.port");
        final int port = parse("http.port", portText, Integer::parseInt, "a port number");
        if (port < 0 || port > 65_535) {
            throw new ConfigException("http.port: " + port + " is not a port number (0-65535)");
        }
        final String external = value(values, "http.external_url");
        checkVigilSetting(kafka, SeriesBundler.MAX_POINTS_CONFIG, SeriesBundler::maxPoints);
        checkVigilSetting(kafka, IngestProcessor.OWN_SERIES_IN_TASK_CONFIG, IngestProcessor::ownSeriesInTask);
        return new VigilConfig(
                kafka,
                InputTopicsSyntax.parse(value(values, InputTopicsSyntax.KEY)),
                value(values, "topics.alerts"),
                value(values, "topics.dlq"),
                Path.of(value(values, "rules.path")),
                duration(values, "evaluation.grace"),
                aboveZero(values, "evaluation.forget", "at 0s every series is forgotten at each instant it has"
                        + " no point, its alerts pending again and again, never firing"),
                limits(values),
                aboveZero(values, "evaluation.idle_timeout", "at 0s a partition counts as idle between two of its"
                        + " records, and evaluation runs past the points still on their way"),
                port,
                value(values, "http.bind"),
                external.isEmpty() ? "http://localhost:" + port : external,
                receivers,
                httpToken(value(values, "http.bearer_token_env"), value(values, "http.bearer_token_file"), env),
                duration(values, "http.readyz_max_rebalance"),
                LogFormat.parse("log.format", value(values, "log.format")),
                positiveInt(values, "evaluation.max_series_per_rule"),
                bool(value(values, "topics.partitioned_by_series"), "topics.partitioned_by_series"));
    }

    /**
     * Checks one of Vigil's own settings among the {@code kafka.*} ones (read by its processors from the Streams
     * config) with the parser that will read it, so that a bad value is refused at start-up, by its key.
     */
    private static void checkVigilSetting(final Map<String, String> kafka, final String key,
                                          final java.util.function.Consumer<String> parse) {
        final String text = kafka.get(key);
        if (text != null) {
            try {
                parse.accept(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(KAFKA_PREFIX + key + ": " + e.getMessage());
            }
        }
    }

    /** A duration that 0s would turn into a silent failure; {@code why} says which. */
    private static Duration aboveZero(final Map<String, String> values, final String key, final String why) {
        final Duration d = duration(values, key);
        if (d.isZero()) {
            throw new ConfigException(key + ": must be longer than 0s (" + why + ")");
        }
        return d;
    }

    private static IngestLimits limits(final Map<String, String> values) {
        final Duration maxAge = aboveZero(values, "ingest.max_age", "at 0s every datapoint behind its partition's"
                + " newest would be dead-lettered as old");
        return new IngestLimits(positiveInt(values, "ingest.max_record_bytes"), positiveInt(values, "ingest.max_labels"),
                positiveInt(values, "ingest.max_label_name_length"), positiveInt(values, "ingest.max_label_value_length"),
                duration(values, "evaluation.max_future_skew"), maxAge);
    }

    /**
     * {@code true} or {@code false}, nothing else, for every yes/no setting (keys, receivers, bench variants).
     *
     * @param at where the value was set, for the error message
     */
    static boolean bool(final String text, final String at) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(at + ": '" + text + "' is not true or false");
    }

    private static int positiveInt(final Map<String, String> values, final String key) {
        final String text = value(values, key);
        final int n = parse(key, text, Integer::parseInt, "a whole number");
        if (n <= 0) {
            throw new ConfigException(key + ": " + n + " is not above 0");
        }
        return n;
    }

    private static Optional<String> httpToken(final String variable, final String file, final Map<String, String> env) {
        if (!variable.isEmpty() && !file.isEmpty()) {
            throw new ConfigException("http: give bearer_token_env or bearer_token_file, not both");
        }
        if (!variable.isEmpty()) {
            final String token = env.get(variable);
            if (token == null || token.isBlank()) {
                throw new ConfigException("http.bearer_token_env: the environment variable " + variable + " is not set");
            }
            return Optional.of(token.strip());
        }
        if (!file.isEmpty()) {
            try {
                return Optional.of(Files.readString(Path.of(file)).strip());
            } catch (IOException e) {
                throw new ConfigException("http.bearer_token_file: cannot read " + file);
            }
        }
        return Optional.empty();
    }

    private static void readFile(final Path file, final Map<String, String> values, final Map<String, String> kafka,
                                 final List<Object> receivers) {
        final JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            final io.vigil.rules.YamlSyntaxError error = io.vigil.rules.YamlSyntaxError.of(e, null);
            throw new ConfigException(file + ":" + error.line() + ":" + error.column() + ": " + error.message());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException(file + ": the configuration must be a mapping of keys");
        }
        flatten("", root, values, kafka, receivers, file);
    }

    private static void flatten(final String prefix, final JsonNode node, final Map<String, String> values,
                                final Map<String, String> kafka, final List<Object> receivers, final Path file) {
        final Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            final Map.Entry<String, JsonNode> field = fields.next();
            final String key = prefix + field.getKey();
            final JsonNode value = field.getValue();
            if (key.equals("kafka")) {
                if (!value.isObject()) {
                    throw new ConfigException("kafka: must be a mapping of Kafka client settings");
                }
                value.fields().forEachRemaining(e -> kafka.put(e.getKey(), e.getValue().asText()));
            } else if (key.equals("receivers")) {
                if (!value.isArray()) {
                    throw new ConfigException("receivers: must be a list");
                }
                value.forEach(r -> receivers.add(new ObjectMapper().convertValue(r, Object.class)));
            } else if (key.equals(InputTopicsSyntax.KEY) && value.isArray()) {
                final List<String> topics = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    topics.add(InputTopicsSyntax.entryText(value.get(i), i));
                }
                values.put(key, String.join(",", topics));
            } else if (key.equals(InputTopicsSyntax.KEY) && value.isObject()) {
                throw new ConfigException(key + ": must be a topic name or a list of topics");
            } else if (value.isObject()) {
                checkKnownPrefix(key);
                flatten(key + ".", value, values, kafka, receivers, file);
            } else {
                checkKnown(key);
                values.put(key, value.asText());
            }
        }
    }

    private static void applyEnvironment(final Map<String, String> env, final Map<String, String> values,
                                         final Map<String, String> kafka) {
        for (Key key : KEYS) {
            final String name = "VIGIL_" + key.name().replace('.', '_').toUpperCase(Locale.ROOT);
            if (env.containsKey(name)) {
                values.put(key.name(), env.get(name));
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith("VIGIL_KAFKA_")) {
                kafka.put(name.substring("VIGIL_KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        if (env.containsKey("VIGIL_BOOTSTRAP_SERVERS")) {
            kafka.put("bootstrap.servers", env.get("VIGIL_BOOTSTRAP_SERVERS"));
        }
    }

    private static String value(final Map<String, String> values, final String key) {
        final String v = values.get(key);
        if (v != null) {
            return v.trim();
        }
        return KEYS.stream().filter(k -> k.name().equals(key)).findFirst().orElseThrow().defaultValue();
    }

    private static Duration duration(final Map<String, String> values, final String key) {
        final String text = value(values, key);
        final Duration d = DurationSyntax.parse(text)
                .orElseThrow(() -> new ConfigException(key + ": '" + text + "' is not a duration (e.g. 15s, 1m30s, 2h)"));
        // As in rule files: the engine adds these to event times and to each other, which ten years keeps far from
        // overflowing (a forget of 1e11 days would wrap around and forget every series at once).
        if (d.compareTo(DurationSyntax.LONGEST) > 0) {
            throw new ConfigException(key + ": '" + text + "' is too long, at most "
                    + DurationSyntax.format(DurationSyntax.LONGEST));
        }
        return d;
    }

    private static <T> T parse(final String key, final String text, final Function<String, T> parser, final String what) {
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            throw new ConfigException(key + ": '" + text + "' is not " + what);
        }
    }

    private static void checkKnown(final String key) {
        if (KEYS.stream().noneMatch(k -> k.name().equals(key))) {
            throw new ConfigException("unknown configuration key '" + key + "'" + suggestion(key));
        }
    }

    private static void checkKnownPrefix(final String prefix) {
        if (KEYS.stream().noneMatch(k -> k.name().startsWith(prefix + "."))) {
            throw new ConfigException("unknown configuration key '" + prefix + "'" + suggestion(prefix));
        }
    }

    private static String suggestion(final String key) {
        final List<String> names = new ArrayList<>(KEYS.stream().map(Key::name).toList());
        names.addAll(List.of("kafka", "receivers", "topics", "rules", "evaluation", "ingest", "http", "log"));
        return KeySuggestion.closest(key, names).map(best -> "; did you mean '" + best + "'?").orElse("");
    }

    /** The keys, defaults and descriptions, for docs and {@code --help}. */
    public static Map<String, String> describe() {
        final Map<String, String> out = new LinkedHashMap<>();
        KEYS.forEach(k -> out.put(k.name() + " (default " + (k.defaultValue().isEmpty() ? "-" : k.defaultValue()) + ")", k.doc()));
        return out;
    }
}
