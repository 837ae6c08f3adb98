package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The wait for a new topic's leaders ({@link TopicSetup#awaitLeaders}) against a real broker: once it returns, the
 * broker holds a log for every partition, and a producer writing at once, several requests in flight, loses nothing.
 */
class TopicLeadersIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();
    static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void closeAdmin() {
        admin.close();
    }

    @Test
    void returnsOnceTheBrokerHoldsALogForEveryPartition() throws Exception {
        admin.createTopics(List.of(new NewTopic("eight", 8, (short) 1))).all().get();

        TopicSetup.awaitLeaders(admin, List.of("eight"), Duration.ofSeconds(30));

        final int brokerId = admin.describeCluster().nodes().get().iterator().next().id();
        final Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(brokerId)).allDescriptions().get()
                .get(brokerId);
        final Set<TopicPartition> logs = dirs.values().stream().flatMap(d -> d.replicaInfos().keySet().stream())
                .filter(tp -> tp.topic().equals("eight")).collect(Collectors.toSet());
        assertThat(logs).hasSize(8);
    }

    @Test
    void aProducerWritingAtOnceWithRequestsInFlightLosesNothing() throws Exception {
        admin.createTopics(List.of(new NewTopic("filled", 4, (short) 1))).all().get();
        TopicSetup.awaitLeaders(admin, List.of("filled"), Duration.ofSeconds(30));

        final int records = 20_000;
        final List<Future<RecordMetadata>> sent = new ArrayList<>();
        // Small batches, five requests in flight (the default), and a delivery timeout that ends a refused batch in
        // seconds, not the default two minutes.
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                ProducerConfig.BATCH_SIZE_CONFIG, 4_096,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                sent.add(producer.send(new ProducerRecord<>("filled", "node-" + i, new byte[100])));
            }
        }
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            latest.put(new TopicPartition("filled", p), OffsetSpec.latest());
        }
        final long written = admin.listOffsets(latest).all().get().values().stream()
                .mapToLong(ListOffsetsResultInfo::offset).sum();
        assertThat(written).isEqualTo(records);
    }

    @Test
    void aTopicThatDoesNotExistIsAnErrorOnceTheTimeoutIsUp() {
        assertThatThrownBy(() -> TopicSetup.awaitLeaders(admin, List.of("absent"), Duration.ofSeconds(1)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageStartingWith("the partitions of [absent] had no leader that answered within 1s (");
    }
}
