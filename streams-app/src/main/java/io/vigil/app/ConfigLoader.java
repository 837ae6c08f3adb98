package io.vigil.app;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.SeriesBundler;
import io.vigil.model.DurationSyntax;
import io.vigil.model.FileErrorReason;
import io.vigil.model.KeySuggestion;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.Utf8Text;
import io.vigil.rules.YamlNode;
import io.vigil.rules.YamlTreeReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@code vigil.yaml}, {@code VIGIL_*} environment variables and a command's options into a
 * {@link VigilConfig}. Every key is in one table with its default; an unknown key is an error naming the closest
 * known one. The environment wins over the file, and an option over both: {@code evaluation.grace} is
 * {@code VIGIL_EVALUATION_GRACE}, {@code kafka.X.Y} is {@code VIGIL_KAFKA_X_Y}, and {@code VIGIL_BOOTSTRAP_SERVERS}
 * is {@code kafka.bootstrap.servers}.
 *
 * <p>In the file a dotted key is the same key as its parts nested ({@code evaluation.grace: 10s} is
 * {@code evaluation: {grace: 10s}}, {@code kafka: {bootstrap: {servers: x}}} is {@code kafka.bootstrap.servers}),
 * and a key given twice, either way, is an error. An empty section means its defaults; a key given with no value is
 * an error. Every error names where the value was set: {@code vigil.yaml:3:5: evaluation.grace: ...},
 * {@code VIGIL_EVALUATION_GRACE (evaluation.grace): ...} or {@code --http-port (http.port): ...}.
 *
 * <p>One {@link ConfigException} reports every problem, a line each ({@link Problems}): each key is read and checked
 * on its own, and a problem with one does not stop the others being read. A check relating several keys (no topic
 * has two roles) runs only once each key it reads is valid. A file that cannot be read or is not YAML is refused at
 * once, as nothing after its error can be read. The receivers are checked by the commands that deliver or check for
 * them ({@link #loadWithReceivers}), their problems reported with the others'.
 */
public final class ConfigLoader {

    /** {@code http.port}'s default, and the port of the default {@code http.external_url}. */
    static final int DEFAULT_HTTP_PORT = 8080;

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
            new Key(MetricsLookback.KEY, "auto",
                    "how far back a new application (no committed offsets) starts reading the input: auto (the"
                            + " longest history a rule looks at, plus 1h), all (the whole retention), or a duration"),
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
            new Key("http.port", Integer.toString(DEFAULT_HTTP_PORT), "HTTP port"),
            new Key("http.bind", "127.0.0.1", "HTTP bind address"),
            new Key("http.external_url", "", "base URL of Vigil's links (default http://localhost:PORT)"),
            new Key("http.peer_url", "", "where the other instances reach this one's API (default: http.external_url)"),
            new Key("http.bearer_token_env", "", "environment variable holding the token the HTTP API requires"),
            new Key("http.bearer_token_file", "", "file holding the token the HTTP API requires"),
            new Key("http.readyz_max_rebalance", "2m",
                    "a rebalance longer than this makes /readyz answer 503; a shorter one keeps the instance ready"),
            new Key("log.format", "text", "log lines on stderr: text, or json (one object per line)"));

    private static final String KAFKA = "kafka";
    static final String KAFKA_PREFIX = "kafka.";
    private static final String RECEIVERS = "receivers";
    /** What a problem of the YAML itself (a duplicate key, a tag) is about, for {@link Problems}: no key of ours. */
    private static final String YAML_PROBLEM = "";
    private static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    private static final String NUM_STREAM_THREADS = "num.stream.threads";
    private static final String VARIABLE_PREFIX = "VIGIL_";
    private static final String KAFKA_VARIABLE_PREFIX = "VIGIL_KAFKA_";
    private static final String BOOTSTRAP_VARIABLE = "VIGIL_BOOTSTRAP_SERVERS";
    /** The receivers as YAML (or JSON) text: a list, as the file's {@code receivers} (cli.md: every key by env). */
    private static final String RECEIVERS_VARIABLE = "VIGIL_RECEIVERS";
    /** VIGIL_ variables that are no key: the launcher's (`vigil`) and the short form of kafka.bootstrap.servers. */
    private static final Set<String> OTHER_VARIABLES = Set.of("VIGIL_JAVA_OPTS", BOOTSTRAP_VARIABLE,
            RECEIVERS_VARIABLE);
    /** Kafka's longest topic name; alert delivery's dead-letter topic is the alerts topic's name and ".dlq". */
    private static final int LONGEST_TOPIC = 249;
    /** YAML 1.1's words for true, which Jackson's parser (and so Vigil before) read as true. */
    private static final Set<String> YAML_TRUE = Set.of("true", "yes", "on");
    /** Integers a double holds exactly, as {@link YamlNode.Scalar#number()} gives them. */
    private static final double EXACT_INTEGERS = 0x1p53;
    /** Kafka's own form of a bootstrap server (ClientUtils): an optional listener prefix, host, port. */
    private static final Pattern SERVER = Pattern.compile("(?:[A-Za-z_]+://)?(\\[[0-9a-fA-F:.%]+]|[0-9a-zA-Z\\-%._:]+):([0-9]+)");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    /** DNS's longest name, and its final dot. */
    private static final int LONGEST_HOST_NAME = 254;
    /**
     * A host name's form: dot-separated labels of letters, digits, '-' and '_' (no resolver refuses '_', and Docker
     * Compose's container names hold it), none empty, an optional final dot.
     */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*\\.?");
    /** An IPv6 literal's characters (with a dotted IPv4 tail), in brackets or not, and an optional zone ({@code %eth0}). */
    private static final Pattern IPV6_FORM = Pattern.compile("\\[?([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(%[A-Za-z0-9_.-]+)?]?");

    /**
     * A value given on a command's command line, which wins over the file and the environment.
     *
     * @param name the option, as errors name it ({@code --http-port})
     * @param key  the configuration key it sets ({@code http.port}, {@code kafka.bootstrap.servers})
     */
    public record Option(String name, String key, String value) {
    }

    private ConfigLoader() {
    }

    /**
     * @param file the YAML file, or null for none
     * @param env  the environment ({@code System.getenv()} in production)
     * @throws ConfigException naming each key that is wrong, and where it was set, a line each
     */
    public static VigilConfig load(final Path file, final Map<String, String> env) {
        return load(file, env, List.of());
    }

    /**
     * @param options values of a command's options, which win over the file and the environment
     * @throws ConfigException naming each key that is wrong, and where it was set (for an option, the option)
     */
    public static VigilConfig load(final Path file, final Map<String, String> env, final List<Option> options) {
        return load(file, env, options, false);
    }

    /** A configuration and its receivers: what the commands that deliver, or check for those that do, read. */
    record WithReceivers(VigilConfig config, ReceiverConfig.Receivers receivers) {
    }

    /**
     * As {@link #load(Path, Map, List)}, and the receivers ({@link #receivers}): every problem of both in one error,
     * the receivers' after the rest's. Loaded apart, a receiver's problem showed only once the rest was fixed, one more
     * round of editing for whoever deploys. {@code resolveBind} for the command that serves HTTP ({@code run}):
     * {@code http.bind}'s name must then resolve here, where {@code replay} or {@code rules validate} read another
     * machine's file as it is.
     */
    static WithReceivers loadWithReceivers(final Path file, final Map<String, String> env, final List<Option> options,
                                           final boolean resolveBind) {
        final VigilConfig config = load(file, env, options, resolveBind, true);
        return new WithReceivers(config, receivers(file, config.receivers(), env));
    }

    private static VigilConfig load(final Path file, final Map<String, String> env, final List<Option> options,
                                    final boolean resolveBind) {
        return load(file, env, options, resolveBind, false);
    }

    /** @param withReceivers whether a configuration with problems also reports its receivers' */
    private static VigilConfig load(final Path file, final Map<String, String> env, final List<Option> options,
                                    final boolean resolveBind, final boolean withReceivers) {
        final Sources sources = new Sources();
        if (file != null) {
            sources.readFile(file);
        }
        sources.applyEnvironment(env);
        for (int i = 0; i < options.size(); i++) {
            sources.applyOption(options.get(i), i);
        }
        final List<String> warnings = unknownVariables(env, sources.referencedVariables());
        final VigilConfig config;
        try {
            config = build(sources, env, resolveBind);
        } catch (ConfigException e) {
            warn(warnings, Optional.empty());
            if (!withReceivers) {
                throw e;
            }
            final List<String> problems = new ArrayList<>(List.of(e.getMessage().split("\n")));
            try {
                receivers(file, sources.receivers, env);
            } catch (ConfigException receivers) {
                problems.addAll(List.of(receivers.getMessage().split("\n")));
            }
            throw new ConfigException(problems);
        }
        warn(warnings, Optional.of(config.logFormat()));
        return config;
    }

    /**
     * Logs {@code warnings}, if any, in the configured format: `run` applies it right after loading, and a collector
     * of JSON lines should not meet a text line first. Only then is a logger made: that starts log4j (about 0.6 s),
     * which `rules validate` does without.
     */
    private static void warn(final List<String> warnings, final Optional<LogFormat> format) {
        if (!warnings.isEmpty()) {
            format.ifPresent(LogFormat::apply);
            final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConfigLoader.class);
            warnings.forEach(log::warn);
        }
    }

    /**
     * The {@code VIGIL_*} variables of {@code env} that set nothing, each with the known variable it most likely
     * meant: warned about, not refused, since the environment of a process holds what others put there too.
     *
     * @param referenced variables the configuration names as holding secrets ({@code bearer_token_env},
     *                   {@code hmac_secret_env}): known
     */
    static List<String> unknownVariables(final Map<String, String> env, final Set<String> referenced) {
        final List<String> known = new ArrayList<>(OTHER_VARIABLES);
        KEYS.forEach(k -> known.add(variable(k.name())));
        known.sort(null);
        final List<String> warnings = new ArrayList<>();
        new TreeMap<>(env).keySet().forEach(name -> {
            if (name.startsWith(VARIABLE_PREFIX) && !known.contains(name) && !referenced.contains(name)
                    && !(name.startsWith(KAFKA_VARIABLE_PREFIX) && name.length() > KAFKA_VARIABLE_PREFIX.length())) {
                warnings.add("environment variable " + name + " sets no Vigil setting and is ignored"
                        + KeySuggestion.closest(name, known).map(k -> "; did you mean " + k + "?")
                                .orElse(" (every key k.x is VIGIL_K_X, kafka.* is VIGIL_KAFKA_*)"));
            }
        });
        return warnings;
    }

    /** The environment variable of a key: {@code evaluation.grace} is {@code VIGIL_EVALUATION_GRACE}. */
    private static String variable(final String key) {
        return VARIABLE_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Checks every value, each on its own, so that one error reports every problem (errors start with the key;
     * {@link Problems} then says where it was set). The configuration is made only when none was found.
     */
    private static VigilConfig build(final Sources sources, final Map<String, String> env, final boolean resolveBind) {
        final Map<String, String> values = sources.values;
        final Problems problems = sources.problems;
        final Integer port = problems.read(() -> port(values));
        checkKafka(sources.kafka, problems);
        final List<InputTopic> inputs =
                problems.read(() -> InputTopicsSyntax.parse(value(values, InputTopicsSyntax.KEY)));
        final String alerts = problems.read(() -> topic(values, "topics.alerts"));
        final String dlq = problems.read(() -> topic(values, "topics.dlq"));
        // Relates three keys: checked only when each is valid, as a complaint about a value already reported bad (or
        // about the default that stands in for it) would be noise.
        if (problems.noneAbout(InputTopicsSyntax.KEY, "topics.alerts", "topics.dlq")) {
            topicRoleConflicts(inputs, alerts, dlq, values.keySet()).forEach(problems::add);
        }
        final String rulesPath = problems.read(() -> nonEmpty(values, "rules.path"));
        final Duration grace = problems.read(() -> duration(values, "evaluation.grace"));
        final Duration forget = problems.read(() -> aboveZero(values, "evaluation.forget", "at 0s every series is"
                + " forgotten at each instant it has no point, its alerts pending again and again, never firing"));
        final Duration maxFutureSkew = problems.read(() -> duration(values, "evaluation.max_future_skew"));
        final Duration maxAge = problems.read(() -> aboveZero(values, "ingest.max_age", "at 0s every datapoint behind"
                + " its partition's newest would be dead-lettered as old"));
        final Integer maxRecordBytes = problems.read(() -> positiveInt(values, "ingest.max_record_bytes"));
        final Integer maxLabels = problems.read(() -> positiveInt(values, "ingest.max_labels"));
        final Integer maxNameLength = problems.read(() -> positiveInt(values, "ingest.max_label_name_length"));
        final Integer maxValueLength = problems.read(() -> positiveInt(values, "ingest.max_label_value_length"));
        final Duration idleTimeout = problems.read(() -> aboveZero(values, "evaluation.idle_timeout", "at 0s a"
                + " partition counts as idle between two of its records, and evaluation runs past the points still on"
                + " their way"));
        final String bind = problems.read(() -> bindAddress(value(values, "http.bind"), resolveBind));
        final String externalUrl = values.containsKey("http.external_url")
                ? problems.read(() -> httpUrl("http.external_url", value(values, "http.external_url")))
                : "http://localhost:" + port;
        final Optional<String> peerUrl = values.containsKey("http.peer_url")
                ? Optional.ofNullable(problems.read(() -> httpUrl("http.peer_url", value(values, "http.peer_url"))))
                : Optional.empty();
        final Optional<String> httpToken = problems.read(() -> httpToken(values, env));
        final Duration readyzMaxRebalance = problems.read(() -> duration(values, "http.readyz_max_rebalance"));
        final LogFormat logFormat = problems.read(() -> LogFormat.parse("log.format", value(values, "log.format")));
        final Integer maxSeriesPerRule = problems.read(() -> positiveInt(values, "evaluation.max_series_per_rule"));
        final Boolean partitionedBySeries = problems.read(() -> bool(value(values, "topics.partitioned_by_series"),
                "topics.partitioned_by_series"));
        final MetricsLookback lookback = problems.read(() -> MetricsLookback.parse(value(values, MetricsLookback.KEY)));
        // Past this point every value above was read: none is null.
        problems.throwIfAny();
        return new VigilConfig(
                sources.kafka,
                inputs,
                alerts,
                dlq,
                Path.of(rulesPath),
                grace,
                forget,
                new IngestLimits(maxRecordBytes, maxLabels, maxNameLength, maxValueLength, maxFutureSkew, maxAge),
                idleTimeout,
                port,
                bind,
                externalUrl,
                peerUrl,
                sources.receivers,
                httpToken,
                readyzMaxRebalance,
                logFormat,
                maxSeriesPerRule,
                partitionedBySeries,
                lookback);
    }

    private static int port(final Map<String, String> values) {
        final int port = parse("http.port", value(values, "http.port"), Integer::parseInt, "a port number");
        if (port < 0 || port > 65_535) {
            throw new ConfigException("http.port: " + port + " is not a port number (0-65535)");
        }
        return port;
    }

    /**
     * The {@code kafka.*} settings Vigil itself depends on, then every other value as Kafka's clients would read it:
     * each setting on its own, and one problem at most for each.
     */
    private static void checkKafka(final Map<String, String> kafka, final Problems problems) {
        final String servers = kafka.get(BOOTSTRAP_SERVERS);
        if (servers != null) {
            problems.check(() -> checkBootstrapServers(KAFKA_PREFIX + BOOTSTRAP_SERVERS, servers));
        }
        final String threads = kafka.get(NUM_STREAM_THREADS);
        if (threads != null) {
            problems.check(() -> checkStreamThreads(threads));
        }
        problems.check(() -> checkVigilSetting(kafka, SeriesBundler.MAX_POINTS_CONFIG, SeriesBundler::maxPoints));
        problems.check(() -> checkVigilSetting(kafka, IngestProcessor.OWN_SERIES_IN_TASK_CONFIG,
                IngestProcessor::ownSeriesInTask));
        // A value refused above would be refused by Kafka's definition too ("'two' is not valid for Kafka"): once is
        // enough.
        kafka.forEach((setting, value) -> {
            if (problems.noneAbout(KAFKA_PREFIX + setting)) {
                problems.check(() -> KafkaSettings.check(Map.of(setting, value)));
            }
        });
    }

    private static void checkStreamThreads(final String threads) {
        final int n = parse(KAFKA_PREFIX + NUM_STREAM_THREADS, threads.strip(), Integer::parseInt,
                "a whole number up to " + Integer.MAX_VALUE);
        if (n < 1) {
            throw new ConfigException(KAFKA_PREFIX + NUM_STREAM_THREADS + ": " + n
                    + " is not at least 1 (with no stream thread nothing is read, evaluated or alerted on)");
        }
    }

    /**
     * Each comma-separated server is {@code HOST:PORT}, as Kafka's clients read it, with a port from 1 to 65535;
     * names are not resolved here (a broker may be named before it is up). Kafka's clients refuse an empty entry
     * ({@code a:9092,}), and so does this, naming it.
     */
    private static void checkBootstrapServers(final String key, final String text) {
        final List<String> servers = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            servers.add(entry.strip());
        }
        if (servers.stream().allMatch(String::isEmpty)) {
            throw new ConfigException(key + ": no server given (HOST:PORT,...; leave the key out for the embedded"
                    + " broker of `vigil run`)");
        }
        if (servers.contains("")) {
            throw new ConfigException(key + ": '" + text + "' has an empty entry between its commas, which Kafka's"
                    + " clients refuse");
        }
        for (String server : servers) {
            final java.util.regex.Matcher m = SERVER.matcher(server);
            if (!m.matches()) {
                throw new ConfigException(key + ": '" + server + "' is not HOST:PORT");
            }
            final String port = m.group(2);
            if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
                throw new ConfigException(key + ": '" + server + "': " + port + " is not a port from 1 to 65535");
            }
        }
    }

    private static String topic(final Map<String, String> values, final String key) {
        final String name = value(values, key);
        InputTopicsSyntax.topicNameProblem(name).ifPresent(problem -> {
            throw new ConfigException(key + ": " + problem);
        });
        return name;
    }

    /**
     * No topic has two roles. An input that is also the dead-letter topic reads its rejected records back and
     * rejects them again, for ever; one that is also the alerts topic (or delivery's {@code <alerts>.dlq}) reads
     * Vigil's own output as datapoints; dead letters on the alerts topic reach the receivers' consumers.
     */
    private static List<ConfigException> topicRoleConflicts(final List<InputTopic> inputs, final String alerts,
                                                            final String dlq, final Set<String> set) {
        final List<ConfigException> conflicts = new ArrayList<>();
        final Set<String> inputNames = inputs.stream().map(InputTopic::name).collect(Collectors.toSet());
        final String alertsDlq = alerts + ".dlq";
        if (alertsDlq.length() > LONGEST_TOPIC) {
            conflicts.add(new ConfigException("topics.alerts: '" + alerts + "' is too long: alert delivery's dead-letter"
                    + " topic, its name and '.dlq', would be over " + LONGEST_TOPIC + " characters"));
        }
        if (inputNames.contains(dlq)) {
            conflicts.add(twoRoles(set, "topics.dlq", dlq, "the dead-letter topic",
                    "a rejected record would be read again, and rejected again, for ever"));
        }
        if (inputNames.contains(alerts)) {
            conflicts.add(twoRoles(set, "topics.alerts", alerts, "the alerts topic",
                    "Vigil would read its own alert events as datapoints"));
        }
        if (inputNames.contains(alertsDlq)) {
            conflicts.add(set.contains("topics.alerts") || !set.contains(InputTopicsSyntax.KEY)
                    ? new ConfigException("topics.alerts: '" + alerts + "' makes alert delivery's dead-letter topic '"
                            + alertsDlq + "', which is also an input topic (" + InputTopicsSyntax.KEY + ")")
                    : new ConfigException(InputTopicsSyntax.KEY + ": '" + alertsDlq + "' is also alert delivery's"
                            + " dead-letter topic (topics.alerts and '.dlq'); Vigil would read its own alert events"
                            + " as datapoints"));
        }
        if (dlq.equals(alerts)) {
            conflicts.add(new ConfigException((set.contains("topics.dlq") ? "topics.dlq: '" + dlq + "' is also the alerts"
                    + " topic (topics.alerts)" : "topics.alerts: '" + alerts + "' is also the dead-letter topic"
                    + " (topics.dlq)") + "; the receivers would be sent the rejected records"));
        }
        return conflicts;
    }

    /**
     * An input topic that also has {@code role}, blamed on the key the user set (so the error is placed where it was
     * set): {@code roleKey}, or else the input topics.
     */
    private static ConfigException twoRoles(final Set<String> set, final String roleKey, final String topic,
                                            final String role, final String why) {
        if (set.contains(roleKey) || !set.contains(InputTopicsSyntax.KEY)) {
            return new ConfigException(roleKey + ": '" + topic + "' is also an input topic (" + InputTopicsSyntax.KEY
                    + "); " + why);
        }
        return new ConfigException(InputTopicsSyntax.KEY + ": '" + topic + "' is also " + role + " (" + roleKey + "); "
                + why);
    }

    /**
     * An IP address, or a host name, which this machine resolves when {@code resolve} (looked up now: a name that fails
     * later fails where it is bound). Its form is checked either way, with the same message, so that every command
     * reading the file refuses what {@code run} would.
     */
    private static String bindAddress(final String text, final boolean resolve) {
        final String problem = "http.bind: '" + text + "' is neither an IP address nor a host name this machine"
                + " resolves (127.0.0.1 for this machine only, 0.0.0.0 for every interface)";
        if (!hasAddressForm(text)) {
            throw new ConfigException(problem);
        }
        if (resolve) {
            try {
                InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new ConfigException(problem);
            }
        }
        return text;
    }

    /**
     * Whether {@code text} is written as an IPv4 or IPv6 address or a host name, looking nothing up. InetAddress would
     * look up "999.1.1.1" or "not an ip!" as a name, and takes "" for the loopback address.
     */
    static boolean hasAddressForm(final String text) {
        if (text.isEmpty() || text.length() > LONGEST_HOST_NAME) {
            return false;
        }
        if (DIGITS_AND_DOTS.matcher(text).matches()) {
            return isIpv4Literal(text);
        }
        final java.util.regex.Matcher v6 = IPV6_FORM.matcher(text);
        if (v6.matches()) {
            if (text.startsWith("[") != text.endsWith("]")) {
                return false;
            }
            try {
                // A literal of hex digits and colons only: parsed, never looked up (the zone, an interface of the
                // machine that serves, is left out).
                InetAddress.getByName("[" + v6.group(1) + "]");
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return HOST_NAME.matcher(text).matches();
    }

    private static boolean isIpv4Literal(final String text) {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code http.external_url} or {@code http.peer_url}: an absolute http(s) URL with a host and no user. */
    private static String httpUrl(final String key, final String text) {
        final boolean links = key.equals("http.external_url");
        final URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(key + ": '" + text + "' is not a URL (" + e.getReason() + " at index "
                    + e.getIndex() + "); e.g. http://vigil-1:8080");
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(key + ": '" + text + "' is not an absolute http:// or https:// URL (e.g."
                    + " http://vigil-1:8080): " + (links ? "alert links start with it, and other instances reach this"
                    + " one there unless http.peer_url says otherwise" : "other instances reach this one there"));
        }
        if (uri.getRawUserInfo() != null) {
            // Not echoed: it may be a password.
            throw new ConfigException(key + ": has a user (and password?) before its host" + (links
                    ? ", which every alert's generatorURL would carry to the receivers; leave it out"
                    : "; leave it out: instances send each other the API's token (http.bearer_token_env)"));
        }
        if (uri.getHost() == null) {
            throw new ConfigException(key + ": " + noHost(uri, "'" + text + "'", "http://vigil-1:8080"));
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw new ConfigException(key + ": '" + text + "': port " + uri.getPort() + " is not from 1 to 65535");
        }
        final String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!links && (scheme.equals("https") || !(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null)) {
            // Kafka Streams hands the others this instance's host and port alone (application.server): a scheme, path
            // or query written here would not be used, and an https address behind a TLS proxy not reached.
            throw new ConfigException(key + ": '" + text + "': the other instances ask this one over plain http at its"
                    + " host and port (http.port where it names none), so it is http://HOST[:PORT], with no path");
        }
        return text;
    }

    /**
     * Why {@code url} ({@code shown} so) has no host where {@link URI} found none. {@link URI} takes an authority with
     * '_' (a Docker Compose service like vigil_1) as no host at all, and the HttpClient refuses a URI without one.
     */
    static String noHost(final URI url, final String shown, final String example) {
        final String host = hostOf(url.getRawAuthority());
        if (host.contains("_")) {
            return "the host name in " + shown + " has an '_', which host names may not hold (RFC 952,"
                    + " java.net.URI); use '-' instead (a service or network alias): " + host.replace('_', '-');
        }
        return shown + " has no valid host[:port] (host names hold letters, digits, '-' and '.'), e.g. " + example;
    }

    /** The host of an authority {@link URI} could not read: what stands after any user and before any port. */
    private static String hostOf(final String authority) {
        if (authority == null) {
            return "";
        }
        final String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        final int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.startsWith("[") ? hostPort : hostPort.substring(0, colon);
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
        final int n = parse(key, text, Integer::parseInt, "a whole number up to " + Integer.MAX_VALUE);
        if (n <= 0) {
            throw new ConfigException(key + ": " + n + " is not above 0");
        }
        return n;
    }

    /**
     * The token {@code /api/*} and {@code /metrics} require, refused as receivers' secrets are (ReceiverConfig):
     * given empty, or from an empty file or variable, every request would be refused, or none asked for one.
     */
    private static Optional<String> httpToken(final Map<String, String> values, final Map<String, String> env) {
        final String envKey = "http.bearer_token_env";
        final String fileKey = "http.bearer_token_file";
        if (values.containsKey(envKey) && values.containsKey(fileKey)) {
            throw new ConfigException("http: give bearer_token_env or bearer_token_file, not both");
        }
        if (values.containsKey(envKey)) {
            final String variable = nonEmpty(values, envKey);
            final String token = env.get(variable);
            if (token == null || token.isBlank()) {
                throw new ConfigException(envKey + ": the environment variable " + variable + " is not set");
            }
            return Optional.of(secret(token, envKey, "the environment variable " + variable));
        }
        if (values.containsKey(fileKey)) {
            final String file = nonEmpty(values, fileKey);
            final String token;
            try {
                token = Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new ConfigException(fileKey + ": cannot read " + file + ": " + FileErrorReason.of(e));
            }
            if (token.isBlank()) {
                throw new ConfigException(fileKey + ": " + file + " is empty");
            }
            return Optional.of(secret(token, fileKey, file));
        }
        return Optional.empty();
    }

    /** As ReceiverConfig's secrets: without the whitespace around it, one line. The message never holds it. */
    private static String secret(final String raw, final String key, final String from) {
        final String token = raw.strip();
        if (token.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException(key + ": " + from + " holds a control character (a line break?) inside the"
                    + " secret; it must be one line");
        }
        return token;
    }

    /** A value that may not be given empty: empty is never the default, which is had by leaving the key out. */
    private static String nonEmpty(final Map<String, String> values, final String key) {
        final String v = value(values, key);
        if (v.isEmpty()) {
            throw new ConfigException(key + ": empty; leave the key out for "
                    + (defaultOf(key).isEmpty() ? "none" : "its default, " + defaultOf(key)));
        }
        return v;
    }

    private static String value(final Map<String, String> values, final String key) {
        final String v = values.get(key);
        if (v != null) {
            // strip, not trim: trim also drops control characters, and "10s\0" would pass for 10s.
            return v.strip();
        }
        return defaultOf(key);
    }

    private static String defaultOf(final String key) {
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

    private static boolean isKey(final String key) {
        return KEYS.stream().anyMatch(k -> k.name().equals(key));
    }

    /** {@code evaluation} for {@code evaluation.grace}: a mapping of keys. */
    private static boolean isSection(final String key) {
        return KEYS.stream().anyMatch(k -> k.name().startsWith(key + "."));
    }

    /**
     * The receivers of {@code cfg}, their secrets read from {@code env}; an error about one at the file:line:column of
     * its key in {@code file}, as every other key's, every problem of every receiver in one error, in the order they
     * are written. They are checked apart from the rest of the configuration, which {@code replay} loads too without
     * needing the receivers' secrets.
     */
    private static ReceiverConfig.Receivers receivers(final Path file, final List<Object> raw,
                                                      final Map<String, String> env) {
        try {
            return ReceiverConfig.parse(raw, env);
        } catch (ConfigException e) {
            if (env.containsKey(RECEIVERS_VARIABLE)) {
                // Set by the environment, in place of the file's: its keys are not in the file to be placed.
                throw new ConfigException(List.of(e.getMessage().split("\n")).stream()
                        .map(problem -> RECEIVERS_VARIABLE + ": " + problem).toList());
            }
            throw file == null ? e : placedInFile(file, e);
        }
    }

    /** One step of a receiver's key: {@code [1]} or {@code .webhook} ({@code receivers} first, without the dot). */
    private static final Pattern KEY_STEP = Pattern.compile("\\[(\\d+)]|\\.?([^.\\[]+)");

    /**
     * The problems of {@code e}, a line each starting with a key such as {@code receivers[1].webhook.url}, each at the
     * place of that key in {@code file}, or of the deepest part of it there (the receiver, for a key it lacks), sorted
     * by that place; a problem with no place stays last.
     */
    private static ConfigException placedInFile(final Path file, final ConfigException e) {
        final YamlNode root = YamlTreeReader.read(file.toString(), Sources.fileText(file), "the configuration").root()
                .orElse(null);
        /** A problem, and where it is written (null where the file has no part of its key). */
        record Placed(YamlNode.Mark mark, String problem) {
        }
        final List<Placed> placed = new ArrayList<>();
        for (String problem : e.getMessage().split("\n")) {
            final YamlNode.Mark mark = placeOf(root, problem).orElse(null);
            placed.add(new Placed(mark, mark == null ? problem : file + ":" + mark + ": " + problem));
        }
        placed.sort(Comparator.comparing(Placed::mark, Comparator.nullsLast(
                Comparator.comparingInt(YamlNode.Mark::line).thenComparingInt(YamlNode.Mark::column))));
        return new ConfigException(placed.stream().map(Placed::problem).toList());
    }

    /** Where the receivers' key {@code problem} starts with is written in the file, or the deepest part of it there. */
    private static Optional<YamlNode.Mark> placeOf(final YamlNode root, final String problem) {
        final int colon = problem.indexOf(": ");
        if (colon < 0 || !problem.startsWith(RECEIVERS)) {
            return Optional.empty();
        }
        YamlNode node = root;
        YamlNode.Mark place = null;
        final java.util.regex.Matcher step = KEY_STEP.matcher(problem.substring(0, colon));
        while (node != null && step.find()) {
            YamlNode next = null;
            if (step.group(1) != null) {
                final int i = Integer.parseInt(step.group(1));
                if (node instanceof YamlNode.Sequence list && i < list.items().size()) {
                    next = list.items().get(i);
                    place = next.mark();
                }
            } else if (node instanceof YamlNode.Mapping mapping) {
                for (YamlNode.Entry entry : mapping.entries()) {
                    if (entry.key().equals(step.group(2))) {
                        next = entry.value();
                        place = entry.keyMark();
                    }
                }
            }
            node = next;
        }
        return Optional.ofNullable(place);
    }

    private static String suggestion(final String key) {
        final List<String> names = new ArrayList<>(KEYS.stream().map(Key::name).toList());
        names.addAll(List.of(KAFKA, RECEIVERS, "topics", "rules", "evaluation", "ingest", "http", "log"));
        return KeySuggestion.closest(key, names).or(() -> byItsWords(key))
                .map(best -> "; did you mean '" + best + "'?").orElse("");
    }

    /**
     * The one known key a mistyped key most likely meant when it is not a few letters off: the same name in another
     * section ({@code ingest.max_future_skew}: {@code evaluation.max_future_skew}), or a name in the same section
     * holding all its words ({@code evaluation.max_skew}: {@code evaluation.max_future_skew}; {@code http.token_file}:
     * {@code http.bearer_token_file}). None where several would.
     */
    private static Optional<String> byItsWords(final String key) {
        final int dot = key.lastIndexOf('.');
        final String section = dot < 0 ? "" : key.substring(0, dot);
        final String name = key.substring(dot + 1);
        final List<String> words = List.of(name.split("_"));
        final List<String> candidates = KEYS.stream().map(Key::name).filter(known -> {
            final int knownDot = known.lastIndexOf('.');
            final String knownName = known.substring(knownDot + 1);
            final String knownSection = knownDot < 0 ? "" : known.substring(0, knownDot);
            return knownName.equals(name)
                    || knownSection.equals(section) && List.of(knownName.split("_")).containsAll(words);
        }).toList();
        return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
    }

    /** Where a value was set, so that an error about it says so as the user wrote it. */
    private sealed interface Origin permits InFile, ByName {
        /** How an error about {@code key} set here starts, before ": problem". */
        String about(String key);

        /** How an error that names no key, about something set here, starts. */
        String prefix();
    }

    private record InFile(Path file, YamlNode.Mark mark) implements Origin {
        @Override
        public String about(final String key) {
            return prefix() + key;
        }

        @Override
        public String prefix() {
            return file + ":" + mark + ": ";
        }

        ConfigException error(final String key, final String problem) {
            return new ConfigException(about(key) + ": " + problem);
        }
    }

    /**
     * An environment variable or a command-line option, named as the user wrote it.
     *
     * @param order where its problems are listed after the file's: {@link #ENVIRONMENT} for every variable (by name),
     *              then the options, in their order
     */
    private record ByName(String name, int order) implements Origin {
        static final int ENVIRONMENT = 0;

        static ByName variable(final String name) {
            return new ByName(name, ENVIRONMENT);
        }

        static ByName option(final String name, final int index) {
            return new ByName(name, ENVIRONMENT + 1 + index);
        }

        @Override
        public String about(final String key) {
            return name + " (" + key + ")";
        }

        @Override
        public String prefix() {
            return name + ": ";
        }
    }

    /** What the file, the environment and the options set, and where each value was set. */
    private static final class Sources {
        final Map<String, String> values = new TreeMap<>();
        final Map<String, String> kafka = new TreeMap<>();
        final List<Object> receivers = new ArrayList<>();
        /** By key ({@code kafka.} and the setting for Kafka's; {@code topics.metrics[1].format} in a list). */
        final Map<String, Origin> origins = new HashMap<>();
        /** Keys the file set, to refuse a second spelling of one ({@code evaluation.grace} and a nested grace). */
        private final Map<String, InFile> inFile = new HashMap<>();
        /** What is wrong with any of it, each where it was set; see {@link #entry}. */
        final Problems problems = new Problems(origins);

        /**
         * The file's keys; a problem with one is collected and the next is read. A file that cannot be read, is not
         * YAML, or not a mapping of keys, is refused at once: nothing in it can be read.
         */
        void readFile(final Path path) {
            final YamlTreeReader.Document document = YamlTreeReader.read(path.toString(), fileText(path), "the configuration");
            if (document.root().isEmpty() && !document.problems().isEmpty()) {
                // A syntax error: nothing after it can be read.
                throw new ConfigException(document.problems().stream().map(RuleProblem::toString).toList());
            }
            // A duplicate key, a tag, an anchor or an alias leave the rest readable: collected, and the rest read.
            for (RuleProblem p : document.problems()) {
                problems.add(YAML_PROBLEM, new InFile(path, new YamlNode.Mark(p.line(), p.column())), p.toString());
            }
            final YamlNode root = document.root().orElse(null);
            if (root == null || root instanceof YamlNode.Scalar s && s.isNull()) {
                return;
            }
            if (!(root instanceof YamlNode.Mapping mapping)) {
                throw new ConfigException(path + ":" + root.mark() + ": the configuration must be a mapping of keys");
            }
            for (YamlNode.Entry e : mapping.entries()) {
                entry(e.key(), new InFile(path, e.keyMark()), e.value());
            }
        }

        /** The file's text; what keeps it from being read said in a few words, where the file says where. */
        private static String fileText(final Path path) {
            if (Files.exists(path) && !Files.isDirectory(path) && !Files.isRegularFile(path)) {
                // A FIFO or a device: reading it would wait for a writer, or never end.
                throw new ConfigException(path + ": cannot read: not a regular file");
            }
            final byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                throw new ConfigException(path + ": no such file");
            } catch (IOException e) {
                throw new ConfigException(path + ": cannot read: "
                        + (Files.isDirectory(path) ? "it is a directory" : FileErrorReason.of(e)));
            }
            try {
                return Utf8Text.decode(bytes);
            } catch (Utf8Text.NotUtf8Exception e) {
                throw new ConfigException(path + ":" + e.line() + ":" + e.column() + ": the file is not valid UTF-8");
            }
        }

        /**
         * One {@code key: value} of the file; {@code key} is dotted from the top ({@code evaluation.grace}). A problem
         * with it is collected, placed at {@code at}, and its value left unset: the problems of the keys after it, and
         * of the keys a section holds (each one's own entry), are found too.
         */
        private void entry(final String key, final InFile at, final YamlNode value) {
            if (value instanceof YamlNode.Invalid) {
                // An alias, refused where it is written (readFile); a misspelt key beside it is said too, as any other.
                if (!isKnown(key)) {
                    problems.add(key, at, unknownKey(key, at));
                }
                return;
            }
            try {
                read(key, at, value);
            } catch (ConfigException e) {
                problems.add(key, at, e.getMessage());
            }
        }

        private void read(final String key, final InFile at, final YamlNode value) {
            if (key.equals(KAFKA) || key.startsWith(KAFKA_PREFIX)) {
                kafkaEntry(key, at, value);
            } else if (key.equals(RECEIVERS)) {
                receiversEntry(at, value);
            } else if (key.equals(InputTopicsSyntax.KEY) && value instanceof YamlNode.Sequence list) {
                inputTopics(at, list);
            } else if (key.equals(InputTopicsSyntax.KEY) && value instanceof YamlNode.Mapping) {
                throw at.error(key, "must be a topic name or a list of topics");
            } else if (isKey(key)) {
                set(key, at, single(key, at, value, "its default"
                        + (defaultOf(key).isEmpty() ? "" : ", " + defaultOf(key))), values, key);
            } else if (isSection(key)) {
                section(key, at, value, "a mapping of keys such as " + KEYS.stream().map(Key::name)
                        .filter(k -> k.startsWith(key + ".")).findFirst().orElseThrow());
            } else {
                throw new ConfigException(unknownKey(key, at));
            }
        }

        private static boolean isKnown(final String key) {
            return key.equals(KAFKA) || key.startsWith(KAFKA_PREFIX) || key.equals(RECEIVERS)
                    || key.equals(InputTopicsSyntax.KEY) || isKey(key) || isSection(key);
        }

        private static String unknownKey(final String key, final InFile at) {
            return at.prefix() + "unknown configuration key '" + key + "'" + suggestion(key);
        }

        /** A mapping of keys under {@code key}; empty (every key commented out) means their defaults. */
        private void section(final String key, final InFile at, final YamlNode value, final String what) {
            if (value instanceof YamlNode.Mapping m) {
                for (YamlNode.Entry e : m.entries()) {
                    entry(key + "." + e.key(), new InFile(at.file(), e.keyMark()), e.value());
                }
            } else if (!(value instanceof YamlNode.Scalar s && s.isNull())) {
                throw at.error(key, "must be " + what + ", not " + value.describe());
            }
        }

        /** {@code kafka}, a setting under it, or part of a setting's name ({@code bootstrap:} of bootstrap.servers). */
        private void kafkaEntry(final String key, final InFile at, final YamlNode value) {
            final String setting = key.startsWith(KAFKA_PREFIX) ? key.substring(KAFKA_PREFIX.length()) : "";
            if (key.startsWith(KAFKA_PREFIX) && (setting.isBlank() || !setting.strip().equals(setting))) {
                // Passed on as a plug-in's setting, a name no client reads: a typo, said where it is written.
                throw at.error(key, "'" + setting + "' is not a Kafka setting's name (empty, or with spaces around"
                        + " it)");
            }
            // bootstrap: {servers: ...} spells bootstrap.servers; bootstrap.servers: {broker-1: 9092} spells nothing.
            if (key.equals(KAFKA) || value instanceof YamlNode.Mapping && !KafkaSettings.isSetting(setting)) {
                section(key, at, value, "a mapping of Kafka client settings such as bootstrap.servers");
                return;
            }
            if (value instanceof YamlNode.Sequence) {
                throw at.error(key, "must be a single value (a list of " + (setting.equals(BOOTSTRAP_SERVERS)
                        ? "servers" : "values") + " is one comma-separated string)");
            }
            set(key, at, single(key, at, value, "Kafka's default, or write '' for an empty value"), kafka, setting);
        }

        private void receiversEntry(final InFile at, final YamlNode value) {
            if (value instanceof YamlNode.Scalar s && s.isNull()) {
                return;
            }
            if (!(value instanceof YamlNode.Sequence list)) {
                throw at.error(RECEIVERS, "must be a list, not " + value.describe());
            }
            for (int i = 0; i < list.items().size(); i++) {
                final YamlNode item = list.items().get(i);
                if (item instanceof YamlNode.Mapping) {
                    // A tag or an alias within it is refused where it is written (readFile), and the receiver with it:
                    // read on, it was a ClassCastException's message.
                    if (!holdsInvalid(item)) {
                        receivers.add(plain(item));
                    }
                } else {
                    final InFile itemAt = new InFile(at.file(), item.mark());
                    problems.add(RECEIVERS, itemAt, itemAt.about(RECEIVERS + "[" + i + "]")
                            + ": must be a mapping with name and webhook or alertmanager, not " + item.describe());
                }
            }
        }

        /** The list of input topics, each entry checked on its own; set only when every entry is right. */
        private void inputTopics(final InFile at, final YamlNode.Sequence list) {
            final List<String> topics = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                final YamlNode item = list.items().get(i);
                final String where = InputTopicsSyntax.KEY + "[" + i + "]";
                final InFile itemAt = new InFile(at.file(), item.mark());
                origins.put(where, itemAt);
                if (item instanceof YamlNode.Mapping m) {
                    m.entries().forEach(e -> origins.put(where + "." + e.key(), new InFile(at.file(), e.keyMark())));
                }
                try {
                    topics.add(InputTopicsSyntax.entryText(item, i));
                } catch (ConfigException e) {
                    final Origin place = placeOfEntryProblem(where, itemAt, e.getMessage());
                    problems.add(InputTopicsSyntax.KEY, place, place.prefix() + e.getMessage());
                }
            }
            if (topics.size() == list.items().size()) {
                set(InputTopicsSyntax.KEY, at, String.join(",", topics), values, InputTopicsSyntax.KEY);
            }
        }

        /**
         * Where a problem with the entry {@code where} of the input topics is written: at the key its message starts
         * with ({@code topics.metrics[1].format: ...}), at the key it names ("unknown configuration key
         * 'topics.metrics[1].precison'"), or else at the entry.
         */
        private Origin placeOfEntryProblem(final String where, final InFile entry, final String message) {
            final int colon = message.indexOf(": ");
            final Origin ofItsKey = colon < 0 ? null : origins.get(message.substring(0, colon));
            if (ofItsKey != null) {
                return ofItsKey;
            }
            return origins.entrySet().stream()
                    .filter(o -> o.getKey().startsWith(where + ".") && message.contains("'" + o.getKey() + "'"))
                    .map(Map.Entry::getValue).findFirst().orElse(entry);
        }

        /** A scalar's text; {@code otherwise} is what leaving the key out gives, for the error of an empty one. */
        private static String single(final String key, final InFile at, final YamlNode value, final String otherwise) {
            if (!(value instanceof YamlNode.Scalar s)) {
                throw at.error(key, "must be a single value, not " + value.describe());
            }
            if (s.isNull()) {
                throw at.error(key, "no value; leave the key out for " + otherwise);
            }
            return scalarText(s);
        }

        private void set(final String key, final InFile at, final String value, final Map<String, String> into,
                         final String name) {
            final InFile earlier = inFile.putIfAbsent(key, at);
            if (earlier != null) {
                throw at.error(key, "given twice; first at line " + earlier.mark().line());
            }
            into.put(name, value);
            origins.put(key, at);
        }

        void applyEnvironment(final Map<String, String> env) {
            for (Key key : KEYS) {
                final String name = variable(key.name());
                if (env.containsKey(name)) {
                    values.put(key.name(), env.get(name));
                    origins.put(key.name(), ByName.variable(name));
                }
            }
            new TreeMap<>(env).forEach((name, value) -> {
                if (name.startsWith(KAFKA_VARIABLE_PREFIX) && name.length() > KAFKA_VARIABLE_PREFIX.length()) {
                    final String setting = name.substring(KAFKA_VARIABLE_PREFIX.length()).toLowerCase(Locale.ROOT)
                            .replace('_', '.');
                    kafka.put(setting, value);
                    origins.put(KAFKA_PREFIX + setting, ByName.variable(name));
                }
            });
            if (env.containsKey(RECEIVERS_VARIABLE)) {
                receiversFromEnvironment(env.get(RECEIVERS_VARIABLE));
            }
            if (env.containsKey(BOOTSTRAP_VARIABLE)) {
                final String longForm = KAFKA_VARIABLE_PREFIX + "BOOTSTRAP_SERVERS";
                if (env.containsKey(longForm)) {
                    // Two spellings of one key, refused as in the file: which one wins is not for the reader to know.
                    problems.add(KAFKA_PREFIX + BOOTSTRAP_SERVERS, ByName.variable(BOOTSTRAP_VARIABLE), BOOTSTRAP_VARIABLE
                            + " (" + KAFKA_PREFIX + BOOTSTRAP_SERVERS + "): given also as " + longForm + "; set one");
                }
                kafka.put(BOOTSTRAP_SERVERS, env.get(BOOTSTRAP_VARIABLE));
                origins.put(KAFKA_PREFIX + BOOTSTRAP_SERVERS, ByName.variable(BOOTSTRAP_VARIABLE));
            }
        }

        /**
         * {@code VIGIL_RECEIVERS}: the receivers as YAML (or JSON) text, a list as the file's, in place of the file's
         * (the environment wins, as for every key); a problem of its syntax or shape said at its line and column.
         */
        private void receiversFromEnvironment(final String text) {
            receivers.clear();
            final YamlTreeReader.Document document = YamlTreeReader.read(RECEIVERS_VARIABLE, text, "the receivers");
            final ByName origin = ByName.variable(RECEIVERS_VARIABLE);
            if (!document.problems().isEmpty()) {
                document.problems().forEach(p -> problems.add(RECEIVERS, origin, p.toString()));
                return;
            }
            final YamlNode root = document.root().orElse(null);
            if (root != null) {
                try {
                    receiversEntry(new InFile(Path.of(RECEIVERS_VARIABLE), root.mark()), root);
                } catch (ConfigException e) {
                    problems.add(RECEIVERS, origin, e.getMessage());
                }
            }
        }

        /** @param index where the option is among the command's, which orders their problems */
        void applyOption(final Option option, final int index) {
            if (option.key().startsWith(KAFKA_PREFIX)) {
                kafka.put(option.key().substring(KAFKA_PREFIX.length()), option.value());
            } else if (isKey(option.key())) {
                values.put(option.key(), option.value());
            } else {
                throw new IllegalArgumentException("no configuration key " + option.key());
            }
            origins.put(option.key(), ByName.option(option.name(), index));
        }

        /** The variables the configuration names as holding a secret: {@code http.bearer_token_env}, receivers'. */
        Set<String> referencedVariables() {
            final Set<String> names = new HashSet<>();
            Optional.ofNullable(values.get("http.bearer_token_env")).map(String::strip).ifPresent(names::add);
            receivers.forEach(r -> collectVariables(r, names));
            return names;
        }

        private static void collectVariables(final Object value, final Set<String> into) {
            if (value instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (String.valueOf(k).endsWith("_env") && v instanceof String name) {
                        into.add(name.strip());
                    }
                    collectVariables(v, into);
                });
            } else if (value instanceof List<?> l) {
                l.forEach(v -> collectVariables(v, into));
            }
        }
    }

    /**
     * The problems of one configuration, collected so that one error reports them all, a line each, in the order they
     * are written: the file's by line and column, then the environment's by variable name, then the options' in their
     * order, and last any set nowhere (a check of two keys that names neither).
     */
    private static final class Problems {

        private record Problem(Origin origin, String message) {
        }

        private static final Comparator<Problem> WHERE_WRITTEN = Comparator
                .comparingInt((Problem p) -> group(p.origin()))
                .thenComparingInt(p -> p.origin() instanceof InFile f ? f.mark().line() : 0)
                .thenComparingInt(p -> p.origin() instanceof InFile f ? f.mark().column() : 0)
                .thenComparing(p -> p.origin() instanceof ByName n ? n.name() : "");

        /** Where each key was set, shared with {@link Sources}, which fills it. */
        private final Map<String, Origin> origins;
        private final List<Problem> found = new ArrayList<>();
        /** The keys a problem is about: a check relating several keys runs only when none of them has one. */
        private final Set<String> keys = new HashSet<>();

        Problems(final Map<String, Origin> origins) {
            this.origins = origins;
        }

        /** A problem with {@code key}, its {@code message} already starting with where it is, {@code origin}. */
        void add(final String key, final Origin origin, final String message) {
            found.add(new Problem(origin, message));
            keys.add(key);
        }

        /**
         * What {@code check} reads, or null when it fails: then its problem, whose message starts with its key, is
         * collected at the place that key was set.
         */
        <T> T read(final Supplier<T> check) {
            try {
                return check.get();
            } catch (ConfigException e) {
                add(e);
                return null;
            }
        }

        void check(final Runnable check) {
            read(() -> {
                check.run();
                return null;
            });
        }

        /** Whether none of {@code keys} has a problem, for a check that reads them all. */
        boolean noneAbout(final String... keys) {
            return Arrays.stream(keys).noneMatch(this.keys::contains);
        }

        void throwIfAny() {
            if (!found.isEmpty()) {
                final List<Problem> sorted = new ArrayList<>(found);
                sorted.sort(WHERE_WRITTEN);
                throw new ConfigException(sorted.stream().map(Problem::message).toList());
            }
        }

        private void add(final ConfigException e) {
            final String message = e.getMessage();
            final int colon = message.indexOf(": ");
            final String key = colon < 0 ? message : message.substring(0, colon);
            final Origin origin = colon < 0 ? null : origins.get(key);
            add(key, origin, origin == null ? message : origin.about(key) + message.substring(colon));
        }

        /** The file first, then the environment and the options ({@link ByName#order()}), then what was set nowhere. */
        private static int group(final Origin origin) {
            if (origin instanceof InFile) {
                return 0;
            }
            return origin instanceof ByName n ? 1 + n.order() : Integer.MAX_VALUE;
        }
    }

    /**
     * A scalar as the configuration reads it: as written, but as YAML 1.1 (and so Jackson's tree, which read
     * vigil.yaml until 2026-12-06) resolves booleans ({@code yes} is true) and integers ({@code 1_000} is 1000,
     * {@code 0x10} is 16). Quoted, a scalar is always its text.
     */
    private static String scalarText(final YamlNode.Scalar s) {
        if (s.type() == YamlNode.Scalar.Type.BOOLEAN) {
            return Boolean.toString(YAML_TRUE.contains(s.text().toLowerCase(Locale.ROOT)));
        }
        if (s.type() == YamlNode.Scalar.Type.INTEGER && Math.abs(s.number()) < EXACT_INTEGERS) {
            return Long.toString((long) s.number());
        }
        return s.text();
    }

    /** Whether {@code node} is, or holds at any depth, a value already refused ({@link YamlNode.Invalid}). */
    private static boolean holdsInvalid(final YamlNode node) {
        if (node instanceof YamlNode.Mapping m) {
            return m.entries().stream().anyMatch(e -> holdsInvalid(e.value()));
        }
        if (node instanceof YamlNode.Sequence l) {
            return l.items().stream().anyMatch(ConfigLoader::holdsInvalid);
        }
        return node instanceof YamlNode.Invalid;
    }

    /** Receivers as ReceiverConfig reads them: maps, lists, text and null. */
    private static Object plain(final YamlNode node) {
        if (node instanceof YamlNode.Mapping m) {
            final Map<String, Object> map = new LinkedHashMap<>();
            m.entries().forEach(e -> map.put(e.key(), plain(e.value())));
            return map;
        }
        if (node instanceof YamlNode.Sequence l) {
            final List<Object> list = new ArrayList<>();
            l.items().forEach(item -> list.add(plain(item)));
            return list;
        }
        final YamlNode.Scalar s = (YamlNode.Scalar) node;
        return s.isNull() ? null : scalarText(s);
    }

    /**
     * The keys of the configuration file with their defaults and descriptions, as {@code run --help} lists them after
     * its options: what a file may say, where no README is at hand.
     */
    static List<String> keysHelp() {
        final List<String> lines = new ArrayList<>();
        lines.add("The keys of the --config file (YAML), with their defaults. Each can also be");
        lines.add("set in the environment: evaluation.grace as VIGIL_EVALUATION_GRACE. kafka.*");
        lines.add("keys pass to the Kafka clients (VIGIL_KAFKA_*); receivers: is a list (README,");
        lines.add("Delivery).");
        for (Key k : KEYS) {
            lines.add("  " + k.name() + (k.defaultValue().isEmpty() ? "" : " (default " + k.defaultValue() + ")"));
            lines.addAll(wrapped(k.doc(), "      ", 78));
        }
        return lines;
    }

    private static List<String> wrapped(final String text, final String indent, final int width) {
        final List<String> lines = new ArrayList<>();
        final StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
                line.append(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
