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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker, whose producers refuse a record above {@code max.request.size} (1 MiB): a rule with a window of
 * two days over one series scraped every second, with the jitter of real timestamps and full-precision values, holds
 * a state of about 1.3 MB (evaluated every ten minutes: each evaluation aggregates its whole window). It reaches the changelog in records of at most 256 KiB; the engine keeps running, and a
 * restart restores the state whole: the alert that fired before it resolves after it, once. (Until 2026-12-04 the
 * first commit of that state failed the stream thread, and so did every restart.)
 */
class LargeSeriesStateIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final int POINTS = 120_000;

    @TempDir
    static Path dir;
    static EmbeddedKafka broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aStateLargerThanARecordIsCommittedAndRestored() throws Exception {
        final Path rulesFile = Files.writeString(dir.resolve("rules.yaml"), """
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
        final RuleSet rules = RuleLoader.load(List.of(rulesFile)).ruleSet();
        final VigilConfig config = ConfigLoader.load(null, Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final List<AlertEvent> events = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "large-state-test"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            alerts.subscribe(List.of("alerts"));
            // A day and a half of points between 0.6 and 0.93, then twenty minutes at 0.99: the alert fires at the end.
            produce(0, POINTS, i -> i >= POINTS - 1_200 ? 0.99 : 0.6 + (i % 34) / 100.0);
            runUntil(config, rules, alerts, events, EventStatus.FIRING);
            // Restarted on the changelog: the state, alert included, comes back whole, and the alert resolves.
            produce(POINTS, POINTS + 1_200, i -> 0.5);
            runUntil(config, rules, alerts, events, EventStatus.RESOLVED);
        }
        assertThat(events).extracting(AlertEvent::status).filteredOn(s -> s != EventStatus.PENDING)
                .containsExactly(EventStatus.FIRING, EventStatus.RESOLVED);
    }

    /** An engine on the test's state, until {@code status} is on the alerts topic; it must keep running till then. */
    private static void runUntil(final VigilConfig config, final RuleSet rules, final KafkaConsumer<byte[], byte[]> alerts,
                                 final List<AlertEvent> events, final EventStatus status) {
        try (VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("streams"), new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(120))
                    .failFast("Kafka Streams stopped", () -> !engine.state().isRunningOrRebalancing())
                    .untilAsserted(() -> {
                        alerts.poll(Duration.ofMillis(200)).forEach(r -> events.add(AlertEventJson.read(r.value())));
                        assertThat(events).anyMatch(e -> e.status() == status);
                    });
        }
    }

    /** Points {@code [from, to)} of node-1's CPU, one a second with up to 6 ms of jitter, at full precision. */
    private static void produce(final int from, final int to, final IntToDoubleFunction cpu) {
        final Random random = new Random(from);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                final double value = cpu.applyAsDouble(i) + random.nextDouble() / 1e6;
                producer.send(new ProducerRecord<>("metrics", null, TopologyTest.point("node-1", value,
                        T0 + i * 1_000L + random.nextInt(7)).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
