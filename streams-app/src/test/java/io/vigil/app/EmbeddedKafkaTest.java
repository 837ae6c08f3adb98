package io.vigil.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedKafkaTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaTest.class);

    private static final String TOPIC = "datapoints";
    private static final String GROUP = "vigil-test";
    private static final int RECORDS = 1_000;
    /** Replayed captures are years old; the broker must neither refuse nor expire them. */
    private static final long OLD_TIMESTAMP = Instant.parse("2019-03-01T12:00:00Z").toEpochMilli();

    @TempDir
    Path dataDir;

    @TempDir
    Path streamsStateDir;

    @TempDir
    Path scratch;

    @Test
    void keepsTopicsRecordsAndOffsetsAcrossARestart() throws Exception {
        final int port;
        try (EmbeddedKafka kafka = timedStart(dataDir, 0)) {
            port = portOf(kafka.bootstrapServers());
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
                assertThat(topicConfig(admin, "retention.ms")).isEqualTo("-1");
            }
            produceTransactionally(kafka);

            final List<ConsumerRecord<String, String>> records = consumeAll(kafka);
            assertThat(values(records)).isEqualTo(expectedValues());
            assertThat(records).allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(OLD_TIMESTAMP));
            assertThat(records.stream().map(ConsumerRecord::partition).distinct()).hasSize(3);
            timedClose(kafka);
        }
        assertPortIsFree(port);

        // Same directory, same port: the topic, its records and the group's offsets are still there.
        try (EmbeddedKafka kafka = timedStart(dataDir, port)) {
            try (Admin admin = admin(kafka)) {
                final TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
                assertThat(topic.partitions()).hasSize(3);
                final Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
                final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions().stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
                assertThat(committed.keySet()).isEqualTo(partitions());
                committed.forEach((partition, offset) ->
                    assertThat(offset.offset()).isEqualTo(ends.get(partition).offset()));
            }
            assertThat(values(consumeAll(kafka, GROUP + "-after-restart"))).isEqualTo(expectedValues());
            timedClose(kafka);
        }
        assertPortIsFree(port);
    }

    /** A start after an unclean stop says why it takes longer: the broker recovers its logs before it listens. */
    @Test
    void aStartAfterAnUncleanStopSaysTheBrokerRecoversItsLogs() throws Exception {
        try (EmbeddedKafka kafka = timedStart(dataDir, 0)) {
            timedClose(kafka);
        }
        try (CapturedLogs logs = new CapturedLogs(); EmbeddedKafka kafka = timedStart(dataDir, 0)) {
            assertThat(logs.text()).doesNotContain("was not stopped cleanly");
            timedClose(kafka);
        }
        // As a kill -9 leaves it: Kafka's clean-stop marker not written.
        Files.delete(dataDir.resolve(".kafka_cleanshutdown"));
        try (CapturedLogs logs = new CapturedLogs(); EmbeddedKafka kafka = timedStart(dataDir, 0)) {
            assertThat(logs.text()).contains("The embedded Kafka broker in " + dataDir + " was not stopped cleanly (the"
                    + " process was killed or crashed): it recovers its logs before it listens");
            timedClose(kafka);
        }
    }

    @Test
    void runsAnExactlyOnceV2StreamsApp() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1), new NewTopic("copies", 3, (short) 1)))
                    .all().get();
            }
            produceTransactionally(kafka);
            final StreamsBuilder builder = new StreamsBuilder();
            builder.stream(TOPIC, Consumed.with(Serdes.String(), Serdes.String()))
                .to("copies", Produced.with(Serdes.String(), Serdes.String()));
            try (KafkaStreams streams = new KafkaStreams(builder.build(), streamsConfig(kafka, streamsStateDir))) {
                streams.start();
                try (KafkaConsumer<String, String> consumer = consumer(kafka, "copies-reader")) {
                    consumer.subscribe(List.of("copies"));
                    final List<ConsumerRecord<String, String>> copies = new ArrayList<>();
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(copies::add);
                        return copies.size() >= RECORDS;
                    });
                    assertThat(values(copies)).isEqualTo(expectedValues());
                }
            }
        }
    }

    @Test
    void leavesNoThreadsBehind() {
        final Set<String> before = threadNames();
        EmbeddedKafka.start(dataDir, 0).close();
        // Yammer's two meter-tick threads belong to a JVM-wide registry Kafka creates once, not per
        // broker; Awaitility's own polling thread runs the check.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadNames())
            .filteredOn(name -> !before.contains(name)
                && !name.startsWith("metrics-meter-tick-thread-") && !name.startsWith("awaitility"))
            .isEmpty());
    }

    @Test
    void namesThePortWhenItIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            final int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, port))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("port " + port)
                .hasMessageContaining("already in use");
        }
    }

    /**
     * Ports are chosen free, then bound by Kafka moments later: another process may take one in between (two brokers
     * starting at once both find 9092 free; the OS hands ephemeral ports out again). The broker chooses again.
     */
    @Test
    void choosesAgainWhenAPortIsTakenBeforeKafkaBindsIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            final List<int[]> choices = new ArrayList<>();
            final EmbeddedKafka.PortChoice takenFirst = requested -> {
                final int[] ports = LoopbackPorts.available(requested);
                if (choices.isEmpty()) {
                    ports[0] = taken.getLocalPort(); // free when chosen, taken by the time Kafka binds it
                }
                choices.add(ports);
                return ports;
            };
            try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, List.of(), takenFirst)) {
                assertThat(choices).hasSize(2);
                assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + choices.get(1)[0])
                        .isNotEqualTo("127.0.0.1:" + taken.getLocalPort());
            }

            // Taken at every choice: said once the attempts are spent, naming the port.
            final EmbeddedKafka.PortChoice alwaysTaken = requested -> {
                final int[] ports = LoopbackPorts.available(requested);
                ports[0] = taken.getLocalPort();
                return ports;
            };
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0, List.of(), alwaysTaken))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("failed to bind to 127.0.0.1:" + taken.getLocalPort());
        }
        // The failed starts let go of the directory.
        EmbeddedKafka.start(dataDir, 0).close();
    }

    @Test
    void refusesADirectoryAnotherProcessHolds() throws Exception {
        // Another process holding the lock Kafka's LogManager takes, as a running broker does.
        assertRefusedWhileAnotherProcessLocks(".lock");
    }

    /**
     * Kafka takes its {@code .lock} seconds after the checks, once its log manager starts: two `vigil run` starting at
     * one moment both found it free, and the second failed inside Kafka with a stack trace. Vigil's own lock, taken
     * before the checks, tells the second one the directory is in use.
     */
    @Test
    void refusesADirectoryAnotherProcessIsStartingABrokerIn() throws Exception {
        assertRefusedWhileAnotherProcessLocks("vigil.lock");
    }

    /** They hold every datapoint and alert: made with the umask's 755, any user of the host could read them. */
    @Test
    void makesItsDirectoriesForItsUserAlone() throws Exception {
        final Path made = dataDir.resolve("vigil").resolve("kafka");
        EmbeddedKafka.start(made, 0).close();
        assertThat(Files.getPosixFilePermissions(made)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(made.getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void refusesADirectoryABrokerOfThisJvmHolds() {
        try (EmbeddedKafka running = EmbeddedKafka.start(dataDir, 0)) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0))
                .isInstanceOf(EmbeddedKafka.UnusableDataDirectory.class)
                .hasMessageContaining("is in use by another Kafka broker");
        }
        // Both the refusal and the close let go of the directory.
        EmbeddedKafka.start(dataDir, 0).close();
    }

    private void assertRefusedWhileAnotherProcessLocks(final String lockFile) throws Exception {
        final Path holder = Files.writeString(scratch.resolve("HoldLock.java"), """
            public class HoldLock {
                public static void main(String[] args) throws Exception {
                    try (var channel = java.nio.channels.FileChannel.open(java.nio.file.Path.of(args[0]),
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                         var lock = channel.lock()) {
                        System.out.println("locked");
                        System.in.read();
                    }
                }
            }
            """);
        Files.createDirectories(dataDir);
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            holder.toString(), dataDir.resolve(lockFile).toString()).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0))
                .isInstanceOf(EmbeddedKafka.UnusableDataDirectory.class)
                .hasMessage(dataDir + " is in use by another Kafka broker (another vigil run?); stop it or choose"
                    + " another directory");
        } finally {
            process.getOutputStream().close();
            process.waitFor(30, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
        // Free again: it starts.
        EmbeddedKafka.start(dataDir, 0).close();
    }

    @Test
    void closeIsIdempotent() {
        final EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
        kafka.close();
        kafka.close();
        assertPortIsFree(portOf(kafka.bootstrapServers()));
    }

    /** 10 committed transactions of 100 records, with an aborted one in between that must stay invisible. */
    private static void produceTransactionally(final EmbeddedKafka kafka) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "vigil-test-producer",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.initTransactions();
            for (int batch = 0; batch < 10; batch++) {
                producer.beginTransaction();
                for (int i = batch * 100; i < (batch + 1) * 100; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, null, OLD_TIMESTAMP, "series-" + i, value(i)));
                }
                producer.commitTransaction();
                if (batch == 4) {
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(TOPIC, null, OLD_TIMESTAMP, "aborted", "aborted"));
                    producer.flush();
                    producer.abortTransaction();
                }
            }
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAll(final EmbeddedKafka kafka) {
        return consumeAll(kafka, GROUP);
    }

    /** Reads the topic from the start as a read_committed group member and commits what it read. */
    private static List<ConsumerRecord<String, String>> consumeAll(final EmbeddedKafka kafka, final String group) {
        final List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(kafka, group)) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.size() >= RECORDS && consumer.assignment().size() == 3
                    && consumer.endOffsets(consumer.assignment()).entrySet().stream()
                        .allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            });
            consumer.commitSync();
        }
        return seen;
    }

    private static KafkaConsumer<String, String> consumer(final EmbeddedKafka kafka, final String group) {
        return new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, group,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
    }

    private static Properties streamsConfig(final EmbeddedKafka kafka, final Path stateDir) {
        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-eos-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        return config;
    }

    private static Admin admin(final EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static String topicConfig(final Admin admin, final String name)
        throws ExecutionException, InterruptedException {
        final ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        return admin.describeConfigs(List.of(topic)).all().get().get(topic).get(name).value();
    }

    private static Set<TopicPartition> partitions() {
        return IntStream.range(0, 3).mapToObj(p -> new TopicPartition(TOPIC, p)).collect(Collectors.toSet());
    }

    private static Set<String> values(final List<ConsumerRecord<String, String>> records) {
        final Set<String> values = records.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
        assertThat(values).as("no duplicates").hasSize(records.size());
        return values;
    }

    private static Set<String> expectedValues() {
        return IntStream.range(0, RECORDS).mapToObj(EmbeddedKafkaTest::value).collect(Collectors.toSet());
    }

    private static String value(final int i) {
        return String.format(Locale.ROOT, "{\"name\":\"cpu\",\"value\":%d}", i);
    }

    private static EmbeddedKafka timedStart(final Path dir, final int port) {
        final long before = System.nanoTime();
        final EmbeddedKafka kafka = EmbeddedKafka.start(dir, port);
        LOG.info("start took {} ms", (System.nanoTime() - before) / 1_000_000);
        return kafka;
    }

    private static void timedClose(final EmbeddedKafka kafka) {
        final long before = System.nanoTime();
        kafka.close();
        LOG.info("close took {} ms", (System.nanoTime() - before) / 1_000_000);
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toSet());
    }

    private static int portOf(final String bootstrapServers) {
        return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
    }

    private static void assertPortIsFree(final int port) {
        try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        } catch (IOException e) {
            throw new AssertionError("port " + port + " is still bound after close", e);
        }
    }
}
