package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka's Application Reset Tool on a Vigil application, run as docs/reliability.md ("Input partitions") tells an
 * operator to: stop every instance, {@code kafka-streams-application-reset.sh --bootstrap-server B --application-id ID
 * --input-topics T --by-duration PT1H}, empty {@code DATA_DIR/streams/ID}, start. The input holds an incident three
 * hours old, which the application paged when it first ran, and one of the last five minutes: the start after the
 * reset pages the recent one again and not the old one, on internal topics made anew (for the input partitions there
 * are now, when some were added).
 */
class ApplicationResetIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @TempDir
    Path dir;

    /** @param protocol {@code kafka.group.protocol}: the application's group is a consumer group or a streams group */
    @ParameterizedTest
    @ValueSource(strings = {"classic", "streams"})
    void aResetDeletesEveryInternalTopicAndTheStartAfterItPagesTheIncidentsOfTheSpanItWasGivenAlone(
            final String protocol) throws Exception {
        final String topic = "metrics-reset-" + protocol;
        final String app = "vigil-reset-" + protocol;
        createTopic(topic, 1);
        final long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            produceOldIncident(producer, topic, 0, now);
            CpuIncidents.produceHot(producer, topic, 0, "node-now", now - Duration.ofMinutes(5).toMillis(), null);
        }
        final VigilConfig config = wholeRetention("reset-" + protocol, topic,
                Map.of("VIGIL_KAFKA_GROUP_PROTOCOL", protocol));
        final RuleSet rules = CpuIncidents.ruleSet(dir.resolve("rules.yaml"));
        final Path streams = dir.resolve("streams");
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                config.alertsTopic())) {
            assertThat(CpuIncidents.firingInstances(config, rules, streams, alerts, "node-then", "node-now"))
                    .containsExactly("node-now", "node-then");
        }
        final Set<String> before = topicsOf(app);
        assertThat(before).as("the application's topics").containsAll(TopicSetup.repartitionTopics(app))
                .anyMatch(t -> t.endsWith("-changelog"));
        // A changelog of application ID-eu, as another deployment on the same cluster would have: the tool tells an
        // application's internal topics by their names alone, so it takes that one for this application's, as
        // docs/reliability.md warns (should Kafka ever tell them apart, this fails and the warning can go).
        final String another = app + "-eu-vigil-series-changelog";
        createTopic(another, 1);

        reset(app, topic, streams);

        // Every topic named after the application is gone, its state (windows, alerts, progress) with it, and so is
        // the other application's changelog.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(topicsOf(app))
                .as("the topics named after the application after the reset; before it: %s, and %s", before, another)
                .isEmpty());
        // The group keeps one offset, where node-now's records start (node-then's 30 come first): the topics it had
        // committed on and the reset deleted lost theirs, so the ones the start makes anew are read from their start.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(committed(app))
                .isEqualTo(Map.of(new TopicPartition(topic, 0), 30L)));

        assertThat(firingFromNow(config, rules, streams, "node-now")).containsExactly("node-now");
    }

    @Test
    void theResetOfTheScalingProcedureLetsTheApplicationStartOnTheAddedPartitions() throws Exception {
        final String topic = "metrics-scale";
        final String app = "vigil-scale";
        createTopic(topic, 2);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            produceOldIncident(producer, topic, 0, System.currentTimeMillis());
        }
        final VigilConfig config = wholeRetention("scale", topic, Map.of());
        final RuleSet rules = CpuIncidents.ruleSet(dir.resolve("rules.yaml"));
        final Path streams = dir.resolve("streams");
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                config.alertsTopic())) {
            assertThat(CpuIncidents.firingInstances(config, rules, streams, alerts, "node-then"))
                    .containsExactly("node-then");
        }
        // Stopped; the topic grows, and producers write to every partition of it, the new ones too.
        grow(topic, 4);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            final long now = System.currentTimeMillis();
            CpuIncidents.produceHot(producer, topic, 3, "node-now", now - Duration.ofMinutes(5).toMillis(), null);
        }
        assertThatThrownBy(() -> VigilEngine.start(config, rules, streams, new SimpleMeterRegistry()))
                .as("a start before the reset").isInstanceOf(ConfigException.class)
                .hasMessageContaining("internal topics of application vigil-scale were made for 2");

        reset(app, topic, streams);

        // node-now's records are on an added partition: the application reads it.
        assertThat(firingFromNow(config, rules, streams, "node-now")).containsExactly("node-now");
    }

    /**
     * What the documentation has an operator do once every instance is stopped: the tool, by a duration that covers
     * node-now's incident and not node-then's, then the application's state directory emptied. (Every store of Vigil
     * is in memory, so Kafka Streams writes nothing there today; the step keeps the documented procedure whole.)
     */
    private static void reset(final String app, final String topic, final Path streams) throws IOException {
        final ApplicationResetTool.Outcome reset = ApplicationResetTool.run(broker.bootstrapServers(),
                "--application-id", app, "--input-topics", topic, "--by-duration", "PT1H");
        assertThat(reset.status()).as("the reset tool's exit status; it printed:%n%s", reset.output()).isZero();
        Utils.delete(streams.resolve(app).toFile());
    }

    /**
     * The configuration of application vigil-NAME on {@code topic}, then {@code more}, reading the whole retention
     * where it has no offset: where a start after the reset reads from is then the reset's doing, not the lookback's,
     * which would leave node-then out by itself.
     */
    private static VigilConfig wholeRetention(final String name, final String topic, final Map<String, String> more) {
        final Map<String, String> env = new HashMap<>(more);
        env.putAll(Map.of("VIGIL_TOPICS_METRICS", topic, "VIGIL_TOPICS_METRICS_LOOKBACK", "all"));
        return broker.engineConfig(name, env);
    }

    /** node-then's incident, in records stamped three hours ago as its points are. */
    private static void produceOldIncident(final KafkaProducer<byte[], byte[]> producer, final String topic,
                                           final int partition, final long now) {
        final long threeHoursAgo = now - Duration.ofHours(3).toMillis();
        CpuIncidents.produceHot(producer, topic, partition, "node-then", threeHoursAgo, threeHoursAgo);
    }

    /** The instances an engine started now pages CpuHigh for, once it has paged {@code expected}. */
    private static Set<String> firingFromNow(final VigilConfig config, final RuleSet rules, final Path streams,
                                             final String... expected) {
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommittedFromNow(broker.bootstrapServers(),
                config.alertsTopic())) {
            return CpuIncidents.firingInstances(config, rules, streams, alerts, expected);
        }
    }

    private static Set<String> topicsOf(final String app) throws Exception {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(app + "-")).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Map<TopicPartition, Long> committed(final String group) throws Exception {
        try (Admin admin = admin()) {
            final Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, o) -> offsets.put(tp, o == null ? null : o.offset()));
            return offsets;
        }
    }

    /**
     * Created here, with the producers' timestamps (Vigil creates its topics with the broker's append time): so that
     * an input's records can be hours old, as in a topic that has held metrics for a while, for a reset by duration.
     */
    private static void createTopic(final String topic, final int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void grow(final String topic, final int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                TestProducers.ONE_BATCH_IN_FLIGHT, 1), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }
}
