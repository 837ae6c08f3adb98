package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker, whose producers refuse a record above {@code max.request.size} (1 MiB): what would make a record
 * that large is sent in records of at most 256 KiB, or cut to fit, and the engine keeps running. Until 2026-12-04 each
 * case failed the stream thread, and again at every restart on the same input: one peer group of 40,000 members (its
 * values at an instant about 2 MB), a series state of 1.3 MB, a bad record the dead-letter topic cannot take.
 */
class OversizeRecordsIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /**
     * An outlier rule over one group of 40,000 members on one input partition: one evaluation task holds every member,
     * so its pass's values for the group, and the peer stage's waiting values, are about 2 MB an instant.
     */
    @Test
    void anOutlierAmongFortyThousandPeersIsFound() throws Exception {
        final int members = 40_000;
        final String low = "node-00007";
        final RuleSet rules = rules("peers", """
                groups:
                  - name: fleet
                    every: 10s
                    rules:
                      - alert: CpuFarBelowPeers
                        series: cpu{cluster="backend"}
                        aggregate: avg
                        window: 30s
                        outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                        labels: {severity: page}
                """);
        createTopic("metrics-peers", Map.of());
        produce("metrics-peers", 0, 6 * members, i -> {
            final String instance = String.format("node-%05d", i % members);
            return TopologyTest.point(instance, instance.equals(low) ? 2 : 40 + i % 11, T0 + i / members * 10_000L);
        });

        final List<AlertEvent> events = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-peers")) {
            runUntil("peers", rules, () -> {
                alerts.poll(Duration.ofMillis(200)).forEach(r -> events.add(AlertEventJson.read(r.value())));
                assertThat(events).anyMatch(e -> e.status() == EventStatus.FIRING);
            });
        }
        assertThat(events).allSatisfy(e -> assertThat(e.labels().get("instance")).isEqualTo(low));
    }

    /**
     * A rule with a window of two days over one series scraped every second, with the jitter of real timestamps and
     * full-precision values: a state of about 1.3 MB (evaluated every ten minutes, as each evaluation aggregates its
     * whole window). The alert fires; a restart restores the state whole, and the alert resolves after it, once.
     */
    @Test
    void aStateLargerThanARecordIsCommittedAndRestored() throws Exception {
        final int points = 120_000;
        final RuleSet rules = rules("state", """
                groups:
                  - name: day
                    every: 10m
                    rules:
                      - alert: CpuHigh
                        series: cpu{cluster="backend"}
                        aggregate: last
                        window: 2d
                        threshold: {above: 0.95}
                """);
        createTopic("metrics-state", Map.of());
        final List<AlertEvent> events = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-state")) {
            final Runnable until = () -> alerts.poll(Duration.ofMillis(200))
                    .forEach(r -> events.add(AlertEventJson.read(r.value())));
            // A day and a half of points between 0.6 and 0.93, then twenty minutes at 0.99: the alert fires at the end.
            produceSecondly(0, points, i -> i >= points - 1_200 ? 0.99 : 0.6 + (i % 34) / 100.0);
            runUntil("state", rules, () -> {
                until.run();
                assertThat(events).anyMatch(e -> e.status() == EventStatus.FIRING);
            });
            // Restarted on the changelog: the state, alert included, comes back whole, and the alert resolves.
            produceSecondly(points, points + 1_200, i -> 0.5);
            runUntil("state", rules, () -> {
                until.run();
                assertThat(events).anyMatch(e -> e.status() == EventStatus.RESOLVED);
            });
        }
        assertThat(events).extracting(AlertEvent::status).filteredOn(s -> s != EventStatus.PENDING)
                .containsExactly(EventStatus.FIRING, EventStatus.RESOLVED);
        // Rolled every hour, so compacted within hours, not after a week's writes (a soak: 32 MB an hour).
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            final org.apache.kafka.common.config.ConfigResource changelog = new org.apache.kafka.common.config
                    .ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                    "vigil-state-" + io.vigil.evaluation.SeriesEvaluationProcessor.SERIES_STORE + "-changelog");
            assertThat(admin.describeConfigs(List.of(changelog)).all().get().get(changelog).get("segment.ms")
                    .value()).isEqualTo("3600000");
        }
    }

    /**
     * An input topic configured for larger records carries one of 3 MB, refused unread ({@code record_too_large}),
     * and one just under the 1 MiB limit that is not JSON: each goes to the dead-letter topic with its reason and
     * source, its value cut to what fits and the cut said in a header, and the stream goes on to the good records
     * behind them.
     */
    @Test
    void recordsTooLargeToDeadLetterWholeAreDeadLetteredCut() throws Exception {
        final RuleSet rules = rules("dlq", TopologyTest.RULES);
        createTopic("metrics-dlq", Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024)));
        final byte[] huge = new byte[3_000_000];
        Arrays.fill(huge, (byte) 'x');
        final byte[] notJson = new byte[1_048_000];
        Arrays.fill(notJson, (byte) 'y');
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("metrics-dlq", "k".getBytes(StandardCharsets.UTF_8), huge)).get();
            producer.send(new ProducerRecord<>("metrics-dlq", null, notJson)).get();
            // Headers named as Vigil's: 400 KB of them on a record without a key failed the cut (a null key copied),
            // 2 MB with a key made a dead letter the topic refused; each stopped the stream at every restart.
            producer.send(new ProducerRecord<>("metrics-dlq", null, null, null, bytes("garbage"),
                    vigilNamedHeaders(100, 4_000, 1))).get();
            producer.send(new ProducerRecord<>("metrics-dlq", null, null, bytes("k"), bytes("garbage"),
                    vigilNamedHeaders(2, 10, 1_000_000))).get();
        }
        produce("metrics-dlq", 0, 8, i -> TopologyTest.point("node-1", 97, T0 + i * 10_000L));

        final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        final List<AlertEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> dlq = consumer("dlq-dlq");
             KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-dlq")) {
            runUntil("dlq", rules, () -> {
                dlq.poll(Duration.ofMillis(100)).forEach(dead::add);
                alerts.poll(Duration.ofMillis(100)).forEach(r -> events.add(AlertEventJson.read(r.value())));
                assertThat(dead).hasSize(4);
                assertThat(events).anyMatch(e -> e.status() == EventStatus.FIRING);
            });
        }
        assertThat(header(dead.get(0), "vigil.error")).startsWith("record_too_large");
        assertThat(header(dead.get(0), "vigil.source.offset")).isEqualTo("0");
        assertThat(header(dead.get(0), "vigil.value.bytes")).isEqualTo("3000000");
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(dead.get(0).value()).hasSizeLessThan(1_048_576).containsOnly((byte) 'x');
        assertThat(header(dead.get(1), "vigil.source.offset")).isEqualTo("1");
        assertThat(header(dead.get(1), "vigil.value.bytes")).isEqualTo("1048000");
        assertThat(dead.get(1).value()).hasSizeLessThan(1_048_000).containsOnly((byte) 'y');
        for (ConsumerRecord<byte[], byte[]> named : dead.subList(2, 4)) {
            assertThat(named.value()).isEqualTo(bytes("garbage"));
            assertThat(named.headers().headers("vigil.error")).hasSize(1);
            assertThat(header(named, "vigil.error")).isNotEqualTo("forged");
            assertThat(named.headers().toArray()).extracting(h -> h.key())
                    .allMatch(k -> !k.startsWith("vigil.x"));
        }
        assertThat(dead.get(2).key()).isNull();
    }

    /**
     * {@code count} headers whose names, {@code nameLength} long, start with {@code vigil.}, of {@code valueLength}
     * bytes each, and a forged {@code vigil.error}.
     */
    private static List<Header> vigilNamedHeaders(final int count, final int nameLength, final int valueLength) {
        final List<Header> headers = new ArrayList<>();
        headers.add(new RecordHeader("vigil.error", bytes("forged")));
        for (int i = 0; i < count; i++) {
            headers.add(new RecordHeader("vigil.x" + "k".repeat(nameLength) + i, new byte[valueLength]));
        }
        return headers;
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The rules in {@code yaml}, from a file of the test {@code name}. */
    private static RuleSet rules(final String name, final String yaml) throws Exception {
        return RuleLoader.load(List.of(Files.writeString(dir.resolve(name + ".yaml"), yaml))).ruleSet();
    }

    /**
     * An engine of the test {@code name} (its own topics, application and state), run until {@code condition} holds;
     * it must keep running till then.
     */
    private static void runUntil(final String name, final RuleSet rules, final Runnable condition) {
        final VigilConfig config = broker.engineConfig(name, Map.of());
        try (VigilEngine engine = VigilEngine.start(config, rules, dir.resolve(name), new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(120))
                    .failFast("Kafka Streams stopped", () -> !engine.state().isRunningOrRebalancing())
                    .untilAsserted(condition::run);
        }
    }

    private static void createTopic(final String topic, final Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Records {@code [from, to)} of {@code topic}, each the text {@code record} gives, without keys. */
    private static void produce(final String topic, final int from, final int to, final IntFunction<String> record) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, null, record.apply(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** Points {@code [from, to)} of node-1's CPU, one a second with up to 6 ms of jitter, at full precision. */
    private static void produceSecondly(final int from, final int to, final IntToDoubleFunction cpu) {
        final Random random = new Random(from);
        produce("metrics-state", from, to, i -> TopologyTest.point("node-1",
                cpu.applyAsDouble(i) + random.nextDouble() / 1e6, T0 + i * 1_000L + random.nextInt(7)));
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String topic) {
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "oversize-test-" + topic), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
