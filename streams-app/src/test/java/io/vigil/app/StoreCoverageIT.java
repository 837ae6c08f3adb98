package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StoreCoverage} on a real broker: two instances each reading the task the assignment gives it, then one of
 * them given the other's task back and held restoring it.
 */
class StoreCoverageIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();
    @TempDir
    Path dir;

    private static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.table("coverage-in", Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("s")
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        return builder.build();
    }

    private Properties props(final String name, final int port) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "coverage");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + port);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        return props;
    }

    private static void send(final int from, final int to) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>("coverage-in", i % 2, "k" + i, "v" + i));
            }
        }
    }

    private static long entries(final KafkaStreams streams) {
        return streams.store(StoreQueryParameters.fromNameAndType("s", QueryableStoreTypes.keyValueStore()))
                .approximateNumEntries();
    }

    @Test
    void aShareIsWholeOnlyWhileEveryPartitionTheAssignmentGivesCanBeRead() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("coverage-in", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        send(0, 10);
        final AtomicBoolean hold = new AtomicBoolean();
        final CountDownLatch release = new CountDownLatch(1);
        final Topology topology = topology();
        final KafkaStreams a = new KafkaStreams(topology, props("a", 1));
        a.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(final TopicPartition partition, final String store, final long from,
                                       final long to) {
                if (hold.get()) {
                    try {
                        release.await(120, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onBatchRestored(final TopicPartition partition, final String store, final long end,
                                        final long restored) {
            }

            @Override
            public void onRestoreEnd(final TopicPartition partition, final String store, final long restored) {
            }
        });
        final StoreCoverage coverage = StoreCoverage.of(a, new HostInfo("localhost", 1), "coverage",
                topology.describe(), Set.of("s"));
        try {
            a.start();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> entries(a) == 10);
            // b takes one of the two tasks, and keeps its changelog going while it holds it.
            try (KafkaStreams b = new KafkaStreams(topology(), props("b", 2))) {
                b.start();
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                        .until(() -> entries(b) == 5 && entries(a) == 5);
                send(10, 20);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> entries(b) == 10 && entries(a) == 10);
                // Running, each reads the one task the assignment gives it: nothing is missing.
                assertThat(coverage.unreadable()).isEmpty();
                // b leaves: a is given its task back and restores what b added, held there.
                hold.set(true);
                b.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
            }
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(coverage.unreadable())
                        .isNotEmpty());
                assertThatThrownBy(coverage::requireWhole).isInstanceOf(InvalidStateStoreException.class)
                        .hasMessageStartingWith("restoring s/");
            } finally {
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> entries(a) == 20);
            assertThat(coverage.unreadable()).isEmpty();
        } finally {
            release.countDown();
            a.close(Duration.ofSeconds(30));
        }
    }
}
