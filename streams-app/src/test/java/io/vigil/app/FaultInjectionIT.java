package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection on a real broker, with {@code vigil run} in JVMs of its own: whatever happens to the engine, the
 * broker or the rules while the stream flows, the alert events committed to the alerts topic are, alert by alert and
 * transition by transition, those an undisturbed {@code vigil replay} prints for the same records.
 *
 * <p>The input ({@link FaultSuiteData}) fires every rule kind and is written round-robin to a 3-partition topic in
 * timestamp order, so every partition is in order and ends at the same event time: the events depend on the records
 * alone, not on how fast or in which order the partitions were read, and exact equality is the right demand. Engines
 * run with the default {@code evaluation.idle_timeout} (30 s): no fault here stalls a partition that long, so no
 * partition is ever declared idle (an idle partition is the one wall-clock input to event time, see design.md).
 *
 * <p>Size: {@code -Dvigil.faults.steps=N} (10 s steps, 720 = two hours = about 19,000 datapoints, the default),
 * {@code -Dvigil.faults.kills=K} (default 3), {@code -Dvigil.faults.seed=S} (default: random, printed). Each
 * scenario prints one result line, also appended to {@code target/fault-suite/results.txt}; the engines' logs are
 * kept next to it.
 */
class FaultInjectionIT {

    static final int STEPS = Integer.getInteger("vigil.faults.steps", FaultSuiteData.STEPS_PER_CYCLE);
    static final int KILLS = Integer.getInteger("vigil.faults.kills", 3);
    static final long SEED = Long.getLong("vigil.faults.seed", new Random().nextLong());
    static final Path LOGS = Path.of("target", "fault-suite");
    static final int PARTITIONS = 3;
    /** Generous for the default size on two busy cores; a longer run scales it with its size. */
    static final Duration CATCH_UP = Duration.ofSeconds(120).plusMillis(STEPS * 100L);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static EmbeddedKafka broker;
    static List<String> records;
    /** Replay of the whole input under the rules as first written, per fingerprint. */
    static Map<String, List<String>> expected;

    @BeforeAll
    static void startBrokerAndReplay() throws Exception {
        System.out.printf("fault suite: seed %d (rerun with -Dvigil.faults.seed=%d), %d steps, %d kills%n",
                SEED, SEED, STEPS, KILLS);
        Files.createDirectories(LOGS);
        broker = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        records = FaultSuiteData.records(STEPS);
        final Path rules = writeRules(dir.resolve("replay-rules"), FaultSuiteData.NODE_RULES);
        expected = byFingerprint(replay(load(rules), null, records.size()));
        // Every rule kind fired (and each firing alert of the first cycle resolved): the suite compares something.
        assertThat(expected.values().stream().flatMap(List::stream).filter(t -> t.startsWith("firing"))
                .map(t -> t.replaceAll(".*alertname=\"(\\w+)\".*", "$1")).distinct())
                .contains("NodeCpuSaturated", "NodeTrafficCollapsed", "NodeCpuFarBelowPeers", "NodeTrafficFarBelowPeers",
                        "NodeSilent", "DatabaseConnectionsSurge", "DatabaseSilent", "DatabaseConnectionsAnomalous");
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** (a) kill -9 at random points, several times, restarted after each; some restarts lose their local state. */
    @Test
    void killedHardAtRandomPointsTheEngineStillWritesWhatReplayPrints() throws Exception {
        final Random random = new Random(SEED);
        final List<String> plan = new ArrayList<>();
        int generation = 0;
        Path dataDir = dir.resolve("kill-data-0");
        VigilProcess engine = null;
        try (Scenario s = new Scenario("kill")) {
            produce(s, 0, records.size());
            engine = s.engine("engine-" + generation, dataDir);
            for (int k = 0; k < KILLS; k++) {
                if (random.nextInt(4) == 0) {
                    // While it joins the group and restores its state from the changelogs.
                    engine.awaitStarted();
                    plan.add(String.format("kill %d during start-up (%s)", k + 1, s.where()));
                } else {
                    // Spread over the stream: the k-th kill somewhere in the k-th of KILLS slices of 90 % of it.
                    final double target = 0.9 * (k + random.nextDouble()) / KILLS;
                    await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(10)).until(() -> s.output() >= target);
                    plan.add(String.format("kill %d at %s", k + 1, s.where()));
                }
                engine.kill();
                if (random.nextInt(3) == 0) {
                    // A new machine: no local state, everything from the changelogs.
                    dataDir = dir.resolve("kill-data-" + (k + 1));
                    plan.set(k, plan.get(k) + ", restarted with an empty state directory");
                }
                generation++;
                engine = s.engine("engine-" + generation, dataDir);
            }
            final int compared = s.awaitSameAs(expected);
            assertThat(engine.isAlive()).isTrue();
            s.report(String.format("%d kills (%s), %d transitions of %d alerts compared, 0 differences", KILLS,
                    String.join("; ", plan), compared, expected.size()));
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }

    /** (b) Two instances share the work; one is killed and the other takes over its partitions. */
    @Test
    void whenOneOfTwoInstancesIsKilledTheOtherTakesOverAndTheEventsAreUnchanged() throws Exception {
        final Random random = new Random(SEED + 1);
        final int half = records.size() / 2;
        try (Scenario s = new Scenario("takeover", Map.of("VIGIL_KAFKA_NUM_STANDBY_REPLICAS", "1"));
             VigilProcess a = s.engine("a", dir.resolve("takeover-a"));
             VigilProcess b = s.engine("b", dir.resolve("takeover-b"))) {
            produce(s, 0, half);
            // Both hold series of their own before one dies.
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                    .until(() -> seriesHeld(a) > 0 && seriesHeld(b) > 0);
            // Within the first half of the input, the only half written yet.
            final double target = 0.05 + 0.2 * random.nextDouble();
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(10)).until(() -> s.output() >= target);
            final int heldByA = seriesHeld(a);
            final int total = heldByA + seriesHeld(b);
            final String killedAt = s.where();
            a.kill();
            produce(s, half, records.size());
            final int compared = s.awaitSameAs(expected);
            assertThat(b.isAlive()).isTrue();
            // b now evaluates every series, a's included.
            await().atMost(Duration.ofSeconds(30)).until(() -> seriesHeld(b) == total);
            s.report(String.format("instance a (holding %d of %d rule-series) killed at %s; b took over; %d transitions"
                    + " of %d alerts compared, 0 differences", heldByA, total, killedAt, compared, expected.size()));
        }
    }

    /** (c) The broker stops mid-stream and comes back on the same port with the same data. */
    @Test
    void aBrokerRestartMidStreamChangesNoEvent() throws Exception {
        final Random random = new Random(SEED + 2);
        final int first = records.size() * 6 / 10;
        try (Scenario s = new Scenario("broker");
             VigilProcess engine = s.engine("engine", dir.resolve("broker-data"))) {
            produce(s, 0, first);
            final double target = 0.1 + 0.3 * random.nextDouble();
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(10)).until(() -> s.output() >= target);
            final String stoppedAt = s.where();
            final int port = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().lastIndexOf(':') + 1));
            final long stopping = System.nanoTime();
            broker.close();
            broker = EmbeddedKafka.start(dir.resolve("kafka"), port);
            final long downMs = (System.nanoTime() - stopping) / 1_000_000;
            produce(s, first, records.size());
            final int compared = s.awaitSameAs(expected);
            assertThat(engine.isAlive()).isTrue();
            s.report(String.format("broker stopped at %s, back after %d ms; %d transitions of %d alerts compared,"
                    + " 0 differences", stoppedAt, downMs, compared, expected.size()));
        }
    }

    /**
     * (d) Rules rewritten while datapoints flow: first an equivalent version (other order, style and comments), which
     * must change nothing; then a version with one rule changed.
     *
     * <p>What is comparable: a reload takes effect when the reloader's checks (every 5 s) have seen the file unchanged
     * twice and each task reaches its next record or punctuation, that is at an event time set by the wall clock. Rules the reload leaves
     * unchanged keep their state, so they must match the replay exactly, whenever the reload lands. A changed rule
     * starts afresh at that moment, so its events depend on the moment, except where neither version has anything
     * pending or firing: the test holds the input inside such a stretch for {@code NodeCpuSaturated} (minutes 27-39,
     * see {@link FaultSuiteData}) until the reload is seen, and the replay switches rules at the same stretch.
     */
    @Test
    void rulesReloadedWhileDatapointsFlowGiveTheEventsOfAReplayWithTheSameRules() throws Exception {
        final int firstChunk = FaultSuiteData.countBefore(records, FaultSuiteData.time(6 * 20));
        final long quietFrom = FaultSuiteData.time(6 * FaultSuiteData.QUIET_FROM_MINUTE);
        final int hold = FaultSuiteData.countBefore(records, FaultSuiteData.time(6 * 36));
        assertThat(FaultSuiteData.time(6 * 36)).isLessThan(FaultSuiteData.time(6 * FaultSuiteData.QUIET_UNTIL_MINUTE));

        final Path replayRules = dir.resolve("reload-replay-rules");
        final RuleSet before = load(writeRules(replayRules, FaultSuiteData.NODE_RULES_REWRITTEN));
        final RuleSet after = load(writeRules(replayRules, FaultSuiteData.NODE_RULES_CHANGED));
        final Map<String, List<String>> expectedWithChange = byFingerprint(replay(before, after, hold));
        // The change shows: node-06's 87-89 % pages under the changed rule only.
        assertThat(describeFirings(expectedWithChange)).contains("NodeCpuSaturated node-06");
        assertThat(describeFirings(expected)).doesNotContain("NodeCpuSaturated node-06");

        try (Scenario s = new Scenario("reload");
             VigilProcess engine = s.engine("engine", dir.resolve("reload-data"))) {
            produce(s, 0, firstChunk);
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(50))
                    .until(() -> s.progress() >= 0.5 * firstChunk / records.size());
            final String rewrittenAt = s.where();
            s.replaceNodeRules(FaultSuiteData.NODE_RULES_REWRITTEN);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(engine.log(), "rules reloaded") == 1);
            produce(s, firstChunk, hold);
            // Every evaluator is inside the quiet stretch before the change is written.
            await().atMost(CATCH_UP).pollInterval(Duration.ofMillis(200))
                    .until(() -> lastEvaluation(engine, "NodeCpuSaturated").map(t -> t >= quietFrom).orElse(false));
            s.replaceNodeRules(FaultSuiteData.NODE_RULES_CHANGED);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(engine.log(), "rules reloaded") == 2);
            produce(s, hold, records.size());
            final int compared = s.awaitSameAs(expectedWithChange);
            assertThat(engine.log()).doesNotContain("problem(s)");
            s.report(String.format("equivalent rewrite at %s, NodeCpuSaturated changed at minute 36 of event time;"
                    + " %d transitions of %d alerts compared, 0 differences", rewrittenAt, compared,
                    expectedWithChange.size()));
        }
    }

    /** One scenario's topics, consumer group, rules directory and engine settings. */
    private static final class Scenario implements AutoCloseable {
        final String name;
        final Path rulesDir;
        final Map<String, String> env = new HashMap<>();
        final long startedNanos = System.nanoTime();
        final int expectedTransitions = expected.values().stream().mapToInt(List::size).sum();
        private KafkaConsumer<byte[], byte[]> outputCounter;
        private int outputSeen;

        Scenario(final String name) throws Exception {
            this(name, Map.of());
        }

        Scenario(final String name, final Map<String, String> extraEnv) throws Exception {
            this.name = name;
            this.rulesDir = writeRules(dir.resolve(name + "-rules"), FaultSuiteData.NODE_RULES);
            env.put("VIGIL_KAFKA_APPLICATION_ID", appId());
            env.put("VIGIL_TOPICS_METRICS", metricsTopic());
            env.put("VIGIL_TOPICS_ALERTS", alertsTopic());
            env.put("VIGIL_TOPICS_DLQ", "dlq-" + name);
            // A killed member's partitions move after its session ends: 6 s, the broker's minimum, not 45 s.
            env.put("VIGIL_KAFKA_SESSION_TIMEOUT_MS", "6000");
            env.put("VIGIL_KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
            env.putAll(extraEnv);
            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic(metricsTopic(), PARTITIONS, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
        }

        String appId() {
            return "vigil-" + name;
        }

        String metricsTopic() {
            return "metrics-" + name;
        }

        String alertsTopic() {
            return "alerts-" + name;
        }

        VigilProcess engine(final String instance, final Path dataDir) {
            return VigilProcess.start(name + "-" + instance, LOGS, List.of("--bootstrap-servers",
                    broker.bootstrapServers(), "--rules", rulesDir.toString(), "--data-dir", dataDir.toString()), env,
                    List.of());
        }

        /** The share of the input whose offsets the engine has committed (with its transactions). */
        double progress() throws Exception {
            try (Admin admin = admin()) {
                final Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(appId())
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                long committed = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                    if (e.getKey().topic().equals(metricsTopic()) && e.getValue() != null) {
                        committed += e.getValue().offset();
                    }
                }
                return (double) committed / records.size();
            }
        }

        /**
         * The share of the expected alert events committed to the alerts topic so far: where in the stream the
         * engine's output is. (Committed input offsets run ahead of it: ingest is quick, evaluation comes later.)
         */
        double output() {
            if (outputCounter == null) {
                outputCounter = alertsConsumer();
                if (outputCounter.assignment().isEmpty()) {
                    // The engine has not created the topic yet.
                    outputCounter.close();
                    outputCounter = null;
                    return 0;
                }
            }
            outputSeen += outputCounter.poll(Duration.ofMillis(20)).count();
            return (double) outputSeen / expectedTransitions;
        }

        /** "42% of the alert events written, 71% of the input committed". */
        String where() throws Exception {
            return String.format("%.0f%% of the alert events written, %.0f%% of the input committed", 100 * output(),
                    100 * progress());
        }

        @Override
        public void close() {
            if (outputCounter != null) {
                outputCounter.close();
            }
        }

        /** Rewrites the node rules in one atomic step, as a config tool would, so no half-written file is read. */
        void replaceNodeRules(final String yaml) throws IOException {
            final Path staged = Files.writeString(dir.resolve(name + "-nodes.yaml.new"), yaml);
            Files.move(staged, rulesDir.resolve("nodes.yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }

        /**
         * Reads the alerts topic from the beginning, committed transactions only, until its events per fingerprint are
         * the expected ones, then for 3 s more to see that nothing follows (a duplicate would).
         *
         * @return how many transitions were compared
         */
        int awaitSameAs(final Map<String, List<String>> want) {
            final List<AlertEvent> actual = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = alertsConsumer()) {
                await().atMost(CATCH_UP).pollInterval(Duration.ZERO).untilAsserted(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> actual.add(AlertEventJson.read(r.value())));
                    assertThat(differences(byFingerprint(actual), want)).as("transitions written (+) or missing (-)"
                            + " against replay, per alert").isEmpty();
                });
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ZERO)
                        .untilAsserted(() -> {
                            consumer.poll(Duration.ofMillis(200)).forEach(r -> actual.add(AlertEventJson.read(r.value())));
                            assertThat(differences(byFingerprint(actual), want)).as("transitions written (+) or"
                                    + " missing (-) against replay, per alert, after all were there").isEmpty();
                        });
            }
            return actual.size();
        }

        private KafkaConsumer<byte[], byte[]> alertsConsumer() {
            final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            final List<TopicPartition> partitions = consumer.partitionsFor(alertsTopic(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        }

        void report(final String result) throws IOException {
            final String line = String.format("%s: %s; seed %d, %d steps (%d records), %d s%n", name, result, SEED,
                    STEPS, records.size(), (System.nanoTime() - startedNanos) / 1_000_000_000);
            System.out.print(line);
            Files.writeString(LOGS.resolve("results.txt"), Instant.now() + " " + line, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /**
     * Records {@code [from, to)} of the input, record {@code i} to partition {@code i % 3}, whatever the chunks. Keyed
     * (by the partition: any key will do), so that ingest hands the points of its task's own series to the evaluation
     * in the task, while the same series' points read by the other tasks cross the repartition: both paths within
     * every series, under every fault.
     */
    private static void produce(final Scenario s, final int from, final int to) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(s.metricsTopic(), i % PARTITIONS,
                        Integer.toString(i % PARTITIONS).getBytes(StandardCharsets.UTF_8),
                        records.get(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    static Path writeRules(final Path rulesDir, final String nodeRules) throws IOException {
        Files.createDirectories(rulesDir);
        Files.writeString(rulesDir.resolve("nodes.yaml"), nodeRules);
        Files.writeString(rulesDir.resolve("database.yaml"), FaultSuiteData.DATABASE_RULES);
        return rulesDir;
    }

    static RuleSet load(final Path rulesDir) {
        final LoadResult loaded = RuleLoader.load(List.of(rulesDir));
        assertThat(loaded.problems()).isEmpty();
        return loaded.ruleSet();
    }

    /**
     * {@code vigil replay}'s pipeline over the input, undisturbed; with {@code later} rules put in force after the
     * first {@code switchAt} records, as a reload would (the replay's own clock: one record at a time).
     */
    private static List<AlertEvent> replay(final RuleSet first, final RuleSet later, final int switchAt) {
        return replay(records, first, later, switchAt);
    }

    /** The same over another input ({@link SoakIT}'s). */
    static List<AlertEvent> replay(final List<String> records, final RuleSet first, final RuleSet later,
                                   final int switchAt) {
        final VigilConfig config = ConfigLoader.load(null, Map.of());
        final LiveRules live = new LiveRules(first);
        final List<AlertEvent> events = new ArrayList<>();
        final ReplayPipeline pipeline = new ReplayPipeline(live, Replay.settings(config), new SimpleMeterRegistry(),
                System.currentTimeMillis(), json -> events.add(AlertEventJson.read(json)));
        for (int i = 0; i < records.size(); i++) {
            if (i == switchAt && later != null) {
                live.replace(later);
            }
            pipeline.offer(records.get(i).getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    /**
     * Each alert's transitions in order (status, activeAt, startsAt, endsAt, value, labels, annotations); the order
     * between alerts is not part of the contract.
     */
    static Map<String, List<String>> byFingerprint(final List<AlertEvent> events) {
        final Map<String, List<String>> out = new TreeMap<>();
        for (AlertEvent e : events) {
            out.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(e.status().jsonName() + " " + e.labels()
                    + " active=" + e.activeAt() + " starts=" + e.startsAt().orElse(null)
                    + " ends=" + e.endsAt().orElse(null) + " value=" + e.value() + " " + new TreeMap<>(e.annotations()));
        }
        return out;
    }

    /**
     * Per alert, the transitions that differ from the expected ones from the first difference on: {@code +} written
     * but not expected, {@code -} expected but not (yet) written. Empty when equal.
     */
    static List<String> differences(final Map<String, List<String>> actual, final Map<String, List<String>> want) {
        final List<String> out = new ArrayList<>();
        final java.util.SortedSet<String> alerts = new java.util.TreeSet<>(actual.keySet());
        alerts.addAll(want.keySet());
        for (String fingerprint : alerts) {
            final List<String> got = actual.getOrDefault(fingerprint, List.of());
            final List<String> wanted = want.getOrDefault(fingerprint, List.of());
            int same = 0;
            while (same < got.size() && same < wanted.size() && got.get(same).equals(wanted.get(same))) {
                same++;
            }
            got.subList(same, got.size()).forEach(t -> out.add("+ " + fingerprint + " " + t));
            wanted.subList(same, wanted.size()).forEach(t -> out.add("- " + fingerprint + " " + t));
        }
        return out;
    }

    private static List<String> describeFirings(final Map<String, List<String>> byFingerprint) {
        final Pattern alert = Pattern.compile("alertname=\"(\\w+)\".*instance=\"([\\w-]+)\"");
        final List<String> out = new ArrayList<>();
        byFingerprint.values().stream().flatMap(List::stream)
                .filter(t -> t.startsWith(EventStatus.FIRING.jsonName()))
                .forEach(t -> {
                    final Matcher m = alert.matcher(t);
                    if (m.find()) {
                        out.add(m.group(1) + " " + m.group(2));
                    }
                });
        return out;
    }

    /** Series the instance evaluates itself, summed over rules (its {@code /api/rules?scope=local}). */
    private static int seriesHeld(final VigilProcess engine) {
        try {
            int held = 0;
            for (JsonNode rule : JSON.readTree(engine.get("/api/rules?scope=local"))) {
                held += rule.path("seriesWatched").asInt();
            }
            return held;
        } catch (IOException | RuntimeException e) {
            return 0; // not serving yet, or still rebalancing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The oldest last evaluation of a rule over all evaluators, from {@code /api/rules}. */
    private static java.util.Optional<Long> lastEvaluation(final VigilProcess engine, final String alert) {
        try {
            for (JsonNode rule : JSON.readTree(engine.get("/api/rules"))) {
                if (rule.path("alert").asText().equals(alert) && rule.hasNonNull("lastEvaluation")) {
                    return java.util.Optional.of(Instant.parse(rule.get("lastEvaluation").asText()).toEpochMilli());
                }
            }
            return java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private static int count(final String text, final String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }
}
