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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * On a real broker, whose producers refuse a record above {@code max.request.size} (1 MiB): an outlier rule over one
 * peer group of 40,000 members, whose values at one instant are about 2 MB. They cross the peers topic and wait in the
 * peer stage's changelog in records of at most about 256 KiB; the engine keeps running and the member far below its
 * peers is found. (Until 2026-12-04 one such group failed the stream thread at every start.)
 */
class LargePeerGroupIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final int MEMBERS = 40_000;
    private static final int STEPS = 6;
    private static final String LOW = "node-00007";

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
    void anOutlierAmongFortyThousandPeersIsFoundAndTheEngineKeepsRunning() throws Exception {
        final Path rulesFile = Files.writeString(dir.resolve("rules.yaml"), """
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
        final RuleSet rules = RuleLoader.load(List.of(rulesFile)).ruleSet();
        final VigilConfig config = ConfigLoader.load(null, Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            // One partition: one evaluation task holds every member, so its pass's values for the group are ~2 MB too.
            admin.createTopics(List.of(new NewTopic("metrics", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        produce();

        final List<AlertEvent> events = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "large-peer-group-test"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("streams"), new SimpleMeterRegistry())) {
            alerts.subscribe(List.of("alerts"));
            await().atMost(Duration.ofSeconds(120))
                    .failFast("Kafka Streams stopped", () -> !engine.state().isRunningOrRebalancing())
                    .untilAsserted(() -> {
                        alerts.poll(Duration.ofMillis(200)).forEach(r -> events.add(AlertEventJson.read(r.value())));
                        assertThat(events).anyMatch(e -> e.status() == EventStatus.FIRING);
                    });
            assertThat(engine.state().isRunningOrRebalancing()).isTrue();
        }
        assertThat(events).allSatisfy(e -> assertThat(e.labels().get("instance")).isEqualTo(LOW));
    }

    /** Every member at 40 to 50 % CPU, one at 2 %, for {@link #STEPS} scrapes 10 s apart. */
    private static void produce() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int step = 0; step < STEPS; step++) {
                for (int n = 0; n < MEMBERS; n++) {
                    final String instance = String.format("node-%05d", n);
                    final double cpu = instance.equals(LOW) ? 2 : 40 + n % 11;
                    producer.send(new ProducerRecord<>("metrics", null, TopologyTest.point(instance, cpu,
                            T0 + step * 10_000L).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }
}
