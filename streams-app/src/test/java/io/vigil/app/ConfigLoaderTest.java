package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputFormat;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.TimestampPrecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(final String yaml) throws Exception {
        final Path f = dir.resolve("vigil.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void defaultsWithoutFileOrEnvironment() {
        final VigilConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.metricsTopics()).containsExactly("metrics");
        assertThat(c.alertsTopic()).isEqualTo("alerts");
        assertThat(c.dlqTopic()).isEqualTo("metrics.dlq");
        assertThat(c.grace()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.forget()).isEqualTo(Duration.ofHours(24));
        assertThat(c.limits()).isEqualTo(IngestLimits.defaults());
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.httpBind()).isEqualTo("127.0.0.1");
        assertThat(c.externalUrl()).isEqualTo("http://localhost:8080");
        assertThat(c.bootstrapServers()).isEmpty();
        assertThat(c.readyzMaxRebalance()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.logFormat()).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void logFormatAndReadinessLimitComeFromTheFileOrTheEnvironment() throws Exception {
        final VigilConfig fromFile = ConfigLoader.load(file("log: {format: json}\nhttp: {readyz_max_rebalance: 5m}\n"),
                Map.of());
        assertThat(fromFile.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(fromFile.readyzMaxRebalance()).isEqualTo(Duration.ofMinutes(5));
        final VigilConfig fromEnv = ConfigLoader.load(null, Map.of("VIGIL_LOG_FORMAT", "JSON",
                "VIGIL_HTTP_READYZ_MAX_REBALANCE", "30s"));
        assertThat(fromEnv.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(fromEnv.readyzMaxRebalance()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aBadLogFormatOrReadinessLimitNamesItsKey() throws Exception {
        final Path xml = file("log: {format: xml}\n");
        assertThatThrownBy(() -> ConfigLoader.load(xml, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(xml + ":1:7: log.format: 'xml' is not a log format (text or json)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_READYZ_MAX_REBALANCE", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("VIGIL_HTTP_READYZ_MAX_REBALANCE (http.readyz_max_rebalance): 'soon' is not a"
                        + " duration");
        final Path typo = file("log: {formt: json}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(typo + ":1:7: unknown configuration key 'log.formt'; did you mean 'log.format'?");
    }

    @Test
    void theDockerComposeConfigurationLoads() {
        final VigilConfig c = ConfigLoader.load(Path.of("..", "deploy", "vigil.yaml"), Map.of());
        assertThat(c.metricsTopics()).containsExactly("metrics", "telegraf");
        assertThat(c.partitionedBySeries()).as("Telegraf writes without keys there").isFalse();
        assertThat(c.kafka()).as("two instances on three brokers").containsEntry("replication.factor", "3")
                .containsEntry("num.standby.replicas", "1").containsEntry("session.timeout.ms", "10000");
    }

    @Test
    void partitionedBySeriesIsOffUnlessTheFileOrTheEnvironmentSaysTrue() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).partitionedBySeries()).isFalse();
        assertThat(ConfigLoader.load(file("topics: {metrics: [metrics], partitioned_by_series: true}\n"), Map.of())
                .partitionedBySeries()).isTrue();
        assertThat(ConfigLoader.load(file("topics: {partitioned_by_series: true}\n"),
                Map.of("VIGIL_TOPICS_PARTITIONED_BY_SERIES", "false")).partitionedBySeries()).isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_PARTITIONED_BY_SERIES", "yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_TOPICS_PARTITIONED_BY_SERIES (topics.partitioned_by_series): 'yes' is not true or"
                        + " false");
    }

    @Test
    void theFileSetsValuesAndKafkaSettingsPassThrough() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("""
                kafka:
                  bootstrap.servers: broker-1:9092,broker-2:9092
                  security.protocol: SASL_SSL
                topics: {metrics: [metrics, telegraf], alerts: alerts, dlq: metrics.dlq}
                rules: {path: /etc/vigil/rules}
                evaluation: {grace: 30s}
                http: {port: 9000}
                receivers:
                  - name: pager
                    webhook: {url: "http://pager:9000/hook"}
                """), Map.of());
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "broker-1:9092,broker-2:9092")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.metricsTopics()).containsExactly("metrics", "telegraf");
        assertThat(c.rulesPath()).isEqualTo(Path.of("/etc/vigil/rules"));
        assertThat(c.grace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.httpPort()).isEqualTo(9000);
        assertThat(c.externalUrl()).isEqualTo("http://localhost:9000");
        assertThat(c.receivers()).hasSize(1);
    }

    @Test
    void theEnvironmentWinsOverTheFile() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("evaluation: {grace: 30s}\n"), Map.of(
                "VIGIL_EVALUATION_GRACE", "5s",
                "VIGIL_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "VIGIL_TOPICS_METRICS", "a, b"));
        assertThat(c.grace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.bootstrapServers()).contains("k:9092");
        assertThat(c.kafka()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.metricsTopics()).isEqualTo(List.of("a", "b"));
    }

    @Test
    void anUnknownKeyIsNamedWithTheClosestKnownOne() throws Exception {
        final Path f = file("evaluation: {grase: 30s}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + ":1:14: unknown configuration key 'evaluation.grase'; did you mean 'evaluation.grace'?");
        // More than a few letters off: the same name in another section, or a name in the section with all its words.
        for (String[] typo : new String[][] {{"ingest.max_future_skew", "evaluation.max_future_skew"},
                {"evaluation.max_skew", "evaluation.max_future_skew"}, {"http.token_file", "http.bearer_token_file"}}) {
            assertThatThrownBy(() -> ConfigLoader.load(file(typo[0] + ": 1m\n"), Map.of()))
                    .as(typo[0]).hasMessageEndingWith("unknown configuration key '" + typo[0] + "'; did you mean '"
                            + typo[1] + "'?");
        }
        // Nothing likely: no guess.
        assertThatThrownBy(() -> ConfigLoader.load(file("http.colour: blue\n"), Map.of()))
                .hasMessageEndingWith("unknown configuration key 'http.colour'");
    }

    @Test
    void aFileThatIsNotYamlIsRefusedAtItsLineAndColumn() throws Exception {
        final Path f = file("kafka:\n  bootstrap.servers: [a, b\nhttp:\n  port: 8080\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + ":3:5: YAML syntax error: expected ',' or ']', but got :"
                        + " (while parsing a flow sequence at line 2, column 22)");
    }

    @Test
    void aMissingFileIsNamed() {
        final Path f = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(f + ": no such file");
    }

    @Test
    void aQuotedValueKeepsTheErrorOnOneLineAndTheTerminalAsItWas() throws Exception {
        // YAML refuses the control character itself, but not its escape in double quotes.
        final Path f = file("evaluation:\n  grace: \"15s\\n\\e[2Jx\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2:3: evaluation.grace: '15s\\n\\u001B[2Jx' is not a duration (e.g. 15s, 1m30s, 2h)");
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_GRACE", "fifteen")))
                .hasMessage("VIGIL_EVALUATION_GRACE (evaluation.grace): 'fifteen' is not a duration (e.g. 15s, 1m30s,"
                        + " 2h)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_FORGET", "0s")))
                .hasMessageStartingWith("VIGIL_EVALUATION_FORGET (evaluation.forget): must be longer than 0s");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_IDLE_TIMEOUT", "0s")))
                .hasMessageStartingWith("VIGIL_EVALUATION_IDLE_TIMEOUT (evaluation.idle_timeout): must be longer than 0s");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "99999")))
                .hasMessage("VIGIL_HTTP_PORT (http.port): 99999 is not a port number (0-65535)");
    }

    @Test
    void theHttpTokenComesFromTheEnvironmentAndNeverPrints() {
        final VigilConfig c = ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_ENV", "API_TOKEN",
                "API_TOKEN", "tok-123", "VIGIL_KAFKA_SASL_JAAS_CONFIG", "password=\"hunter2\""));
        assertThat(c.httpToken()).contains("tok-123");
        assertThat(c.toString()).doesNotContain("tok-123").doesNotContain("hunter2");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_ENV", "MISSING")))
                .hasMessage("VIGIL_HTTP_BEARER_TOKEN_ENV (http.bearer_token_env): the environment variable MISSING is"
                        + " not set");
    }

    @Test
    void aSecretGivenInTheEnvironmentIsNotInAnyErrorMessage() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
                "VIGIL_KAFKA_SASL_JAAS_CONFIG", "password=\"hunter2\"", "VIGIL_HTTP_PORT", "x")))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void eachInputTopicMayHaveItsFormatAndPrecisionInTheFileOrTheEnvironment() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("""
                topics:
                  metrics:
                    - metrics
                    - {name: telegraf, format: influx, precision: s}
                    - name: telegraf-json
                      format: telegraf_json
                    - prom:json
                """), Map.of());
        assertThat(c.inputTopics()).containsExactly(
                InputTopic.auto("metrics"),
                new InputTopic("telegraf", InputFormat.INFLUX, TimestampPrecision.SECONDS),
                new InputTopic("telegraf-json", InputFormat.TELEGRAF_JSON, TimestampPrecision.NANOSECONDS),
                new InputTopic("prom", InputFormat.JSON, TimestampPrecision.NANOSECONDS));
        assertThat(c.metricsTopics()).containsExactly("metrics", "telegraf", "telegraf-json", "prom");

        final VigilConfig fromEnv = ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "metrics, lp:influx:us, a::ms"));
        assertThat(fromEnv.inputTopics()).containsExactly(InputTopic.auto("metrics"),
                new InputTopic("lp", InputFormat.INFLUX, TimestampPrecision.MICROSECONDS),
                new InputTopic("a", InputFormat.AUTO, TimestampPrecision.MILLISECONDS));
    }

    @Test
    void aBadInputTopicEntryIsNamedWhereItIsWritten() throws Exception {
        final Path typo = file("topics: {metrics: [metrics, {name: telegraf, format: influx, precison: s}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(typo + ":1:62: unknown configuration key 'topics.metrics[1].precison'; "
                        + "did you mean 'topics.metrics[1].precision'?");
        final Path format = file("topics: {metrics: [{name: telegraf, format: influxdb}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(format, Map.of()))
                .hasMessage(format + ":1:37: topics.metrics[0].format: 'influxdb' is not a format (auto, json, telegraf_json, influx); "
                        + "did you mean 'influx'?");
        final Path precision = file("topics: {metrics: [{name: telegraf, format: influx, precision: msec}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(precision, Map.of()))
                .hasMessage(precision + ":1:53: topics.metrics[0].precision: 'msec' is not a precision (ns, us, ms, s);"
                        + " did you mean 'ms'?");
        final Path jsonPrecision = file("topics: {metrics: [{name: t, format: telegraf_json, precision: ms}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(jsonPrecision, Map.of()))
                .hasMessageStartingWith(jsonPrecision + ":1:53: topics.metrics[0].precision: the precision is that of"
                        + " line protocol timestamps");
        final Path noName = file("topics: {metrics: [{format: influx}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(noName, Map.of()))
                .hasMessage(noName + ":1:20: topics.metrics[0].name: missing; every input topic needs a name");

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "metrics,telegraf:line")))
                .hasMessage("VIGIL_TOPICS_METRICS (topics.metrics): 'telegraf:line': 'line' is not a format "
                        + "(auto, json, telegraf_json, influx)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "a,b,a")))
                .hasMessage("VIGIL_TOPICS_METRICS (topics.metrics): topic 'a' is listed twice");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "my topic")))
                .hasMessageStartingWith("VIGIL_TOPICS_METRICS (topics.metrics): 'my topic': 'my topic' is not a Kafka"
                        + " topic name");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "a:influx:s:x")))
                .hasMessage("VIGIL_TOPICS_METRICS (topics.metrics): 'a:influx:s:x' is not TOPIC[:FORMAT[:PRECISION]]");
        final Path none = file("topics: {metrics: []}\n");
        assertThatThrownBy(() -> ConfigLoader.load(none, Map.of()))
                .hasMessage(none + ":1:10: topics.metrics: no topic given; Vigil needs at least one topic to read"
                        + " datapoints from");
    }

    @Test
    void theSeriesRepartitionsSettingsAreKafkaSettingsCheckedAtStart() {
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS", "0")).kafka())
                .containsEntry("vigil.series.bundle.max.points", "0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS (kafka.vigil.series.bundle.max.points): "
                        + "expected a number of points (0 for no bundles), not \"many\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS (kafka.vigil.series.bundle.max.points): "
                        + "must be at least 0 (no bundles), not -1");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_OWN_IN_TASK", "false")).kafka())
                .containsEntry("vigil.series.own.in.task", "false");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_OWN_IN_TASK", "no")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_KAFKA_VIGIL_SERIES_OWN_IN_TASK (kafka.vigil.series.own.in.task): expected true or"
                        + " false, not \"no\"");
    }

    @Test
    void ingestLimitsAreConfigurableAndCheckedAtStart() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("""
                evaluation: {max_future_skew: 1m}
                ingest: {max_age: 2d, max_record_bytes: 65536, max_labels: 16, max_label_name_length: 64,
                         max_label_value_length: 256}
                """), Map.of());
        assertThat(c.limits()).isEqualTo(new IngestLimits(65_536, 16, 64, 256, Duration.ofMinutes(1), Duration.ofDays(2)));
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_AGE", "1h")).limits().maxAge())
                .isEqualTo(Duration.ofHours(1));

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_LABELS", "0")))
                .hasMessage("VIGIL_INGEST_MAX_LABELS (ingest.max_labels): 0 is not above 0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_RECORD_BYTES", "1MiB")))
                .hasMessage("VIGIL_INGEST_MAX_RECORD_BYTES (ingest.max_record_bytes): '1MiB' is not a whole number"
                        + " up to 2147483647");
        // A whole number, too large: said so, not that it is none.
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_RECORD_BYTES", "99999999999999")))
                .hasMessage("VIGIL_INGEST_MAX_RECORD_BYTES (ingest.max_record_bytes): '99999999999999' is not a whole"
                        + " number up to 2147483647");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_AGE", "0s")))
                .hasMessage("VIGIL_INGEST_MAX_AGE (ingest.max_age): must be longer than 0s (at 0s every datapoint behind"
                        + " its partition's"
                        + " newest would be dead-lettered as old)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_FUTURE_SKEW", "99999999999999d")))
                .hasMessage("VIGIL_EVALUATION_MAX_FUTURE_SKEW (evaluation.max_future_skew): '99999999999999d' is too"
                        + " long, at most 3650d");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_FORGET", "100000000000d")))
                .hasMessage("VIGIL_EVALUATION_FORGET (evaluation.forget): '100000000000d' is too long, at most 3650d");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_FORGET", "3650d")).forget())
                .isEqualTo(java.time.Duration.ofDays(3650));
        final Path typo = file("ingest: {max_lables: 10}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of()))
                .hasMessage(typo + ":1:10: unknown configuration key 'ingest.max_lables'; did you mean"
                        + " 'ingest.max_labels'?");
    }

    @Test
    void theSeriesLimitPerRuleIsConfigurableAndCheckedAtStart() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).maxSeriesPerRule()).isEqualTo(100_000);
        assertThat(ConfigLoader.load(file("evaluation: {max_series_per_rule: 5000}\n"), Map.of()).maxSeriesPerRule())
                .isEqualTo(5000);
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_SERIES_PER_RULE", "250")).maxSeriesPerRule())
                .isEqualTo(250);
        assertThat(TopologySettings.of(ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_SERIES_PER_RULE", "250")),
                Map.of("metrics", 4), Optional.empty()).maxSeriesPerRule()).isEqualTo(250);

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_SERIES_PER_RULE", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_EVALUATION_MAX_SERIES_PER_RULE (evaluation.max_series_per_rule): 0 is not above 0");
        final Path notANumber = file("evaluation: {max_series_per_rule: 100k}\n");
        assertThatThrownBy(() -> ConfigLoader.load(notANumber, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(notANumber + ":1:14: evaluation.max_series_per_rule: '100k' is not a whole number up to"
                        + " 2147483647");
        final Path typo = file("evaluation: {max_series_per_rules: 10}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of())).hasMessage(typo + ":1:14: unknown configuration"
                + " key 'evaluation.max_series_per_rules'; did you mean 'evaluation.max_series_per_rule'?");
    }

    @Test
    void noTopicHasTwoRoles() throws Exception {
        final Path dlqIsInput = file("topics:\n  dlq: metrics\n");
        assertThatThrownBy(() -> ConfigLoader.load(dlqIsInput, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(dlqIsInput + ":2:3: topics.dlq: 'metrics' is also an input topic (topics.metrics); a rejected"
                        + " record would be read again, and rejected again, for ever");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_ALERTS", "metrics")))
                .hasMessage("VIGIL_TOPICS_ALERTS (topics.alerts): 'metrics' is also an input topic (topics.metrics);"
                        + " Vigil would read its own alert events as datapoints");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "metrics,alerts.dlq")))
                .hasMessage("VIGIL_TOPICS_METRICS (topics.metrics): 'alerts.dlq' is also alert delivery's dead-letter"
                        + " topic (topics.alerts and '.dlq'); Vigil would read its own alert events as datapoints");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "metrics,alerts.dlq",
                "VIGIL_TOPICS_ALERTS", "alerts")))
                .hasMessage("VIGIL_TOPICS_ALERTS (topics.alerts): 'alerts' makes alert delivery's dead-letter topic"
                        + " 'alerts.dlq', which is also an input topic (topics.metrics)");
        // Where only the input topics were set, the error is placed there.
        final Path inputIsDlq = file("topics:\n  metrics: [metrics, metrics.dlq]\n");
        assertThatThrownBy(() -> ConfigLoader.load(inputIsDlq, Map.of()))
                .hasMessage(inputIsDlq + ":2:3: topics.metrics: 'metrics.dlq' is also the dead-letter topic"
                        + " (topics.dlq); a rejected record would be read again, and rejected again, for ever");
        final Path inputIsAlerts = file("topics: {metrics: alerts}\n");
        assertThatThrownBy(() -> ConfigLoader.load(inputIsAlerts, Map.of()))
                .hasMessage(inputIsAlerts + ":1:10: topics.metrics: 'alerts' is also the alerts topic (topics.alerts);"
                        + " Vigil would read its own alert events as datapoints");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_GRACE", "10s\u0000")))
                .hasMessageStartingWith("VIGIL_EVALUATION_GRACE (evaluation.grace): '10s\\u0000' is not a duration");
        final Path dlqIsAlerts = file("topics: {alerts: out, dlq: out}\n");
        assertThatThrownBy(() -> ConfigLoader.load(dlqIsAlerts, Map.of()))
                .hasMessage(dlqIsAlerts + ":1:23: topics.dlq: 'out' is also the alerts topic (topics.alerts); the"
                        + " receivers would be sent the rejected records");
        // Both dead-letter topics in one is a choice, not a loop.
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_TOPICS_DLQ", "alerts.dlq")).dlqTopic()).isEqualTo("alerts.dlq");
    }

    @Test
    void everyTopicNameIsOneKafkaTakes() throws Exception {
        final Path empty = file("topics:\n  alerts: \"\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(empty, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(empty + ":2:3: topics.alerts: '' is not a Kafka topic name (1 to 249 of letters, digits,"
                        + " '.', '_', '-')");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_DLQ", "bad/topic")))
                .hasMessage("VIGIL_TOPICS_DLQ (topics.dlq): 'bad/topic' is not a Kafka topic name (1 to 249 of letters,"
                        + " digits, '.', '_', '-')");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_DLQ", "..")))
                .hasMessage("VIGIL_TOPICS_DLQ (topics.dlq): '..' is not a Kafka topic name (Kafka refuses '.' and '..')");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", ".")))
                .hasMessage("VIGIL_TOPICS_METRICS (topics.metrics): '.': '.' is not a Kafka topic name (Kafka refuses"
                        + " '.' and '..')");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_ALERTS", "a".repeat(246))))
                .hasMessageEndingWith("is too long: alert delivery's dead-letter topic, its name and '.dlq', would be"
                        + " over 249 characters");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_TOPICS_ALERTS", "a".repeat(245))).alertsTopic()).hasSize(245);
    }

    @Test
    void kafkaSettingsAreSingleValuesAndNestedKeysAreDotted() throws Exception {
        final Path list = file("kafka:\n  bootstrap.servers: [a:9092, b:9092]\n");
        assertThatThrownBy(() -> ConfigLoader.load(list, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(list + ":2:3: kafka.bootstrap.servers: must be a single value (a list of servers is one"
                        + " comma-separated string)");
        final Path otherList = file("kafka:\n  sasl: {enabled.mechanisms: [PLAIN]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(otherList, Map.of()))
                .hasMessage(otherList + ":2:10: kafka.sasl.enabled.mechanisms: must be a single value (a list of"
                        + " values is one comma-separated string)");
        final Path noValue = file("kafka:\n  security.protocol:\n");
        assertThatThrownBy(() -> ConfigLoader.load(noValue, Map.of()))
                .hasMessage(noValue + ":2:3: kafka.security.protocol: no value; leave the key out for Kafka's default,"
                        + " or write '' for an empty value");
        final Path mappingForASetting = file("kafka:\n  bootstrap.servers: {broker-1: 9092}\n");
        assertThatThrownBy(() -> ConfigLoader.load(mappingForASetting, Map.of()))
                .hasMessage(mappingForASetting + ":2:3: kafka.bootstrap.servers: must be a single value, not a mapping");
        final Path notAMapping = file("kafka: broker:9092\n");
        assertThatThrownBy(() -> ConfigLoader.load(notAMapping, Map.of()))
                .hasMessage(notAMapping + ":1:1: kafka: must be a mapping of Kafka client settings such as"
                        + " bootstrap.servers, not text");

        final VigilConfig nested = ConfigLoader.load(file("""
                kafka:
                  bootstrap: {servers: "x:9092"}
                  ssl:
                    endpoint.identification.algorithm: ""
                """), Map.of());
        assertThat(nested.kafka()).isEqualTo(Map.of("bootstrap.servers", "x:9092",
                "ssl.endpoint.identification.algorithm", ""));
        assertThat(nested.bootstrapServers()).contains("x:9092");
        assertThat(ConfigLoader.load(file("kafka:\n# bootstrap.servers: x:9092\n"), Map.of()).kafka()).isEmpty();
    }

    @Test
    void aValueKafkasClientsWouldRefuseIsRefusedWhereItIsSet() throws Exception {
        final Path protocol = file("kafka:\n  bootstrap.servers: b:9092\n  security.protocol: NONSENSE\n");
        assertThatThrownBy(() -> ConfigLoader.load(protocol, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(protocol + ":3:3: kafka.security.protocol: 'NONSENSE' is not valid for Kafka:"
                        + " String must be one of (case insensitive): ").hasMessageContaining("SASL_SSL");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_LINGER_MS", "abc")))
                .hasMessage("VIGIL_KAFKA_LINGER_MS (kafka.linger.ms): 'abc' is not valid for Kafka: Not a number of"
                        + " type LONG");
        assertThatThrownBy(() -> ConfigLoader.load(file("kafka: {producer.acks: some}\n"), Map.of()))
                .hasMessageContaining("kafka.producer.acks: 'some' is not valid for Kafka: ");
        assertThatThrownBy(() -> ConfigLoader.load(file("kafka: {partitioner.class: no.such.Partitioner}\n"), Map.of()))
                .hasMessageEndingWith("kafka.partitioner.class: 'no.such.Partitioner' is not valid for Kafka: no class"
                        + " of that name here (a plug-in's jar is not on Vigil's class path)");
        // What Kafka takes, and what no client defines (a plug-in's setting), pass.
        assertThat(ConfigLoader.load(file("""
                kafka:
                  security.protocol: sasl_ssl
                  consumer.max.poll.records: 500
                  main.consumer.fetch.min.bytes: 1
                  sasl.mechanism: SCRAM-SHA-512
                  group.protocol: streams
                  my.plugin.setting: anything
                  partitioner.class: org.apache.kafka.clients.producer.RoundRobinPartitioner
                """), Map.of()).kafka()).containsEntry("my.plugin.setting", "anything");
    }

    @Test
    void dottedKeysAtTheTopAreTheNestedOnesKafkaSettingsToo() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("""
                kafka.security.protocol: SSL
                kafka.bootstrap.servers: "b:9093"
                evaluation.grace: 10s
                """), Map.of());
        assertThat(c.kafka()).containsEntry("security.protocol", "SSL");
        assertThat(c.bootstrapServers()).contains("b:9093");
        assertThat(c.grace()).isEqualTo(Duration.ofSeconds(10));

        final Path twice = file("kafka.security.protocol: SSL\nkafka:\n  security:\n    protocol: SASL_SSL\n");
        assertThatThrownBy(() -> ConfigLoader.load(twice, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(twice + ":4:5: kafka.security.protocol: given twice; first at line 1");
        final Path graceTwice = file("evaluation.grace: 10s\nevaluation: {grace: 5s}\n");
        assertThatThrownBy(() -> ConfigLoader.load(graceTwice, Map.of()))
                .hasMessage(graceTwice + ":2:14: evaluation.grace: given twice; first at line 1");
    }

    @Test
    void aKeyGivenTwiceIsRefusedWhereItIsGivenAgain() throws Exception {
        final Path f = file("evaluation:\n  forget: 1m\nevaluation:\n  grace: 10s\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":3:1: duplicate key 'evaluation'; first given at line 1");
        final Path inner = file("http:\n  port: 1\n  port: 2\n");
        assertThatThrownBy(() -> ConfigLoader.load(inner, Map.of()))
                .hasMessage(inner + ":3:3: duplicate key 'port'; first given at line 2");
        final Path alias = file("topics: {alerts: &a out, dlq: *a}\n");
        assertThatThrownBy(() -> ConfigLoader.load(alias, Map.of()))
                .hasMessage(alias + ":1:18: YAML anchors are not allowed in the configuration\n"
                        + alias + ":1:31: YAML aliases are not allowed in the configuration");
        // The alias was refused and the misspelt key under it passed without a word.
        final Path misspelt = file("topics: {alerts: &a out, dql: *a}\n");
        assertThatThrownBy(() -> ConfigLoader.load(misspelt, Map.of()))
                .hasMessage(misspelt + ":1:18: YAML anchors are not allowed in the configuration\n"
                        + misspelt + ":1:26: unknown configuration key 'topics.dql'; did you mean 'topics.dlq'?\n"
                        + misspelt + ":1:31: YAML aliases are not allowed in the configuration");
    }

    @Test
    void aTagIsRefusedWhereItIsWritten() throws Exception {
        final Path f = file("evaluation:\n  grace: !foo 10s\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2:10: YAML tags are not allowed in the configuration; write the value without !foo,"
                        + " in quotes to make it text");
        final Path str = file("topics: {alerts: !!str out}\n");
        assertThatThrownBy(() -> ConfigLoader.load(str, Map.of()))
                .hasMessage(str + ":1:18: YAML tags are not allowed in the configuration; write the value without"
                        + " !!str, in quotes to make it text");
    }

    /** Within a receiver they were read on after being refused, into a ClassCastException's message. */
    @Test
    void aTagOrAnAliasInAReceiverIsRefusedWhereItIsWritten() throws Exception {
        final Path tag = file("receivers:\n  - name: a\n    webhook: {url: !!str http://h/}\n");
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(tag, Map.of(), List.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage(tag + ":3:20: YAML tags are not allowed in the configuration; write the value without"
                        + " !!str, in quotes to make it text");
        final Path alias = file("topics: {alerts: &u out}\nreceivers:\n  - name: a\n    webhook: {url: *u}\n");
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(alias, Map.of(), List.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage(alias + ":1:18: YAML anchors are not allowed in the configuration\n"
                        + alias + ":4:20: YAML aliases are not allowed in the configuration");
    }

    /**
     * A name no client defines within two edits of one that a client does is a typo, not a plug-in's setting:
     * {@code bootstrap.server} passed through, and {@code run} went on its embedded broker without a word.
     */
    @Test
    void aKafkaSettingCloseToOneOfKafkasIsRefusedAsATypo() throws Exception {
        final Path f = file("kafka:\n  bootstrap.server: prod:9092\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2:3: kafka.bootstrap.server: no Kafka client has this setting; did you mean"
                        + " kafka.bootstrap.servers? (a plug-in's own setting may not be this close to one of"
                        + " Kafka's)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_PRODUCER_LINGER_M", "5")))
                .hasMessage("VIGIL_KAFKA_PRODUCER_LINGER_M (kafka.producer.linger.m): no Kafka client has this setting;"
                        + " did you mean kafka.producer.linger.ms? (a plug-in's own setting may not be this close to"
                        + " one of Kafka's)");
        assertThat(ConfigLoader.load(file("kafka: {schema.registry.url: 'http://r:8081', my.plugin.setting: x}\n"),
                Map.of()).kafka()).containsEntry("schema.registry.url", "http://r:8081");
    }

    /**
     * cli.md: every key also settable by environment, receivers too: {@code VIGIL_RECEIVERS} holds them as YAML or
     * JSON text, in place of the file's; its problems said of it, a syntax or shape problem at its line and column in
     * the text. It was ignored with a WARN (a conformance audit, 2026-12-07).
     */
    @Test
    void theReceiversCanBeSetByTheEnvironmentInPlaceOfTheFiles() throws Exception {
        final Path f = file("receivers:\n  - name: file\n    webhook: {url: \"http://file:9000/hook\"}\n");
        final ConfigLoader.WithReceivers set = ConfigLoader.loadWithReceivers(f, Map.of("VIGIL_RECEIVERS",
                "[{name: pager, webhook: {url: \"http://pager:9000/hook\"}}, {name: am, alertmanager: {url:"
                        + " \"http://am:9093\"}}]"), List.of(), false);
        assertThat(set.receivers().webhooks()).extracting(io.vigil.delivery.WebhookReceiver::name)
                .containsExactly("pager");
        assertThat(set.receivers().alertmanagers()).hasSize(1);

        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(f, Map.of("VIGIL_RECEIVERS",
                "[{name: pager, webhook: {url: \"ftp://pager\"}}]"), List.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("VIGIL_RECEIVERS: receivers[0].webhook.url: ");
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(null, Map.of("VIGIL_RECEIVERS", "{name: pager}"),
                List.of(), false))
                .hasMessage("VIGIL_RECEIVERS:1:1: receivers: must be a list, not a mapping");
    }

    /** Passed on as plug-in settings, which no client reads: a name with a stray space is a typo to say. */
    @Test
    void aKafkaSettingNamedEmptyOrWithSpacesIsRefused() throws Exception {
        final Path f = file("kafka:\n  '': x\n  'acks ': all\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2:3: kafka.: '' is not a Kafka setting's name (empty, or with spaces around it)\n"
                        + f + ":3:3: kafka.acks : 'acks ' is not a Kafka setting's name (empty, or with spaces around"
                        + " it)");
    }

    @Test
    void theNumberOfStreamThreadsIsAtLeastOne() throws Exception {
        final Path zero = file("kafka:\n  num.stream.threads: 0\n");
        assertThatThrownBy(() -> ConfigLoader.load(zero, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(zero + ":2:3: kafka.num.stream.threads: 0 is not at least 1 (with no stream thread nothing"
                        + " is read, evaluated or alerted on)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_NUM_STREAM_THREADS", "-2")))
                .hasMessageStartingWith("VIGIL_KAFKA_NUM_STREAM_THREADS (kafka.num.stream.threads): -2 is not at least 1");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_NUM_STREAM_THREADS", "two")))
                .hasMessage("VIGIL_KAFKA_NUM_STREAM_THREADS (kafka.num.stream.threads): 'two' is not a whole number up"
                        + " to 2147483647");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_KAFKA_NUM_STREAM_THREADS", "2")).kafka())
                .containsEntry("num.stream.threads", "2");
    }

    @Test
    void anEmptySectionMeansItsDefaultsAndShapesAreNamed() throws Exception {
        final VigilConfig commented = ConfigLoader.load(file("""
                rules:
                #  path: /etc/vigil/rules
                evaluation:
                receivers:
                kafka:
                http: {}
                """), Map.of());
        assertThat(commented.rulesPath()).isEqualTo(Path.of("rules/"));
        assertThat(commented.grace()).isEqualTo(Duration.ofSeconds(15));
        assertThat(commented.receivers()).isEmpty();
        assertThat(commented.kafka()).isEmpty();

        final Path scalar = file("evaluation: 5\n");
        assertThatThrownBy(() -> ConfigLoader.load(scalar, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(scalar + ":1:1: evaluation: must be a mapping of keys such as evaluation.grace, not a number");
        // Never the text: a Kafka setting written as one line holds its password.
        final Path text = file("kafka: sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"u\" password=\"SECRETPW_9\";\n");
        assertThatThrownBy(() -> ConfigLoader.load(text, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(text + ":1:1: kafka: must be a mapping")
                .hasMessageEndingWith(", not text")
                .hasMessageNotContaining("SECRETPW");
        final Path nested = file("evaluation: {grace: {a: 1}}\n");
        assertThatThrownBy(() -> ConfigLoader.load(nested, Map.of()))
                .hasMessage(nested + ":1:14: evaluation.grace: must be a single value, not a mapping");
        final Path noValue = file("evaluation:\n  grace:\n");
        assertThatThrownBy(() -> ConfigLoader.load(noValue, Map.of()))
                .hasMessage(noValue + ":2:3: evaluation.grace: no value; leave the key out for its default, 15s");
        final Path receivers = file("receivers: {name: pager}\n");
        assertThatThrownBy(() -> ConfigLoader.load(receivers, Map.of()))
                .hasMessage(receivers + ":1:1: receivers: must be a list, not a mapping");
        final Path emptyReceiver = file("receivers:\n  -\n");
        assertThatThrownBy(() -> ConfigLoader.load(emptyReceiver, Map.of()))
                .hasMessageStartingWith(emptyReceiver + ":2:4: receivers[0]: must be a mapping");
        final Path root = file("- evaluation\n");
        assertThatThrownBy(() -> ConfigLoader.load(root, Map.of()))
                .hasMessage(root + ":1:1: the configuration must be a mapping of keys");
        assertThat(ConfigLoader.load(file("# nothing yet\n"), Map.of()).grace()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void scalarsAreReadAsYamlResolvesThemAsBefore() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("""
                ingest: {max_record_bytes: 1_048_576}
                topics: {partitioned_by_series: yes, alerts: "010"}
                receivers:
                  - name: pager
                    webhook: {url: "http://pager:9000/hook", send_resolved: no, max_in_flight: 0x8}
                """), Map.of());
        assertThat(c.limits().maxRecordBytes()).isEqualTo(1_048_576);
        assertThat(c.partitionedBySeries()).isTrue();
        assertThat(c.alertsTopic()).isEqualTo("010");
        assertThat(c.receivers()).containsExactly(Map.of("name", "pager", "webhook",
                Map.of("url", "http://pager:9000/hook", "send_resolved", "false", "max_in_flight", "8")));
    }

    @Test
    void theExternalUrlIsAnAbsoluteHttpUrl() throws Exception {
        final Path notAUrl = file("http:\n  external_url: \"not a url at all\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(notAUrl, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(notAUrl + ":2:3: http.external_url: 'not a url at all' is not a URL (Illegal character in"
                        + " path at index 3); e.g. http://vigil-1:8080");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "vigil-1:8080")))
                .hasMessageStartingWith("VIGIL_HTTP_EXTERNAL_URL (http.external_url): 'vigil-1:8080' is not an"
                        + " absolute http:// or https:// URL");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "")))
                .hasMessageStartingWith("VIGIL_HTTP_EXTERNAL_URL (http.external_url): '' is not an absolute");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://vigil_1:8080")))
                .hasMessage("VIGIL_HTTP_EXTERNAL_URL (http.external_url): the host name in 'http://vigil_1:8080' has"
                        + " an '_', which host names may not hold (RFC 952, java.net.URI); use '-' instead (a service"
                        + " or network alias): vigil-1");
        // An '_' elsewhere is not blamed on the host name.
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://vigil-1:80_80")))
                .hasMessage("VIGIL_HTTP_EXTERNAL_URL (http.external_url): 'http://vigil-1:80_80' has no valid"
                        + " host[:port] (host names hold letters, digits, '-' and '.'), e.g. http://vigil-1:8080");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://v:99999")))
                .hasMessage("VIGIL_HTTP_EXTERNAL_URL (http.external_url): 'http://v:99999': port 99999 is not from 1"
                        + " to 65535");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL",
                "http://admin:s3cret@vigil.example.com:8080"))).hasMessage("VIGIL_HTTP_EXTERNAL_URL (http.external_url):"
                + " has a user (and password?) before its host, which every alert's generatorURL would carry to the"
                + " receivers; leave it out");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "https://vigil.example.com/ops"))
                .externalUrl()).isEqualTo("https://vigil.example.com/ops");
    }

    @Test
    void thePeerUrlIsWhereOtherInstancesReachThisOneAndDefaultsToTheExternalUrl() throws Exception {
        final VigilConfig alone = ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "https://vigil.example.com"));
        assertThat(alone.peerUrl()).isEmpty();
        assertThat(alone.peerAddress()).isEqualTo("https://vigil.example.com");
        assertThat(VigilEngine.advertised(alone)).isEqualTo(new org.apache.kafka.streams.state.HostInfo(
                "vigil.example.com", 8080));
        // Behind a load balancer: the links name it, the instances reach each other at their own addresses.
        final Path file = file("http:\n  port: 9000\n  external_url: https://vigil.example.com\n"
                + "  peer_url: http://vigil-2.vigil-headless\n");
        final VigilConfig behind = ConfigLoader.load(file, Map.of());
        assertThat(behind.externalUrl()).isEqualTo("https://vigil.example.com");
        assertThat(behind.peerAddress()).isEqualTo("http://vigil-2.vigil-headless");
        assertThat(VigilEngine.advertised(behind)).isEqualTo(new org.apache.kafka.streams.state.HostInfo(
                "vigil-2.vigil-headless", 9000));
        assertThat(VigilEngine.streamsProperties(behind, Path.of("state"))
                .getProperty("application.server")).isEqualTo("vigil-2.vigil-headless:9000");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_PEER_URL", "vigil-2:8080")))
                .hasMessage("VIGIL_HTTP_PEER_URL (http.peer_url): 'vigil-2:8080' is not an absolute http:// or"
                        + " https:// URL (e.g. http://vigil-1:8080): other instances reach this one there");
        for (String unused : List.of("https://vigil-2.internal", "http://vigil-2:8080/vigil", "http://vigil-2?x=1")) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_PEER_URL", unused)))
                    .hasMessage("VIGIL_HTTP_PEER_URL (http.peer_url): '" + unused + "': the other instances ask this"
                            + " one over plain http at its host and port (http.port where it names none), so it is"
                            + " http://HOST[:PORT], with no path");
        }
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_HTTP_PEER_URL", "http://vigil-2:9000/")).peerAddress())
                .isEqualTo("http://vigil-2:9000/");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_PEER_URL", "http://a:secret@vigil-2")))
                .hasMessage("VIGIL_HTTP_PEER_URL (http.peer_url): has a user (and password?) before its host; leave"
                        + " it out: instances send each other the API's token (http.bearer_token_env)");
    }

    @Test
    void theBindAddressIsAnAddressOrAHostThatResolvesWhereItIsServed() throws Exception {
        final Path noHost = file("http: {bind: no-such-host.invalid}\n");
        // Another machine's file is read as it is where nothing is served (replay, rules validate).
        assertThat(ConfigLoader.load(noHost, Map.of()).httpBind()).isEqualTo("no-such-host.invalid");
        assertThatThrownBy(() -> ConfigLoader.loadWithReceivers(noHost, Map.of(), List.of(), true))
                .isInstanceOf(ConfigException.class)
                .hasMessage(noHost + ":1:8: http.bind: 'no-such-host.invalid' is neither an IP address nor a host name"
                        + " this machine resolves (127.0.0.1 for this machine only, 0.0.0.0 for every interface)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BIND", "999.1.1.1")))
                .hasMessageStartingWith("VIGIL_HTTP_BIND (http.bind): '999.1.1.1' is neither an IP address");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BIND", "")))
                .hasMessageStartingWith("VIGIL_HTTP_BIND (http.bind): '' is neither an IP address");
        for (String bind : List.of("0.0.0.0", "127.0.0.1", "::1", "[::1]", "::ffff:10.0.0.1", "fe80::1%eth9",
                "localhost", "vigil-1.example.com.", "compose_vigil_1")) {
            assertThat(ConfigLoader.load(null, Map.of("VIGIL_HTTP_BIND", bind)).httpBind()).isEqualTo(bind);
        }
        // No form of address at all: refused wherever the file is read, not only where it is served.
        for (String bind : List.of("not an ip!", "a..b", "1::2::3", "[::1", "host:8080", "http://host")) {
            assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BIND", bind)))
                    .hasMessage("VIGIL_HTTP_BIND (http.bind): '" + bind + "' is neither an IP address nor a host name"
                            + " this machine resolves (127.0.0.1 for this machine only, 0.0.0.0 for every interface)");
        }
    }

    @Test
    void bootstrapServersAreHostColonPort() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                List.of(new ConfigLoader.Option("--bootstrap-servers", "kafka.bootstrap.servers", "nocolon"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--bootstrap-servers (kafka.bootstrap.servers): 'nocolon' is not HOST:PORT");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_BOOTSTRAP_SERVERS", "a:9092,h:99999")))
                .hasMessage("VIGIL_BOOTSTRAP_SERVERS (kafka.bootstrap.servers): 'h:99999': 99999 is not a port from 1"
                        + " to 65535");
        final Path zeroPort = file("kafka: {bootstrap.servers: \"h:0\"}\n");
        assertThatThrownBy(() -> ConfigLoader.load(zeroPort, Map.of()))
                .hasMessage(zeroPort + ":1:9: kafka.bootstrap.servers: 'h:0': 0 is not a port from 1 to 65535");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", " ")))
                .hasMessageStartingWith("VIGIL_KAFKA_BOOTSTRAP_SERVERS (kafka.bootstrap.servers): no server given");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_BOOTSTRAP_SERVERS",
                "broker-1:9092, 10.0.0.2:9092,[::1]:9093,SASL_SSL://b.example.com:9094")).bootstrapServers())
                .isPresent();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_BOOTSTRAP_SERVERS", "a:9092,,b:9092")))
                .hasMessage("VIGIL_BOOTSTRAP_SERVERS (kafka.bootstrap.servers): 'a:9092,,b:9092' has an empty entry"
                        + " between its commas, which Kafka's clients refuse");
    }

    @Test
    void anOptionWinsOverTheEnvironmentAndErrorsNameIt() throws Exception {
        final VigilConfig c = ConfigLoader.load(file("http: {port: 1000}\n"), Map.of("VIGIL_HTTP_PORT", "2000",
                "VIGIL_BOOTSTRAP_SERVERS", "env:9092"), List.of(new ConfigLoader.Option("--http-port", "http.port", "3000"),
                new ConfigLoader.Option("--bootstrap-servers", "kafka.bootstrap.servers", "option:9092")));
        assertThat(c.httpPort()).isEqualTo(3000);
        assertThat(c.bootstrapServers()).contains("option:9092");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(),
                List.of(new ConfigLoader.Option("--log-format", "log.format", "xml"))))
                .hasMessage("--log-format (log.format): 'xml' is not a log format (text or json)");
    }

    @Test
    void theHttpTokenIsNeverEmpty() throws Exception {
        final Path empty = dir.resolve("token");
        Files.writeString(empty, "\n");
        assertThatThrownBy(() -> ConfigLoader.load(file("http: {bearer_token_file: " + empty + "}\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(":1:8: http.bearer_token_file: " + empty + " is empty");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_FILE", "")))
                .hasMessage("VIGIL_HTTP_BEARER_TOKEN_FILE (http.bearer_token_file): empty; leave the key out for none");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_ENV", "TOKEN", "TOKEN", " ")))
                .hasMessage("VIGIL_HTTP_BEARER_TOKEN_ENV (http.bearer_token_env): the environment variable TOKEN is"
                        + " not set");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_FILE", dir + "/missing")))
                .hasMessage("VIGIL_HTTP_BEARER_TOKEN_FILE (http.bearer_token_file): cannot read " + dir
                        + "/missing: no such file or directory");
        final Path twoLines = dir.resolve("two-lines");
        Files.writeString(twoLines, "abc\ndef\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_FILE", twoLines.toString())))
                .hasMessageContaining("holds a control character (a line break?) inside the secret")
                .hasMessageNotContaining("abc");
        final Path token = dir.resolve("good");
        Files.writeString(token, "s3cret\n");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_FILE", token.toString())).httpToken())
                .contains("s3cret");
    }

    @Test
    void anEmptyValueIsRefusedNotTakenForTheDefault() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_RULES_PATH", " ")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("VIGIL_RULES_PATH (rules.path): empty; leave the key out for its default, rules/");
    }

    @Test
    void anUnknownVigilVariableIsWarnedAboutWithTheClosestKnownOne() {
        assertThat(ConfigLoader.unknownVariables(Map.of("VIGIL_EVALUATION_FORGOT", "1m", "VIGIL_JAVA_OPTS", "-Xmx1g",
                "VIGIL_KAFKA_SECURITY_PROTOCOL", "SSL", "VIGIL_BOOTSTRAP_SERVERS", "k:9092", "VIGIL_PAGER_HMAC", "x",
                "VIGIL_EVALUATION_GRACE", "5s", "VIGIL_ZZZ", "1", "PATH", "/bin"), java.util.Set.of("VIGIL_PAGER_HMAC")))
                .containsExactly("environment variable VIGIL_EVALUATION_FORGOT sets no Vigil setting and is ignored;"
                        + " did you mean VIGIL_EVALUATION_FORGET?",
                        "environment variable VIGIL_ZZZ sets no Vigil setting and is ignored (every key k.x is"
                                + " VIGIL_K_X, kafka.* is VIGIL_KAFKA_*)");
    }

    @Test
    void loadingWarnsAboutAnUnknownVariableButNotAboutThoseTheConfigurationNames() throws Exception {
        final Path f = file("""
                http: {bearer_token_env: VIGIL_API_TOKEN}
                receivers:
                  - name: pager
                    webhook: {url: "http://pager:9000/hook", hmac_secret_env: VIGIL_PAGER_HMAC}
                """);
        try (CapturedLogs logs = new CapturedLogs()) {
            assertThat(ConfigLoader.load(f, Map.of("VIGIL_API_TOKEN", "t", "VIGIL_PAGER_HMAC", "h",
                    "VIGIL_EVALUATION_FORGOT", "1m")).httpToken()).contains("t");
            assertThat(logs.text()).contains("environment variable VIGIL_EVALUATION_FORGOT sets no Vigil setting and is"
                    + " ignored; did you mean VIGIL_EVALUATION_FORGET?")
                    .doesNotContain("VIGIL_API_TOKEN").doesNotContain("VIGIL_PAGER_HMAC");
        }
    }

    @Test
    void aFileThatCannotBeReadSaysWhy() throws Exception {
        final Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "evaluation:\n  grace: 10s # d\u00e9lai\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(latin1, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage(latin1 + ":2:17: the file is not valid UTF-8");
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
                .hasMessage(dir + ": cannot read: it is a directory");
    }

    @Test
    void aFileThatMayNotBeReadSaysSo() throws Exception {
        final Path locked = file("evaluation: {grace: 10s}\n");
        Files.setPosixFilePermissions(locked, java.util.Set.of());
        // root reads it anyway
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(locked), "running as root");
        assertThatThrownBy(() -> ConfigLoader.load(locked, Map.of()))
                .hasMessage(locked + ": cannot read: permission denied");
    }
}
