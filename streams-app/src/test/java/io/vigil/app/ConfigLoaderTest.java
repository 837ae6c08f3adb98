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
        assertThatThrownBy(() -> ConfigLoader.load(file("log: {format: xml}\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("log.format: 'xml' is not a log format (text or json)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_READYZ_MAX_REBALANCE", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("http.readyz_max_rebalance: 'soon' is not a duration");
        assertThatThrownBy(() -> ConfigLoader.load(file("log: {formt: json}\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown configuration key 'log.formt'; did you mean 'log.format'?");
    }

    @Test
    void theDockerComposeConfigurationLoads() {
        final VigilConfig c = ConfigLoader.load(Path.of("..", "deploy", "vigil.yaml"), Map.of());
        assertThat(c.metricsTopics()).containsExactly("metrics", "telegraf");
        assertThat(c.partitionedBySeries()).as("Telegraf writes without keys there").isFalse();
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
                .hasMessage("topics.partitioned_by_series: 'yes' is not true or false");
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
                .hasMessage("unknown configuration key 'evaluation.grase'; did you mean 'evaluation.grace'?");
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
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_GRACE", "fifteen")))
                .hasMessage("evaluation.grace: 'fifteen' is not a duration (e.g. 15s, 1m30s, 2h)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_FORGET", "0s")))
                .hasMessageStartingWith("evaluation.forget: must be longer than 0s");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_IDLE_TIMEOUT", "0s")))
                .hasMessageStartingWith("evaluation.idle_timeout: must be longer than 0s");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "99999")))
                .hasMessage("http.port: 99999 is not a port number (0-65535)");
    }

    @Test
    void theHttpTokenComesFromTheEnvironmentAndNeverPrints() {
        final VigilConfig c = ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_ENV", "API_TOKEN",
                "API_TOKEN", "tok-123", "VIGIL_KAFKA_SASL_JAAS_CONFIG", "password=\"hunter2\""));
        assertThat(c.httpToken()).contains("tok-123");
        assertThat(c.toString()).doesNotContain("tok-123").doesNotContain("hunter2");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_HTTP_BEARER_TOKEN_ENV", "MISSING")))
                .hasMessage("http.bearer_token_env: the environment variable MISSING is not set");
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
                .hasMessage("unknown configuration key 'topics.metrics[1].precison'; "
                        + "did you mean 'topics.metrics[1].precision'?");
        final Path format = file("topics: {metrics: [{name: telegraf, format: influxdb}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(format, Map.of()))
                .hasMessage("topics.metrics[0].format: 'influxdb' is not a format (auto, json, telegraf_json, influx); "
                        + "did you mean 'influx'?");
        final Path precision = file("topics: {metrics: [{name: telegraf, format: influx, precision: msec}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(precision, Map.of()))
                .hasMessage("topics.metrics[0].precision: 'msec' is not a precision (ns, us, ms, s); did you mean 'ms'?");
        final Path jsonPrecision = file("topics: {metrics: [{name: t, format: telegraf_json, precision: ms}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(jsonPrecision, Map.of()))
                .hasMessageStartingWith("topics.metrics[0].precision: the precision is that of line protocol timestamps");
        final Path noName = file("topics: {metrics: [{format: influx}]}\n");
        assertThatThrownBy(() -> ConfigLoader.load(noName, Map.of()))
                .hasMessage("topics.metrics[0].name: missing; every input topic needs a name");

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "metrics,telegraf:line")))
                .hasMessage("topics.metrics: 'telegraf:line': 'line' is not a format "
                        + "(auto, json, telegraf_json, influx)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "a,b,a")))
                .hasMessage("topics.metrics: topic 'a' is listed twice");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "my topic")))
                .hasMessageStartingWith("topics.metrics: 'my topic': 'my topic' is not a Kafka topic name");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_TOPICS_METRICS", "a:influx:s:x")))
                .hasMessage("topics.metrics: 'a:influx:s:x' is not TOPIC[:FORMAT[:PRECISION]]");
        final Path none = file("topics: {metrics: []}\n");
        assertThatThrownBy(() -> ConfigLoader.load(none, Map.of()))
                .hasMessage("topics.metrics: no topic given; Vigil needs at least one topic to read datapoints from");
    }

    @Test
    void theSeriesRepartitionsSettingsAreKafkaSettingsCheckedAtStart() {
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS", "0")).kafka())
                .containsEntry("vigil.series.bundle.max.points", "0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kafka.vigil.series.bundle.max.points: expected a number of points (0 for no bundles), "
                        + "not \"many\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_BUNDLE_MAX_POINTS", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kafka.vigil.series.bundle.max.points: must be at least 0 (no bundles), not -1");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_OWN_IN_TASK", "false")).kafka())
                .containsEntry("vigil.series.own.in.task", "false");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_KAFKA_VIGIL_SERIES_OWN_IN_TASK", "no")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kafka.vigil.series.own.in.task: expected true or false, not \"no\"");
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
                .hasMessage("ingest.max_labels: 0 is not above 0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_RECORD_BYTES", "1MiB")))
                .hasMessage("ingest.max_record_bytes: '1MiB' is not a whole number");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_INGEST_MAX_AGE", "0s")))
                .hasMessage("ingest.max_age: must be longer than 0s (at 0s every datapoint behind its partition's"
                        + " newest would be dead-lettered as old)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_FUTURE_SKEW", "99999999999999d")))
                .hasMessage("evaluation.max_future_skew: '99999999999999d' is too long, at most 3650d");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_FORGET", "100000000000d")))
                .hasMessage("evaluation.forget: '100000000000d' is too long, at most 3650d");
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_FORGET", "3650d")).forget())
                .isEqualTo(java.time.Duration.ofDays(3650));
        final Path typo = file("ingest: {max_lables: 10}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of()))
                .hasMessage("unknown configuration key 'ingest.max_lables'; did you mean 'ingest.max_labels'?");
    }

    @Test
    void theSeriesLimitPerRuleIsConfigurableAndCheckedAtStart() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of()).maxSeriesPerRule()).isEqualTo(100_000);
        assertThat(ConfigLoader.load(file("evaluation: {max_series_per_rule: 5000}\n"), Map.of()).maxSeriesPerRule())
                .isEqualTo(5000);
        assertThat(ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_SERIES_PER_RULE", "250")).maxSeriesPerRule())
                .isEqualTo(250);
        assertThat(TopologySettings.of(ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_SERIES_PER_RULE", "250")),
                Map.of("metrics", 4)).maxSeriesPerRule()).isEqualTo(250);

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("VIGIL_EVALUATION_MAX_SERIES_PER_RULE", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("evaluation.max_series_per_rule: 0 is not above 0");
        assertThatThrownBy(() -> ConfigLoader.load(file("evaluation: {max_series_per_rule: 100k}\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("evaluation.max_series_per_rule: '100k' is not a whole number");
        final Path typo = file("evaluation: {max_series_per_rules: 10}\n");
        assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of())).hasMessage(
                "unknown configuration key 'evaluation.max_series_per_rules'; did you mean 'evaluation.max_series_per_rule'?");
    }
}
