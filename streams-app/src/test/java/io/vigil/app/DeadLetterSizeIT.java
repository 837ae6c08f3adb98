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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * On a real broker: bad records too large to dead-letter whole, as the engine's producer and the dead-letter topic
 * take at most 1 MiB. An input topic configured for larger messages carries a record of 3 MB, refused unread
 * ({@code record_too_large}), and one just under the 1 MiB limit that is not JSON: each goes to the dead-letter topic
 * with its reason and source, its value cut to what fits and the cut said in a header, and the stream goes on to the
 * good record behind them. (Until 2026-12-04 such a record failed the stream thread, at every restart again.)
 */
class DeadLetterSizeIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();

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
    void recordsTooLargeToDeadLetterWholeAreDeadLetteredCutAndTheStreamGoesOn() throws Exception {
        final Path rulesFile = Files.writeString(dir.resolve("rules.yaml"), TopologyTest.RULES);
        final RuleSet rules = RuleLoader.load(List.of(rulesFile)).ruleSet();
        final VigilConfig config = ConfigLoader.load(null, Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        final byte[] huge = new byte[3_000_000];
        Arrays.fill(huge, (byte) 'x');
        final byte[] notJson = new byte[1_048_000];
        Arrays.fill(notJson, (byte) 'y');
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("metrics", "k".getBytes(StandardCharsets.UTF_8), huge)).get();
            producer.send(new ProducerRecord<>("metrics", null, notJson)).get();
            for (int step = 0; step < 8; step++) {
                producer.send(new ProducerRecord<>("metrics", null, TopologyTest.point("node-1", 97,
                        T0 + step * 10_000L).getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        final List<AlertEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> dlq = consumer("metrics.dlq");
             KafkaConsumer<byte[], byte[]> alerts = consumer("alerts");
             VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("streams"), new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(90))
                    .failFast("Kafka Streams stopped", () -> !engine.state().isRunningOrRebalancing())
                    .untilAsserted(() -> {
                        dlq.poll(Duration.ofMillis(100)).forEach(dead::add);
                        alerts.poll(Duration.ofMillis(100)).forEach(r -> events.add(AlertEventJson.read(r.value())));
                        assertThat(dead).hasSize(2);
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
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String topic) {
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-size-" + topic), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
