package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new application on a metrics topic that holds hours of history: by default it reads the history its rules look
 * at, plus an hour, so an incident three hours old is not paged again; {@code topics.metrics_lookback: all} reads the
 * whole retention, and pages it. An application that has run reads whole what it has not read yet.
 */
class MetricsLookbackIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @TempDir
    static Path dir;

    private static final String TOPIC = "metrics-lookback";

    @BeforeAll
    static void fillTheTopicWithAnOldIncidentAndACurrentOne() throws Exception {
        // Created here, not by Vigil, with the producers' timestamps (Vigil's own topics take the broker's append
        // time): so that records can be three hours old, as in a topic that has held metrics for a while.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            final long threeHoursAgo = now - Duration.ofHours(3).toMillis();
            CpuIncidents.produceHot(producer, TOPIC, 0, "node-then", threeHoursAgo, threeHoursAgo);
            final long fiveMinutesAgo = now - Duration.ofMinutes(5).toMillis();
            CpuIncidents.produceHot(producer, TOPIC, 0, "node-now", fiveMinutesAgo, null);
            producer.flush();
        }
    }

    @Test
    void aNewApplicationReadsAnHourMoreThanItsRulesLookAtAndDoesNotPageAnIncidentThreeHoursOld() throws Exception {
        final VigilConfig config = broker.engineConfig("lookback", Map.of("VIGIL_TOPICS_METRICS", TOPIC));
        assertThat(config.metricsLookback()).isEqualTo(new MetricsLookback.Auto());

        assertThat(firingInstances(config, "auto", "node-now")).containsExactly("node-now");
    }

    @Test
    void theStartCountsTheRecordsTheLookbackLeavesOut() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(FirstStart.olderRecords(admin, List.of(TOPIC), Duration.ofHours(1))).isEqualTo(30);
            assertThat(FirstStart.olderRecords(admin, List.of(TOPIC), Duration.ofHours(4))).isZero();
            assertThat(FirstStart.olderRecords(admin, List.of(TOPIC), Duration.ofMillis(1)))
                    .as("no record that recent: all 60 are left out").isEqualTo(60);
        }
    }

    @Test
    void lookbackAllReadsTheWholeRetentionAndPagesTheOldIncidentToo() throws Exception {
        final VigilConfig config = broker.engineConfig("lookback-all", Map.of("VIGIL_TOPICS_METRICS", TOPIC,
                "VIGIL_TOPICS_METRICS_LOOKBACK", "all"));

        assertThat(firingInstances(config, "all", "node-then", "node-now")).containsExactly("node-now", "node-then");
    }

    @Test
    void anApplicationThatHasRunReadsATopicAddedToItWhole() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-known", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            final VigilConfig first = broker.engineConfig("lookback-known",
                    Map.of("VIGIL_TOPICS_METRICS", "metrics-known"));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                // Four hours old in event time (written now): the evaluation's clock starts behind node-then's
                // incident, so that its points are not late when the second run reads them.
                producer.send(new ProducerRecord<>("metrics-known", TopologyTest.point("node-known", 40,
                        System.currentTimeMillis() - Duration.ofHours(4).toMillis()).getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            try (VigilEngine engine = VigilEngine.start(first, ruleSet("known"), dir.resolve("known"),
                    new SimpleMeterRegistry())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> !admin
                        .listConsumerGroupOffsets("vigil-lookback-known").partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS).isEmpty());
            }
        }
        // The same application, a topic more: the offsets it committed make it one that has run, whose new input
        // partitions hold records that came while it was meant to read them.
        final VigilConfig second = broker.engineConfig("lookback-known",
                Map.of("VIGIL_TOPICS_METRICS", "metrics-known," + TOPIC));

        assertThat(firingInstances(second, "known-again", "node-then", "node-now"))
                .containsExactly("node-now", "node-then");
    }

    /** The instances an engine pages CpuHigh for, once it has paged {@code expected}, and for 3 s more. */
    private static Set<String> firingInstances(final VigilConfig config, final String name, final String... expected)
            throws Exception {
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                config.alertsTopic())) {
            return CpuIncidents.firingInstances(config, ruleSet(name), dir.resolve(name), alerts, expected);
        }
    }

    private static RuleSet ruleSet(final String name) throws Exception {
        return CpuIncidents.ruleSet(dir.resolve(name + ".yaml"));
    }
}
