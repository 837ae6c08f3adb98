package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The Kafka Streams settings the engine runs with, and the operator's kafka.* settings over them. */
class VigilEngineSettingsTest {

    private static final Path STATE = Path.of("state");

    /** The engine's settings under a configuration that only names the brokers. */
    private static Properties defaults() {
        return VigilEngine.streamsProperties(ConfigLoader.load(null, Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092")),
                STATE);
    }

    @Test
    void theEngineCommitsExactlyOnceAndCompressesWhatItProducesWithLz4() {
        final Properties props = defaults();

        assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // What Kafka Streams makes of it: its producers get the setting.
        assertThat(new StreamsConfig(props).getProducerConfigs("client"))
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    }

    @Test
    void theEnginesConsumersFetchUpToFourMegabytesPerPartitionIntoOneMegabyteSocketBuffers() {
        final StreamsConfig config = new StreamsConfig(defaults());

        // The main consumer reads the input and the repartitions; the restore consumer reads the changelogs.
        for (Map<String, Object> consumer : List.of(config.getMainConsumerConfigs("vigil", "client", 0),
                config.getRestoreConsumerConfigs("client"))) {
            assertThat(consumer).containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024)
                    .containsEntry(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 1024 * 1024);
        }
    }

    @Test
    void theMainConsumerHeartbeatsEveryQuarterSecondAndTheRestoreConsumerWaitsAtMost100MsForAFetch() {
        final StreamsConfig config = new StreamsConfig(defaults());

        assertThat(config.getMainConsumerConfigs("vigil", "client", 0))
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 250)
                .doesNotContainEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        assertThat(config.getRestoreConsumerConfigs("client"))
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    }

    @Test
    void theOperatorsPlainOrConsumerWideSettingWinsOverTheEnginesClientDefault() {
        for (String key : List.of("VIGIL_KAFKA_HEARTBEAT_INTERVAL_MS", "VIGIL_KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS")) {
            final StreamsConfig config = new StreamsConfig(VigilEngine.streamsProperties(ConfigLoader.load(null,
                    Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092", key, "1000",
                            key.replace("HEARTBEAT_INTERVAL", "FETCH_MAX_WAIT"), "400")), STATE));

            assertThat(config.getMainConsumerConfigs("vigil", "client", 0))
                    .as(key).containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
            assertThat(config.getRestoreConsumerConfigs("client"))
                    .as(key).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "400");
        }
    }

    /**
     * A punctuation's send that waits out max.block.ms fails the stream thread: at Kafka's 60 s, a broker out of reach
     * for a minute with no input stopped the engine. Five minutes, as task.timeout.ms; the operator's setting wins.
     */
    @Test
    void theEnginesProducersWaitFiveMinutesForABrokerOutOfReachUnlessTheOperatorSaysOtherwise() {
        assertThat(new StreamsConfig(defaults()).getProducerConfigs("client"))
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
        final StreamsConfig operators = new StreamsConfig(VigilEngine.streamsProperties(ConfigLoader.load(null,
                Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092", "VIGIL_KAFKA_MAX_BLOCK_MS", "30000")), STATE));
        assertThat(operators.getProducerConfigs("client")).containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    }

    /**
     * A broker that hangs held every alert for the hang plus 30 to 65 s, the engine's clients waiting out Kafka's 30 s
     * request timeout and 60 s API timeout on it: every client of the engine waits 10 s for an answer, its consumers
     * and admin 20 s for a call; the operator's setting, plain or for one client, wins.
     */
    @Test
    void theEnginesClientsGiveUpOnABrokerThatDoesNotAnswerWithinTenSecondsUnlessTheOperatorSaysOtherwise() {
        final StreamsConfig config = new StreamsConfig(defaults());
        for (Map<String, Object> client : List.of(config.getProducerConfigs("client"),
                config.getMainConsumerConfigs("vigil", "client", 0), config.getRestoreConsumerConfigs("client"),
                config.getAdminConfigs("client"))) {
            assertThat(client).containsEntry(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        }
        for (Map<String, Object> client : List.of(config.getMainConsumerConfigs("vigil", "client", 0),
                config.getRestoreConsumerConfigs("client"), config.getAdminConfigs("client"))) {
            assertThat(client).containsEntry(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        }
        final StreamsConfig operators = new StreamsConfig(VigilEngine.streamsProperties(ConfigLoader.load(null,
                Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092", "VIGIL_KAFKA_REQUEST_TIMEOUT_MS", "30000",
                        "VIGIL_KAFKA_PRODUCER_REQUEST_TIMEOUT_MS", "45000")), STATE));
        assertThat(operators.getMainConsumerConfigs("vigil", "client", 0))
                .containsEntry(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        assertThat(operators.getProducerConfigs("client")).containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                "45000");
    }

    /**
     * Delivery's consumers and producers read the alerts from the same brokers: with Kafka's timeouts a page waited on
     * a hung broker up to 30 s longer than the engine that made it. The same defaults; the operator's setting wins.
     */
    @Test
    void deliverysClientsHaveTheEnginesTimeouts() {
        final Map<String, Object> clients = RunCommand.deliveryClients(Map.of("bootstrap.servers", "broker:9092"));
        final Map<String, Object> consumer = new HashMap<>(clients);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        assertThat(new ConsumerConfig(consumer).getInt(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isEqualTo(10_000);
        assertThat(new ConsumerConfig(consumer).getInt(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG)).isEqualTo(20_000);
        final Map<String, Object> producer = new HashMap<>(clients);
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        assertThat(new ProducerConfig(producer).getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)).isEqualTo(10_000);

        final Map<String, Object> operators = RunCommand.deliveryClients(Map.of("request.timeout.ms", "30000"));
        assertThat(operators).containsEntry("request.timeout.ms", "30000")
                .doesNotContainKey(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    }

    /**
     * An operator's request timeout alone, 30 s as the README advises for a slow cluster, stopped the engine at start:
     * an admin client refuses an API timeout (the engine's 20 s) shorter than its request timeout. Kafka's 60 s stands
     * then, for every client and for one named by its prefix.
     */
    @Test
    void anOperatorsRequestTimeoutKeepsKafkasApiTimeoutSoThatTheAdminClientCanBeMade() throws Exception {
        for (String key : List.of("VIGIL_KAFKA_REQUEST_TIMEOUT_MS", "VIGIL_KAFKA_ADMIN_REQUEST_TIMEOUT_MS")) {
            final StreamsConfig config = new StreamsConfig(VigilEngine.streamsProperties(ConfigLoader.load(null,
                    Map.of("VIGIL_BOOTSTRAP_SERVERS", "127.0.0.1:1", key, "30000")), STATE));

            assertThat(config.getAdminConfigs("client")).as(key)
                    .doesNotContainKey(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
            // Made as the engine makes its own (nothing is asked of the broker, which is not there).
            try (org.apache.kafka.clients.admin.Admin admin =
                         org.apache.kafka.clients.admin.Admin.create(config.getAdminConfigs("client"))) {
                assertThat(admin).as(key).isNotNull();
            }
        }
    }

    @Test
    void underTheStreamsGroupProtocolTheBrokerPacesHeartbeats() {
        final Properties props = VigilEngine.streamsProperties(ConfigLoader.load(null, Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", "broker:9092", "VIGIL_KAFKA_GROUP_PROTOCOL", "streams")), STATE);

        assertThat(props.keySet()).noneMatch(k -> k.toString().endsWith(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
    }

    @Test
    void kafkaSettingsOfTheOperatorOverrideTheEnginesDefaults() {
        final Properties props = VigilEngine.streamsProperties(ConfigLoader.load(null, Map.of(
                "VIGIL_KAFKA_COMPRESSION_TYPE", "none", "VIGIL_KAFKA_BATCH_SIZE", "16384",
                "VIGIL_KAFKA_MAX_PARTITION_FETCH_BYTES", "1048576", "VIGIL_KAFKA_RECEIVE_BUFFER_BYTES", "65536")), STATE);

        assertThat(props).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")
                .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "16384")
                .containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1048576")
                .containsEntry(ConsumerConfig.RECEIVE_BUFFER_CONFIG, "65536");
    }
}
