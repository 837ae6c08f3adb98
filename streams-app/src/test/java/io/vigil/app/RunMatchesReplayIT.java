package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker: the alert events {@code vigil run} writes to the alerts topic are the ones {@code vigil replay}
 * prints for the same records, and bad records land on the dead-letter topic with their reasons.
 */
class RunMatchesReplayIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final int NODES = 12;
    private static final int STEPS = 900;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /** 12 nodes x 900 steps of CPU, three nodes with incidents of different lengths, plus 5 bad records. */
    static List<String> records() {
        final Random random = new Random(42);
        final List<String> lines = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            final long ts = T0 + step * 10_000L;
            for (int n = 0; n < NODES; n++) {
                double cpu = 40 + 10 * random.nextDouble();
                if (n == 3 && step >= 100 && step < 130 || n == 7 && step >= 400 && step < 404
                        || n == 9 && (step / 50) % 3 == 1) {
                    cpu = 95 + random.nextDouble();
                }
                lines.add(TopologyTest.point("node-" + n, Math.round(cpu * 100) / 100.0, ts));
            }
            if (step % 200 == 50) {
                lines.add("{\"name\":\"cpu\",\"labels\":{\"instance\":\"node-1\"},\"value\":\"n/a\",\"timestamp\":" + ts + "}");
            }
        }
        return lines;
    }

    @Test
    void runOnAThreePartitionTopicWritesTheEventsReplayPrints() throws Exception {
        final List<String> records = records();
        assertThat(records.size()).isGreaterThanOrEqualTo(10_000);
        final Path rulesFile = dir.resolve("rules.yaml");
        Files.writeString(rulesFile, TopologyTest.RULES);
        final LoadResult rules = RuleLoader.load(List.of(rulesFile));
        assertThat(rules.problems()).isEmpty();

        final VigilConfig config = ConfigLoader.load(null, Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));

        // Expected: replay of the same lines.
        final Path input = dir.resolve("input.jsonl");
        Files.write(input, records);
        final List<AlertEvent> expected = new ArrayList<>();
        final Replay.Summary summary = Replay.run(rules.ruleSet(), config, List.of(input),
                json -> expected.add(AlertEventJson.read(json)));
        assertThat(summary.deadLetters()).isEqualTo(5);
        assertThat(expected).hasSizeGreaterThan(10);

        // Actual: the same lines produced to a 3-partition topic with no keys, then the engine.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (String line : records) {
                producer.send(new ProducerRecord<>("metrics", i++ % 3, null, line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        final List<AlertEvent> actual = new ArrayList<>();
        final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        try (VigilEngine engine = VigilEngine.start(config, rules.ruleSet(), dir.resolve("streams"), new SimpleMeterRegistry());
             KafkaConsumer<byte[], byte[]> alerts = consumer("alerts");
             KafkaConsumer<byte[], byte[]> dlq = consumer("metrics.dlq")) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                alerts.poll(Duration.ofMillis(200)).forEach(r -> actual.add(AlertEventJson.read(r.value())));
                dlq.poll(Duration.ofMillis(50)).forEach(dead::add);
                assertThat(actual).hasSameSizeAs(expected);
                assertThat(dead).hasSize(5);
            });
            assertThat(engine.state().isRunningOrRebalancing()).isTrue();
        }
        assertThat(byFingerprint(actual)).isEqualTo(byFingerprint(expected));
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertThat(new String(r.headers().lastHeader("vigil.error").value(), StandardCharsets.UTF_8)).contains("invalid_value");
            assertThat(new String(r.headers().lastHeader("vigil.source.topic").value(), StandardCharsets.UTF_8)).isEqualTo("metrics");
            assertThat(r.headers().lastHeader("vigil.source.offset")).isNotNull();
        }
    }

    /**
     * Keyed by host: each series stays on one of three partitions, where about a third are in the task that
     * evaluates them (their points handed over in the task) and the others cross the series repartition.
     */
    @Test
    void everyRuleKindOfTheRepositorysRulesMatchesReplayOnThreePartitions() throws Exception {
        final List<String> records = FleetRecords.withDatabaseHistory();
        final var rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final VigilConfig config = config("fleet");
        final List<AlertEvent> expected = replay(config, rules, records, "fleet.jsonl");
        // One incident of every kind is in the data, and each is found.
        assertThat(expected.stream().filter(e -> e.status() == io.vigil.alerts.EventStatus.FIRING)
                .map(e -> e.labels().get("alertname") + " " + e.labels().get("instance")).distinct())
                .contains("NodeCpuFarBelowPeers node-04", "NodeTrafficFarBelowPeers node-09",
                        "DatabaseConnectionsAnomalous db-1", "DatabaseConnectionsSurge db-1", "DatabaseSilent db-1")
                .doesNotContain("NodeTrafficFarBelowPeers node-02");

        assertThat(byFingerprint(runKeyedByHostOnThreePartitions("fleet", config, rules, records, expected.size())))
                .isEqualTo(byFingerprint(expected));
    }

    /**
     * The same fleet under Kafka's streams rebalance protocol, where Kafka Streams makes the main consumers itself
     * and the engine has them handed over to know its input lag (ConsumerLag).
     */
    @Test
    void underTheStreamsRebalanceProtocolEveryRuleKindMatchesReplay() throws Exception {
        final List<String> records = FleetRecords.generate();
        final var rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final VigilConfig config = config("streams-protocol", Map.of("VIGIL_KAFKA_GROUP_PROTOCOL", "streams"));
        assertThat(config.kafka()).containsEntry("group.protocol", "streams");
        final List<AlertEvent> expected = replay(config, rules, records, "streams-protocol.jsonl");

        assertThat(byFingerprint(runKeyedByHostOnThreePartitions("streams-protocol", config, rules, records,
                expected.size()))).isEqualTo(byFingerprint(expected));
    }

    /**
     * {@code records} keyed by host on a new three-partition topic {@code metrics-<name>}, through an engine of
     * {@code config} until {@code expected} events are on {@code alerts-<name>}; those events.
     */
    private static List<AlertEvent> runKeyedByHostOnThreePartitions(final String name, final VigilConfig config,
                                                                     final io.vigil.rules.RuleSet rules,
                                                                     final List<String> records, final int expected)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-" + name, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        produceKeyedByHost("metrics-" + name, records);
        final List<AlertEvent> actual = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-" + name);
             VigilEngine engine = VigilEngine.start(config, rules, dir.resolve(name), new SimpleMeterRegistry())) {
            TestConsumers.awaitAlertEvents(alerts, actual, expected);
            assertThat(engine.state().isRunningOrRebalancing()).isTrue();
        }
        return actual;
    }

    /**
     * Input keyed by host, so every series stays on one of three partitions, and {@code topics.partitioned_by_series}:
     * each task evaluates what it reads, with no series repartition, and a peer group's members meet in the peer stage
     * from whichever tasks read them. Then the same application started the other way refuses to run on state placed
     * this way.
     */
    @Test
    void inputPartitionedBySeriesIsEvaluatedWhereItIsReadWithTheEventsReplayPrints() throws Exception {
        final List<String> records = FleetRecords.generate();
        final var rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final VigilConfig config = config("byseries").withPartitionedBySeries(true);
        final List<AlertEvent> expected = replay(config, rules, records, "byseries.jsonl");
        assertThat(expected).hasSizeGreaterThan(10);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-byseries", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        produceKeyedByHost("metrics-byseries", records);
        final List<AlertEvent> actual = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-byseries");
             VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("byseries"), new SimpleMeterRegistry())) {
            TestConsumers.awaitAlertEvents(alerts, actual, expected.size());
        }
        assertThat(byFingerprint(actual)).isEqualTo(byFingerprint(expected));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .noneMatch(t -> t.startsWith("vigil-byseries") && t.contains(VigilTopology.SERIES_REPARTITION + "-repartition"));
        }

        assertThatThrownBy(() -> VigilEngine.start(config.withPartitionedBySeries(false), rules,
                dir.resolve("byseries-switched"), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("topics.partitioned_by_series: false, but application vigil-byseries has evaluated with it"
                        + " true (topic vigil-byseries-vigil-series-changelog), and its evaluation state is placed that"
                        + " way: set it back, or start afresh with a new kafka.application.id (the evaluation state,"
                        + " windows and firing alerts, is not carried over); or, if the application was reset with some"
                        + " of its internal topics deleted, delete this one too");
    }

    @Test
    void aSecondStreamThreadWhileBehindChangesNoAlert() throws Exception {
        // Ten fleets side by side (their own instances and clusters): a backlog long enough to be behind for a while.
        final List<String> records = new ArrayList<>();
        for (String line : FleetRecords.generate()) {
            for (int fleet = 0; fleet < 10; fleet++) {
                records.add(line.replace("\"instance\":\"", "\"instance\":\"f" + fleet + "-")
                        .replace("\"cluster\":\"", "\"cluster\":\"f" + fleet + "-"));
            }
        }
        final var rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final VigilConfig config = config("threads");
        final List<AlertEvent> expected = replay(config, rules, records, "threads.jsonl");
        assertThat(expected).hasSizeGreaterThan(50);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-threads", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // Behind as soon as a record waits, caught up after 5 checks: the engine starts with two threads, drops to one
        // once caught up on the first half, and gets the second back for the second half; each time, tasks (series
        // states, peer groups, clocks) move between threads through their changelogs.
        final CatchUpThreads.Policy eager =
                new CatchUpThreads.Policy(Duration.ofMillis(20), 1, 0, 1, 5, Duration.ZERO);
        final int half = records.size() / 2;
        // Keyed by host: a third of the series in the task that evaluates them, whose evaluation the task's two
        // nodes share wherever the task moves.
        produceKeyedByHost("metrics-threads", records.subList(0, half));
        final List<AlertEvent> actual = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-threads");
             VigilEngine engine = VigilEngine.start(config, new io.vigil.evaluation.LiveRules(rules),
                     dir.resolve("threads"), new SimpleMeterRegistry(), eager)) {
            final CatchUpThreads threads = engine.catchUpThreads().orElseThrow();
            assertThat(engine.streams().metadataForLocalThreads()).as("started behind")
                    .hasSize(CatchUpThreads.THREADS_WHEN_BEHIND);
            // The started pair counts as one addition: one thread left once removals catch up with it.
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.removals() == threads.additions() + 1
                    && oneThreadRunning(engine));

            final int before = threads.additions();
            produceKeyedByHost("metrics-threads", records.subList(half, records.size()));
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.additions() > before);
            TestConsumers.awaitAlertEvents(alerts, actual, expected.size());
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.removals() == threads.additions() + 1
                    && oneThreadRunning(engine));
            TestConsumers.awaitAlertEvents(alerts, actual, expected.size()); // nothing more after the thread has gone
        }
        assertThat(byFingerprint(actual)).isEqualTo(byFingerprint(expected));
        try (VigilEngine restarted = VigilEngine.start(config, new io.vigil.evaluation.LiveRules(rules),
                dir.resolve("threads-restarted"), new SimpleMeterRegistry(), eager)) {
            assertThat(restarted.streams().metadataForLocalThreads()).as("started caught up").hasSize(1);
        }
    }

    @Test
    void aRestartedEngineNeitherRefiresNorForgets() throws Exception {
        final List<String> records = records();
        final int half = records.size() / 2;
        final Path rulesFile = dir.resolve("restart-rules.yaml");
        Files.writeString(rulesFile, TopologyTest.RULES);
        final var rules = RuleLoader.load(List.of(rulesFile)).ruleSet();
        final VigilConfig config = config("restart");
        final List<AlertEvent> expectedFirstHalf = replay(config, rules, records.subList(0, half), "first-half.jsonl");
        final List<AlertEvent> expected = replay(config, rules, records, "all.jsonl");
        assertThat(expected.size()).isGreaterThan(expectedFirstHalf.size());

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-restart", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final List<AlertEvent> actual = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> alerts = consumer("alerts-restart")) {
            produce("metrics-restart", records.subList(0, half));
            try (VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("restart-1"), new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, actual, expectedFirstHalf.size());
            }
            produce("metrics-restart", records.subList(half, records.size()));
            // A new state directory: the state comes back from the changelogs alone.
            try (VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("restart-2"), new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, actual, expected.size());
            }
        }
        assertThat(byFingerprint(actual)).isEqualTo(byFingerprint(expected));
    }

    /** The broker's engine on topics and an application id of its own: NAME's metrics-NAME, alerts-NAME, dlq-NAME. */
    private static VigilConfig config(final String name) {
        return config(name, Map.of());
    }

    private static VigilConfig config(final String name, final Map<String, String> more) {
        return broker.engineConfig(name, more);
    }

    private static boolean oneThreadRunning(final VigilEngine engine) {
        return engine.streams().metadataForLocalThreads().size() == 1
                && engine.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING;
    }

    private static List<AlertEvent> replay(final VigilConfig config, final io.vigil.rules.RuleSet rules,
                                           final List<String> lines, final String name) throws Exception {
        final Path input = dir.resolve(name);
        Files.write(input, lines);
        final List<AlertEvent> events = new ArrayList<>();
        Replay.run(rules, config, List.of(input), json -> events.add(AlertEventJson.read(json)));
        return events;
    }

    private static void produce(final String topic, final List<String> lines) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (String line : lines) {
                producer.send(new ProducerRecord<>(topic, i++ % 3, null, line.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** Each line keyed by its {@code instance} label, so that a host's series stay on one partition. */
    private static void produceKeyedByHost(final String topic, final List<String> lines) {
        final java.util.regex.Pattern instance = java.util.regex.Pattern.compile("\"instance\":\"([^\"]+)\"");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String line : lines) {
                final java.util.regex.Matcher host = instance.matcher(line);
                assertThat(host.find()).as(line).isTrue();
                producer.send(new ProducerRecord<>(topic, host.group(1).getBytes(StandardCharsets.UTF_8),
                        line.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }


    /** Each alert's events in order; the order between different alerts is not part of the contract. */
    private static Map<String, List<String>> byFingerprint(final List<AlertEvent> events) {
        final Map<String, List<String>> out = new TreeMap<>();
        for (AlertEvent e : events) {
            out.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(e.status() + " " + e.labels()
                    + " active=" + e.activeAt() + " starts=" + e.startsAt().orElse(null) + " ends=" + e.endsAt().orElse(null)
                    + " value=" + e.value() + " " + e.annotations());
        }
        return out;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String topic) {
        return TestConsumers.readCommitted(broker.bootstrapServers(), topic);
    }
}
