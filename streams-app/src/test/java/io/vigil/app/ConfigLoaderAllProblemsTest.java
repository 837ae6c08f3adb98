package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration with several problems reports them all in one error, a line each, as `rules validate` reports a
 * rule file's: fixing one and running again to meet the next, once per problem, is what this spares.
 */
class ConfigLoaderAllProblemsTest {

    /** The repository root: the tests run in streams-app/. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path file(final String yaml) throws Exception {
        return Files.writeString(dir.resolve("vigil.yaml"), yaml);
    }

    private static String lines(final String... lines) {
        return String.join("\n", lines);
    }

    private Path fourProblems() throws Exception {
        return file("""
                evaluation:
                  grce: 10s
                  forget: banana
                http:
                  prot: 80
                topics:
                  alerts: ""
                """);
    }

    private static List<String> theFourProblems(final Path f) {
        return List.of(
                f + ":2:3: unknown configuration key 'evaluation.grce'; did you mean 'evaluation.grace'?",
                f + ":3:3: evaluation.forget: 'banana' is not a duration (e.g. 15s, 1m30s, 2h)",
                f + ":5:3: unknown configuration key 'http.prot'; did you mean 'http.port'?",
                f + ":7:3: topics.alerts: '' is not a Kafka topic name (1 to 249 of letters, digits, '.', '_', '-')");
    }

    /**
     * A duplicate key, a tag or an alias leave the rest of the file readable: reported in their places among the
     * others, where the first of them stopped the reading and hid the rest.
     */
    @Test
    void problemsOfTheYamlItselfAreReportedAmongTheOthers() throws Exception {
        final Path f = file("""
                evaluation:
                  forget: xx
                http: {port: 99999}
                evaluation:
                  grace: 1s
                log: {format: !!str xml}
                topics: {alerts: &a alerts, dlq: *a}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .message().satisfies(m -> assertThat(m.lines()).satisfiesExactly(
                        l -> assertThat(l).startsWith(f + ":2:3: evaluation.forget: 'xx' is not a duration"),
                        l -> assertThat(l).startsWith(f + ":3:8: http.port: 99999 is not a port number"),
                        l -> assertThat(l).startsWith(f + ":4:1: duplicate key 'evaluation'"),
                        // The tagged value is not read: its problem is the tag, not what it would have been.
                        l -> assertThat(l).startsWith(f + ":6:15: YAML tags are not allowed"),
                        l -> assertThat(l).startsWith(f + ":7:18: YAML anchors are not allowed"),
                        l -> assertThat(l).startsWith(f + ":7:34: YAML aliases are not allowed")));
    }

    /** Two spellings of one key in the environment are refused, as two in the file are. */
    @Test
    void bothSpellingsOfTheBootstrapServersVariableAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_BOOTSTRAP_SERVERS", "a:1",
                "VIGIL_KAFKA_BOOTSTRAP_SERVERS", "b:2"))).isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_BOOTSTRAP_SERVERS (kafka.bootstrap.servers): given also as"
                        + " VIGIL_KAFKA_BOOTSTRAP_SERVERS; set one");
    }

    /**
     * A bind address that is no address nor name at all was refused by `run` alone, where it was looked up: `replay`
     * and `rules validate` took it. Its form is now checked with the rest, by every command, with `run`'s message.
     */
    @Test
    void aBindAddressOfNoFormIsReportedAmongTheOthersByEveryCommand() throws Exception {
        final Path f = file("""
                http:
                  bind: "not an ip!"
                  port: 99999
                """);
        final List<String> problems = List.of(
                f + ":2:3: http.bind: 'not an ip!' is neither an IP address nor a host name this machine resolves"
                        + " (127.0.0.1 for this machine only, 0.0.0.0 for every interface)",
                f + ":3:3: http.port: 99999 is not a port number (0-65535)");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(String.join("\n", problems));
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(f, Map.of(), List.of(), true))
                .isInstanceOf(ConfigException.class)
                .hasMessage(String.join("\n", problems));

        final String expectedErr = problems.stream().map(problem -> "vigil: " + problem + System.lineSeparator())
                .reduce("", String::concat);
        final Path input = Files.writeString(dir.resolve("in.jsonl"), "");
        for (CommandRun run : List.of(
                CommandRun.vigil("rules", "validate", "--config", f.toString(), ROOT.resolve("rules").toString()),
                CommandRun.vigil("replay", "--config", f.toString(), "--rules", ROOT.resolve("rules").toString(),
                        "--input", input.toString()))) {
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).isEqualTo(expectedErr);
            assertThat(run.out()).isEmpty();
        }
    }

    /** Every conflict of the topics' roles, not the first: each named where its key is set. */
    @Test
    void everyTopicWithTwoRolesIsReported() throws Exception {
        final Path f = file("""
                topics:
                  metrics: [m1, alerts, alerts.dlq]
                  alerts: alerts
                  dlq: alerts
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .message().satisfies(m -> assertThat(m.lines()).satisfiesExactlyInAnyOrder(
                        l -> assertThat(l).startsWith(f + ":3:3: topics.alerts: 'alerts' is also an input topic"),
                        l -> assertThat(l).startsWith(f + ":3:3: topics.alerts: 'alerts' makes alert delivery's"),
                        l -> assertThat(l).startsWith(f + ":4:3: topics.dlq: 'alerts' is also an input topic"),
                        l -> assertThat(l).startsWith(f + ":4:3: topics.dlq: 'alerts' is also the alerts topic")));
    }

    @Test
    void everyProblemOfTheFileIsReportedAtOnceInTheOrderTheyAreWritten() throws Exception {
        final Path f = fourProblems();
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(String.join("\n", theFourProblems(f)));
    }

    @Test
    void theCommandLinePrintsEachProblemOnItsOwnLineAndExitsTwo() throws Exception {
        final Path f = fourProblems();

        final CommandRun run = CommandRun.vigil("rules", "validate", "--config", f.toString(),
                ROOT.resolve("rules").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(theFourProblems(f).stream()
                .map(problem -> "vigil: " + problem + System.lineSeparator()).reduce("", String::concat));
        assertThat(run.out()).isEmpty();
    }

    /** The file's by line and column, then the environment's by variable name, then the options' in their order. */
    @Test
    void problemsInTheFileTheEnvironmentAndTheOptionsAreAllReported() throws Exception {
        final Path f = file("""
                http:
                  port: 99999
                evaluation: {grace: soon}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f,
                Map.of("VIGIL_LOG_FORMAT", "xml", "VIGIL_EVALUATION_FORGET", "0s"),
                List.of(new ConfigLoader.Option("--bootstrap-servers", "kafka.bootstrap.servers", "nocolon"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage(lines(
                        f + ":2:3: http.port: 99999 is not a port number (0-65535)",
                        f + ":3:14: evaluation.grace: 'soon' is not a duration (e.g. 15s, 1m30s, 2h)",
                        "VIGIL_EVALUATION_FORGET (evaluation.forget): must be longer than 0s (at 0s every series is"
                                + " forgotten at each instant it has no point, its alerts pending again and again,"
                                + " never firing)",
                        "VIGIL_LOG_FORMAT (log.format): 'xml' is not a log format (text or json)",
                        "--bootstrap-servers (kafka.bootstrap.servers): 'nocolon' is not HOST:PORT"));
    }

    /**
     * Unknown keys, keys given twice, values of the wrong shape, that do not parse or are out of range, Kafka's
     * settings and each input topic entry: one problem each. A Kafka setting Vigil refuses itself is not refused again
     * as Kafka's clients would.
     */
    @Test
    void everyKeysOwnProblemIsCollected() throws Exception {
        final Path f = file("""
                evaluation:
                  grace: 10s
                  forget: 0s
                evaluation.grace: 5s
                http: {port: [80]}
                kafka:
                  linger.ms: soon
                  num.stream.threads: two
                topics:
                  metrics: [{name: a, format: csv}, {name: b, precison: s}]
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(lines(
                        f + ":3:3: evaluation.forget: must be longer than 0s (at 0s every series is forgotten at each"
                                + " instant it has no point, its alerts pending again and again, never firing)",
                        f + ":4:1: evaluation.grace: given twice; first at line 2",
                        f + ":5:8: http.port: must be a single value, not a list",
                        f + ":7:3: kafka.linger.ms: 'soon' is not valid for Kafka: Not a number of type LONG",
                        f + ":8:3: kafka.num.stream.threads: 'two' is not a whole number up to 2147483647",
                        f + ":10:23: topics.metrics[0].format: 'csv' is not a format (auto, json, telegraf_json,"
                                + " influx)",
                        f + ":10:47: unknown configuration key 'topics.metrics[1].precison'; did you mean"
                                + " 'topics.metrics[1].precision'?"));
    }

    /**
     * No topic has two roles, a check of three keys: with one of them already refused (the input topics, whose default
     * stands in), saying that the dead-letter topic is also an input topic would be about a value the user did not
     * write. Once the key is right, the check runs.
     */
    @Test
    void aCheckOfSeveralKeysIsLeftOutWhileOneOfThemIsBad() throws Exception {
        final Path f = file("""
                topics:
                  metrics: [metrics, {name: telegraf, format: nope}]
                  dlq: metrics
                evaluation: {grace: soon}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(lines(
                        f + ":2:39: topics.metrics[1].format: 'nope' is not a format (auto, json, telegraf_json,"
                                + " influx)",
                        f + ":4:14: evaluation.grace: 'soon' is not a duration (e.g. 15s, 1m30s, 2h)"));

        final Path fixed = file(Files.readString(f).replace("nope", "influx"));
        assertThatThrownBy(() -> ConfigLoader.load(fixed, Map.of()))
                .hasMessage(lines(
                        fixed + ":3:3: topics.dlq: 'metrics' is also an input topic (topics.metrics); a rejected record"
                                + " would be read again, and rejected again, for ever",
                        fixed + ":4:14: evaluation.grace: 'soon' is not a duration (e.g. 15s, 1m30s, 2h)"));
    }

    /**
     * Every field of every receiver, placed in the file and in its order; a receiver whose kind or name is mistyped is
     * not also told it lacks one.
     */
    @Test
    void everyProblemOfEveryReceiverIsReportedWhereItIsWritten() throws Exception {
        final Path f = file("""
                receivers:
                  - name: pager
                    webhook:
                      timeout: soon
                      url: "http://pager:99999/hook"
                      retries: 3
                      max_backoff: 100ms
                  - webhok: {url: "http://b:9000"}
                  - nme: c
                    webhook: {url: "http://c:9000"}
                """);
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(f, Map.of(), List.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage(lines(
                        f + ":4:7: receivers[0].webhook.timeout: 'soon' is not a duration like 5s or 2m",
                        f + ":5:7: receivers[0].webhook.url: port 99999 is not a port from 1 to 65535",
                        f + ":6:7: receivers[0].webhook.retries: unknown key",
                        f + ":7:7: receivers[0].webhook.max_backoff: '100ms' is shorter than min_backoff (the default"
                                + " 500ms); max_backoff bounds every wait",
                        f + ":8:5: receivers[1].webhok: unknown key; did you mean 'webhook'?",
                        f + ":8:5: receivers[1].name: every receiver needs a name",
                        // A mistyped name is not also a missing one.
                        f + ":9:5: receivers[2].nme: unknown key; did you mean 'name'?"));
    }

    /**
     * The receivers' problems come with the rest's, after them: apart, a receiver's problem showed only once the rest
     * was fixed. {@code rules validate --config} reports them the same way, and {@code replay}, which delivers
     * nothing, is not told of them.
     */
    @Test
    void theReceiversProblemsAreReportedWithTheRestsAfterThem() throws Exception {
        final Path f = file("""
                receivers:
                  - name: pager
                    webhook: {url: "ftp://pager/hook"}
                evaluation:
                  grace: soon
                """);
        final String expected = lines(
                f + ":5:3: evaluation.grace: 'soon' is not a duration (e.g. 15s, 1m30s, 2h)",
                f + ":3:15: receivers[0].webhook.url: 'ftp://pager/...' is not an http(s) URL: scheme 'ftp' is not"
                        + " http or https");
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(f, Map.of(), List.of(), false))
                .isInstanceOf(ConfigException.class).hasMessage(expected);
        final CommandRun validate = CommandRun.vigil("rules", "validate", "--config", f.toString(),
                ROOT.resolve("rules").toString());
        assertThat(validate.exit()).isEqualTo(2);
        assertThat(validate.err()).isEqualTo(expected.lines().map(problem -> "vigil: " + problem
                + System.lineSeparator()).reduce("", String::concat));
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).hasMessage(lines(
                f + ":5:3: evaluation.grace: 'soon' is not a duration (e.g. 15s, 1m30s, 2h)"));
    }
}
