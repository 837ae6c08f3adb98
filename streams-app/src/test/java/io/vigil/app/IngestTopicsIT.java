package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.ingest.DeadLetterReason;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker: four input topics, one per format (native JSON, line protocol in seconds, Telegraf JSON) and one
 * detecting the format per record, with good and bad records mixed on two partitions each. Every valid datapoint is
 * evaluated (a rule fires once per series, and each datapoint is a series of its own), every bad record is on the
 * dead-letter topic once, unchanged, with its reason and source, and the ingest meters count the same.
 */
class IngestTopicsIT {

    private static final String JSON = "it-json";
    private static final String INFLUX = "it-influx";
    private static final String TELEGRAF = "it-telegraf";
    private static final String AUTO = "it-auto";
    private static final String DLQ = "it-dlq";
    private static final String ALERTS = "it-alerts";
    private static final long DAY_MS = 86_400_000L;

    private static final String CONFIG = """
            kafka: {application.id: vigil-ingest-it}
            topics:
              metrics:
                - {name: it-json, format: json}
                - {name: it-influx, format: influx, precision: s}
                - {name: it-telegraf, format: telegraf_json}
                - it-auto
              alerts: it-alerts
              dlq: it-dlq
            evaluation: {idle_timeout: 2s}
            ingest: {max_labels: 8, max_record_bytes: 4096}
            """;

    /** Fires once for each series of {@code it_value}: each valid datapoint below is a series of its own. */
    private static final String RULES = """
            groups:
              - name: ingest
                every: 10s
                rules:
                  - alert: PointSeen
                    series: it_value
                    aggregate: last
                    window: 1m
                    threshold: {above: 0}
            """;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /**
     * One record to produce.
     *
     * @param reason the rejection reason it must be dead-lettered with, or null for a valid record
     * @param points the {@code point} labels of the valid datapoints it holds
     */
    private record Input(String topic, int partition, String value, String reason, List<String> points) {
        static Input valid(final String topic, final int partition, final String value, final String... points) {
            return new Input(topic, partition, value, null, List.of(points));
        }

        static Input bad(final String topic, final int partition, final String value, final String reason,
                         final String... points) {
            return new Input(topic, partition, value, reason, List.of(points));
        }
    }

    /** Timestamps {@code t} (ms): about two minutes ago, a multiple of the rules' 10 s. */
    private static List<Input> inputs(final long t) {
        final long s = t / 1000;
        final long ns = t * 1_000_000L;
        final String nineLabels = IntStream.range(0, 9).mapToObj(i -> "\"l" + i + "\":\"v\"")
                .collect(Collectors.joining(","));
        return List.of(
                Input.valid(JSON, 0, nativePoint("json-1", t), "json-1"),
                Input.valid(JSON, 1, "[" + nativePoint("json-2", t) + "," + nativePoint("json-3", t) + "]",
                        "json-2", "json-3"),
                Input.bad(JSON, 0, "[" + nativePoint("json-4", t) + ",{\"name\":\"it_value\",\"labels\":{"
                        + nineLabels + "},\"value\":1,\"timestamp\":" + t + "}]", "too_many_labels", "json-4"),
                Input.bad(JSON, 1, nativePoint("json-old", t - 8 * DAY_MS), "old_timestamp"),
                Input.bad(JSON, 0, "{\"name\":\"it_value\",\"labels\":", "unparseable"),
                Input.bad(JSON, 1, "it,point=json-lp value=1 " + ns, "unparseable"),

                Input.valid(INFLUX, 0, "it,point=influx-1 value=1 " + s + "\nit,point=influx-2 value=2i " + s,
                        "influx-1", "influx-2"),
                Input.valid(INFLUX, 1, "it,point=influx-3 value=3 " + s, "influx-3"),
                Input.bad(INFLUX, 0, "it,point=influx-bad value=abc " + s, "invalid_line"),
                Input.bad(INFLUX, 1, nativePoint("influx-json", t), "invalid_line"),
                // Nanoseconds on a topic in seconds: a timestamp out of range, not a point in the year 50,000.
                Input.bad(INFLUX, 0, "it,point=influx-ns value=1 " + ns, "invalid_line"),
                Input.bad(INFLUX, 1, "it,point=influx-big,pad=" + "x".repeat(5000) + " value=1 " + s,
                        "record_too_large"),
                Input.bad(INFLUX, 0, "it,point=influx-old value=1 " + (s - 8 * 86_400), "old_timestamp"),

                Input.valid(TELEGRAF, 0, telegrafMetric("tj-1", s), "tj-1"),
                Input.valid(TELEGRAF, 1, "{\"metrics\":[" + telegrafMetric("tj-2", s) + "," + telegrafMetric("tj-3", s)
                        + "]}", "tj-2", "tj-3"),
                Input.bad(TELEGRAF, 0, "{\"name\":\"it\",\"tags\":{\"point\":\"tj-nofields\"},\"timestamp\":" + s + "}",
                        "missing_value"),
                Input.bad(TELEGRAF, 1, "{\"name\":\"it\",\"tags\":{" + nineLabels + "},\"fields\":{\"value\":1},"
                        + "\"timestamp\":" + s + "}", "too_many_labels"),
                Input.bad(TELEGRAF, 0, "{\"name\":\"it\",", "unparseable"),

                Input.valid(AUTO, 0, nativePoint("auto-1", t), "auto-1"),
                Input.valid(AUTO, 1, "it,point=auto-2 value=2 " + ns, "auto-2"),
                Input.valid(AUTO, 0, telegrafMetric("auto-3", s), "auto-3"),
                Input.bad(AUTO, 1, "  \n ", "empty"),
                Input.bad(AUTO, 0, "it,point=auto-bad value=", "invalid_line"),
                Input.bad(AUTO, 1, "{\"name\":\"it_value\",\"labels\":{\"point\":\"" + "v".repeat(3000)
                        + "\"},\"value\":1,\"timestamp\":" + t + "}", "label_value_too_long"),
                Input.bad(AUTO, 0, "it,point=auto-old value=1 " + (ns - 8 * DAY_MS * 1_000_000L), "old_timestamp"),
                // Last on its partition: a minute later, so that event time passes the points above once every
                // partition is idle. Not it_value, so no alert.
                Input.valid(AUTO, 0, "{\"name\":\"it_tick\",\"value\":0,\"timestamp\":" + (t + 60_000) + "}"));
    }

    private static String nativePoint(final String point, final long t) {
        return "{\"name\":\"it_value\",\"labels\":{\"point\":\"" + point + "\"},\"value\":1,\"timestamp\":" + t + "}";
    }

    private static String telegrafMetric(final String point, final long s) {
        return "{\"name\":\"it\",\"tags\":{\"point\":\"" + point + "\"},\"fields\":{\"value\":1,\"state\":\"ok\"},"
                + "\"timestamp\":" + s + "}";
    }

    @Test
    void eachTopicIsReadInItsFormatAndEveryBadRecordIsDeadLetteredWithItsReasonAndSource() throws Exception {
        final long t = (System.currentTimeMillis() - 120_000) / 10_000 * 10_000;
        final List<Input> inputs = inputs(t);
        final Path configFile = dir.resolve("vigil.yaml");
        Files.writeString(configFile, CONFIG);
        final VigilConfig config = ConfigLoader.load(configFile, Map.of("VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers()));
        final Path rulesFile = dir.resolve("rules.yaml");
        Files.writeString(rulesFile, RULES);
        final LoadResult rules = RuleLoader.load(List.of(rulesFile));
        assertThat(rules.problems()).isEmpty();

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(JSON, 2, (short) 1), new NewTopic(INFLUX, 2, (short) 1),
                    new NewTopic(TELEGRAF, 2, (short) 1), new NewTopic(AUTO, 2, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        // Where each bad record must be found again: its topic, partition and offset.
        final Map<String, Input> badBySource = new TreeMap<>();
        final Map<String, Long> nextOffset = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Input input : inputs) {
                producer.send(new ProducerRecord<>(input.topic(), input.partition(), null,
                        input.value().getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                final String partition = input.topic() + "/" + input.partition();
                final long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
                if (input.reason() != null) {
                    badBySource.put(partition + "@" + offset, input);
                }
            }
        }
        final Set<String> points = inputs.stream().flatMap(i -> i.points().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(points).hasSize(13);
        assertThat(badBySource).hasSize(16);

        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final Set<String> fired = new TreeSet<>();
        final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        try (VigilEngine engine = VigilEngine.start(config, rules.ruleSet(), dir.resolve("state"), registry);
             KafkaConsumer<byte[], byte[]> alerts = consumer(ALERTS);
             KafkaConsumer<byte[], byte[]> dlq = consumer(DLQ)) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                dlq.poll(Duration.ofMillis(100)).forEach(dead::add);
                for (ConsumerRecord<byte[], byte[]> r : alerts.poll(Duration.ofMillis(100))) {
                    final AlertEvent event = AlertEventJson.read(r.value());
                    if (event.status() == EventStatus.FIRING) {
                        fired.add(event.labels().get("point"));
                    }
                }
                assertThat(dead).hasSize(badBySource.size());
                assertThat(fired).isEqualTo(points);
            });
            assertThat(engine.state().isRunningOrRebalancing()).isTrue();
        }

        final Map<String, String> seen = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            final String source = header(r.headers(), "vigil.source.topic") + "/"
                    + header(r.headers(), "vigil.source.partition") + "@" + header(r.headers(), "vigil.source.offset");
            final Input input = badBySource.get(source);
            assertThat(input).as("a dead letter from %s, which holds no bad record", source).isNotNull();
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(input.value());
            final String error = header(r.headers(), "vigil.error");
            assertThat(error).as(source).matches(input.points().isEmpty() ? input.reason() + ": .*"
                    : "1 rejection, \\d+ datapoints? accepted: " + input.reason() + ": .*");
            seen.put(source, input.reason());
        }
        assertThat(seen).hasSameSizeAs(badBySource);

        // The meters say the same: datapoints read per topic, rejections per reason, records dead-lettered.
        final Map<String, Long> expectedRejected = badBySource.values().stream()
                .collect(Collectors.groupingBy(Input::reason, TreeMap::new, Collectors.counting()));
        final Map<String, Long> rejected = new TreeMap<>();
        registry.find("vigil.ingest.rejected").counters().stream().filter(c -> c.count() > 0)
                .forEach(c -> rejected.put(c.getId().getTag("reason"), (long) c.count()));
        assertThat(rejected).isEqualTo(expectedRejected);
        // Every other reason is there at 0, from the start.
        assertThat(registry.find("vigil.ingest.rejected").counters()).hasSize(DeadLetterReason.values().length);
        final Map<String, Long> expectedAccepted = new TreeMap<>(Map.of(JSON, 4L, INFLUX, 3L, TELEGRAF, 3L, AUTO, 4L));
        final Map<String, Long> accepted = new TreeMap<>();
        registry.find("vigil.ingest.datapoints").functionCounters()
                .forEach(c -> accepted.put(c.getId().getTag("topic"), (long) c.count()));
        assertThat(accepted).isEqualTo(expectedAccepted);
        assertThat(registry.get("vigil.ingest.dead.lettered").counter().count()).isEqualTo(badBySource.size());
        assertThat(registry.get("vigil.ingest.fields.skipped").counter().count()).isEqualTo(4.0);
        final Counter late = registry.find("vigil.ingest.late.dropped").counter();
        assertThat(late == null ? 0 : late.count()).isZero();
    }

    private static String header(final Headers headers, final String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String topic) {
        return TestConsumers.readCommitted(broker.bootstrapServers(), topic);
    }
}
