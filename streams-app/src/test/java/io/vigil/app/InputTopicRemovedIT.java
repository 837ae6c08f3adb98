package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic taken out of {@code topics.metrics} while the engine was stopped: the evaluation tasks' clocks, restored
 * from their stores, named its partition, which nothing read any more to send its watermark or announce it idle, so
 * event time stopped for good, no alert fired or resolved, and nothing was said (a conformance audit, 2026-12-07).
 * Now the restarted engine lets such a partition go, saying so, and evaluates on.
 */
class InputTopicRemovedIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @Test
    void aTopicTakenOutOfTheInputNoLongerHoldsEvaluationBack() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-removed", 2, (short) 1),
                    new NewTopic("extra-removed", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final RuleSet rules = CpuIncidents.ruleSet(dir.resolve("rules.yaml"));
        final List<AlertEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                "alerts-removed")) {
            produce("extra-removed", 0, 1, 40);
            produce("metrics-removed", 0, 30, 97);
            try (VigilEngine engine = VigilEngine.start(broker.engineConfig("removed",
                    Map.of("VIGIL_TOPICS_METRICS", "metrics-removed,extra-removed")), rules, dir.resolve("first"),
                    new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, events, 1);
            }
            assertThat(events).extracting(e -> e.status().name()).containsExactly("FIRING");
            events.clear();

            produce("metrics-removed", 30, 60, 40);
            try (CapturedLogs logs = new CapturedLogs();
                 VigilEngine engine = VigilEngine.start(broker.engineConfig("removed", Map.of()), rules,
                         dir.resolve("second"), new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, events, 1);
                assertThat(logs.text()).contains("input partition extra-removed/0 is no longer read (its topic is not"
                        + " in topics.metrics, or has fewer partitions now): event time no longer waits for it");
            }
        }
        assertThat(events).extracting(e -> e.status().name() + " " + e.endsAt().orElseThrow())
                .containsExactly("RESOLVED 2022-06-21T06:05:00Z");
    }

    /** node-07 at {@code cpu}, one point each 10 s of event time from step {@code from} to {@code to}. */
    private static void produce(final String topic, final int from, final int to, final double cpu) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int step = from; step < to; step++) {
                producer.send(new ProducerRecord<>(topic, null, TopologyTest.point("node-07", cpu, T0 + step * 10_000L)
                        .getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
