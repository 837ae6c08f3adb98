package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.rules.RuleSet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An input partition idle when its reader stopped is idle still for the next reader, on a real broker: a topic that
 * never had a record (one of two formats a deployment lists) does not hold a restarted engine's evaluation back for
 * the idle timeout. The second run's timeout is ten minutes, so only the idleness the first run stored lets it
 * evaluate within the test's wait.
 */
class IdleAcrossRestartIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final String METRICS = "metrics-idle-restart";
    private static final String SILENT = "silent-idle-restart";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @Test
    void aTopicThatNeverHadARecordDoesNotHoldTheRestartedEngineBack() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(METRICS, 1, (short) 1), new NewTopic(SILENT, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        final RuleSet rules = CpuIncidents.ruleSet(dir.resolve("rules.yaml"));
        final List<AlertEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                "alerts-idle-restart")) {
            produce(0, 30);
            try (VigilEngine engine = VigilEngine.start(config("2s"), rules, dir.resolve("first"),
                    new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, events, 1);
            }
            assertThat(events).extracting(e -> e.status().name()).containsExactly("FIRING");
            events.clear();

            produce(30, 60);
            // A new state directory, as where a task moves to another instance: the stored idleness comes back
            // from the changelog.
            try (VigilEngine engine = VigilEngine.start(config("10m"), rules, dir.resolve("second"),
                    new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, events, 1);
            }
            assertThat(events).extracting(e -> e.status().name()).containsExactly("RESOLVED");
        }
    }

    private static VigilConfig config(final String idleTimeout) {
        return broker.engineConfig("idle-restart", Map.of("VIGIL_TOPICS_METRICS", METRICS + "," + SILENT,
                "VIGIL_EVALUATION_IDLE_TIMEOUT", idleTimeout));
    }

    /** node-07 at 97 from the tenth step to the fortieth. */
    private static void produce(final int from, final int to) {
        TestProducers.fourNodes(broker.bootstrapServers(), METRICS, T0, from, to, step -> step >= 10 && step < 40);
    }
}
