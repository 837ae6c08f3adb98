package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

    private static final String RULES = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 90}
            """;

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
            produceHot(producer, "node-then", threeHoursAgo, threeHoursAgo);
            final long fiveMinutesAgo = now - Duration.ofMinutes(5).toMillis();
            produceHot(producer, "node-now", fiveMinutesAgo, null);
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

    /**
     * The instances an engine pages CpuHigh for, once it has paged {@code expected}, and for 3 s more: node-then's
     * records come first in the partition, so an engine that read them has paged it by the time node-now fires.
     */
    private static Set<String> firingInstances(final VigilConfig config, final String name, final String... expected)
            throws Exception {
        final Set<String> firing = new TreeSet<>();
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                config.alertsTopic());
             VigilEngine engine = VigilEngine.start(config, ruleSet(name), dir.resolve(name),
                     new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                poll(alerts, firing);
                assertThat(firing).contains(expected);
            });
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                poll(alerts, firing);
                assertThat(firing).containsExactlyInAnyOrder(expected);
            });
        }
        return firing;
    }

    private static RuleSet ruleSet(final String name) throws Exception {
        final LoadResult loaded = RuleLoader.load(List.of(Files.writeString(dir.resolve(name + ".yaml"), RULES)));
        assertThat(loaded.problems()).isEmpty();
        return loaded.ruleSet();
    }

    private static void poll(final KafkaConsumer<byte[], byte[]> alerts, final Set<String> firing) {
        alerts.poll(Duration.ofMillis(200)).forEach(r -> {
            final AlertEvent event = AlertEventJson.read(r.value());
            if (event.status() == EventStatus.FIRING) {
                firing.add(event.labels().get("instance"));
            }
        });
    }

    /**
     * 30 points of CPU at 97, one each 10 s of event time from {@code from}, each in a record stamped
     * {@code recordTime} (null: the producer's clock, now).
     */
    private static void produceHot(final KafkaProducer<byte[], byte[]> producer, final String instance,
                                   final long from, final Long recordTime) {
        for (int step = 0; step < 30; step++) {
            final long at = from + step * 10_000L;
            producer.send(new ProducerRecord<>(TOPIC, 0, recordTime == null ? null : at, null,
                    TopologyTest.point(instance, 97, at).getBytes(StandardCharsets.UTF_8)));
        }
    }
}
