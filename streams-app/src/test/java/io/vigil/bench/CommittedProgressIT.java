package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.app.EmbeddedBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bench's wait for an application to have processed its input, against a real broker: it ends when the committed
 * offsets reach the end (and, for an engine, nothing is held back or uncommitted), and at once, saying so, when the
 * application has failed (it used to wait out its timeout).
 */
class CommittedProgressIT {

    private static final String TOPIC = "input";
    private static final String ALERTS = "alerts";

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();
    static Admin admin;

    @BeforeAll
    static void fillTopic() throws Exception {
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "a")).get();
            producer.send(new ProducerRecord<>(TOPIC, "b")).get();
        }
    }

    @AfterAll
    static void closeAdmin() {
        admin.close();
    }

    @Test
    void anApplicationThatFailedIsGivenUpOnAtOnce() {
        assertThatThrownBy(() -> CommittedProgress.awaitCaughtUp(admin, "failed-app", TOPIC, Duration.ofMinutes(10),
                () -> KafkaStreams.State.ERROR))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("failed-app stopped (Kafka Streams state ERROR) before it had processed input: its log"
                        + " above says why");
    }

    @Test
    void aRunningApplicationIsWaitedForUntilItHasCommittedTheEnd() throws Exception {
        assertThatThrownBy(() -> CommittedProgress.awaitCaughtUp(admin, "running-app", TOPIC, Duration.ZERO,
                () -> KafkaStreams.State.RUNNING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("had not processed input within");

        admin.alterConsumerGroupOffsets("running-app", Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(2)))
                .all().get();
        final long before = System.nanoTime();
        assertThat(CommittedProgress.awaitCaughtUp(admin, "running-app", TOPIC, Duration.ofMinutes(10),
                () -> KafkaStreams.State.RUNNING)).isGreaterThanOrEqualTo(before);
    }

    @Test
    void anEngineWithWorkPutOffOrATransactionOpenOnItsOutputIsNotDone() throws Exception {
        admin.createTopics(List.of(new NewTopic(ALERTS, 1, (short) 1))).all().get();
        admin.alterConsumerGroupOffsets("holding-app", Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(2)))
                .all().get();
        final Set<String> outputs = Set.of(ALERTS);
        assertThatThrownBy(() -> CommittedProgress.awaitCaughtUp(admin, "holding-app", TOPIC, outputs, Duration.ZERO,
                () -> KafkaStreams.State.RUNNING, () -> 1))
                .as("every input offset committed, a task holding instants it put off")
                .hasMessageContaining("had not processed input within");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "transactional.id", "holding-app-0"),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(ALERTS, "firing")).get();
            assertThatThrownBy(() -> CommittedProgress.awaitCaughtUp(admin, "holding-app", TOPIC, outputs,
                    Duration.ZERO, () -> KafkaStreams.State.RUNNING, () -> 0))
                    .as("an alert written, its transaction open").hasMessageContaining("had not processed input within");

            producer.commitTransaction();
        }
        final long before = System.nanoTime();
        assertThat(CommittedProgress.awaitCaughtUp(admin, "holding-app", TOPIC, outputs, Duration.ofMinutes(10),
                () -> KafkaStreams.State.RUNNING, () -> 0)).isGreaterThanOrEqualTo(before);
    }
}
