package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a stream thread's main consumer says is left after the record just processed, against a real broker: the
 * records still in Kafka and those polled but not processed yet, and on a topic written in transactions the commit's
 * marker after the last record; and that Kafka Streams hands its main consumers over under the streams rebalance
 * protocol, where it asks the supplier for none.
 */
class ConsumerLagIT {

    private static final String THREAD = "consumer-lag-it-StreamThread-1";

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @BeforeAll
    static void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("plain", 1, (short) 1), new NewTopic("transactional", 1,
                    (short) 1))).all().get();
        }
    }

    @Test
    void countsTheRecordsPolledButNotProcessedAndThoseStillInKafka() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("plain", value(i))).get();
            }
        }
        final ConsumerLag lag = new ConsumerLag();
        try (Consumer<byte[], byte[]> consumer = consumer(lag, "read_uncommitted")) {
            final List<ConsumerRecord<byte[], byte[]>> polled = pollSome(consumer, "plain");

            // Four polled (max.poll.records), six still in Kafka.
            assertThat(polled).hasSize(4);
            assertThat(afterOnStreamThread(lag, "plain", 0)).hasValue(9);
            assertThat(afterOnStreamThread(lag, "plain", 3)).hasValue(6);
        }
    }

    @Test
    void aTransactionsMarkerCountsAsOneMore() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "consumer-lag-it"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("transactional", value(i)));
            }
            producer.commitTransaction();
        }
        final ConsumerLag lag = new ConsumerLag();
        try (Consumer<byte[], byte[]> consumer = consumer(lag, "read_committed")) {
            final List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>();
            while (polled.size() < 3) {
                polled.addAll(pollSome(consumer, "transactional"));
            }

            assertThat(polled.get(2).offset()).isEqualTo(2);
            assertThat(afterOnStreamThread(lag, "transactional", 2)).as("the marker").hasValue(1);
        }
    }

    @Test
    void underTheStreamsProtocolKafkaStreamsHandsItsMainConsumersOver(@TempDir final Path stateDir) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("streams-protocol", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("streams-protocol", value(i))).get();
            }
        }
        final ConsumerLag lag = new ConsumerLag();
        final Map<Long, OptionalLong> afterEach = new ConcurrentHashMap<>();
        final Topology topology = new Topology();
        topology.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), "streams-protocol");
        topology.addProcessor("lag", () -> new Processor<byte[], byte[], Void, Void>() {
            private ProcessorContext<Void, Void> context;

            @Override
            public void init(final ProcessorContext<Void, Void> context) {
                this.context = context;
            }

            @Override
            public void process(final Record<byte[], byte[]> record) {
                final RecordMetadata at = context.recordMetadata().orElseThrow();
                afterEach.put(at.offset(), lag.after(at.topic(), at.partition(), at.offset()));
            }
        }, "in");
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "consumer-lag-it-streams-protocol");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        lag.seeMainConsumersUnderStreamsProtocol(props);
        try (KafkaStreams streams = new KafkaStreams(topology, props)) {
            streams.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> afterEach.size() == 10);
        }

        // All ten were polled at once: after the first, nine; after the last, none. Without the main consumer: empty.
        assertThat(afterEach.get(0L)).hasValue(9);
        assertThat(afterEach.get(9L)).hasValue(0);
    }

    private static byte[] value(final int i) {
        return ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(final Map<String, Object> extra) {
        final Map<String, Object> config = new HashMap<>(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The main consumer of stream thread {@link #THREAD}, as Kafka Streams gets it from the supplier. */
    private static Consumer<byte[], byte[]> consumer(final ConsumerLag lag, final String isolation) {
        return lag.getConsumer(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.CLIENT_ID_CONFIG, THREAD + "-consumer",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    /** Polls from the beginning of {@code topic} until some records come. */
    private static List<ConsumerRecord<byte[], byte[]>> pollSome(final Consumer<byte[], byte[]> consumer,
                                                                 final String topic) {
        final TopicPartition partition = new TopicPartition(topic, 0);
        if (!consumer.assignment().contains(partition)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (records.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /** {@link ConsumerLag#after}, asked on the stream thread whose main consumer it reads (the consumer idle then). */
    private static OptionalLong afterOnStreamThread(final ConsumerLag lag, final String topic, final long offset)
            throws InterruptedException {
        final AtomicReference<OptionalLong> seen = new AtomicReference<>();
        final Thread thread = new Thread(() -> seen.set(lag.after(topic, 0, offset)), THREAD);
        thread.start();
        thread.join();
        return seen.get();
    }
}
