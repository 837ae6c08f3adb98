package io.vigil.app;

import io.vigil.ingest.SourceLag;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.internals.AsyncKafkaConsumer;
import org.apache.kafka.clients.consumer.internals.StreamsRebalanceData;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.internals.ConsumerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input lag of the running engine, read from the main consumer of the stream thread that asks
 * ({@link Consumer#currentLag}: the end offset from the last fetch minus the position, so records fetched but not
 * yet returned by {@code poll} count as waiting). The clients are Kafka's defaults, made through this supplier only
 * to know the main consumers.
 *
 * <p>Under Kafka's streams rebalance protocol ({@code kafka.group.protocol: streams}) Kafka Streams makes the main
 * consumers itself and asks no supplier for them; {@link #seeMainConsumersUnderStreamsProtocol} has them handed here
 * as Kafka Streams makes them. Without them every partition read as caught up: a backlog committed at every quiet
 * check (336 commits in a 10,000,000-point catch-up against 22, at half the rate), and ingest judged a partition idle
 * by the wall clock alone, records waiting or not.
 */
final class ConsumerLag implements SourceLag, KafkaClientSupplier {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);
    /** The main consumers' setting that carries this instance to {@link StreamsProtocolConsumers}. */
    private static final String INSTANCE_CONFIG = "vigil.consumer.lag";

    /** Main consumers by client id; Kafka Streams names each {@code <stream thread name>-consumer}. */
    private final Map<String, Consumer<byte[], byte[]>> mainConsumers = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();

    @Override
    public OptionalLong of(final String topic, final int partition) {
        final Consumer<byte[], byte[]> consumer = mainConsumer();
        if (consumer == null) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("No main consumer known for thread {}: input partitions are judged idle by the wall clock alone",
                        Thread.currentThread().getName());
            }
            return OptionalLong.of(0);
        }
        try {
            return consumer.currentLag(new TopicPartition(topic, partition));
        } catch (IllegalStateException notAssigned) {
            // Only while the partition moves away from this thread; its task stops with it.
            return OptionalLong.of(0);
        }
    }

    /** The lag, plus what the position is past {@code offset}: records polled and buffered by Kafka Streams. */
    @Override
    public OptionalLong after(final String topic, final int partition, final long offset) {
        final Consumer<byte[], byte[]> consumer = mainConsumer();
        if (consumer == null) {
            return OptionalLong.empty();
        }
        final TopicPartition tp = new TopicPartition(topic, partition);
        try {
            final OptionalLong lag = consumer.currentLag(tp);
            return lag.isEmpty() ? lag : OptionalLong.of(lag.getAsLong() + consumer.position(tp, Duration.ZERO)
                    - offset - 1);
        } catch (IllegalStateException | TimeoutException notKnownNow) {
            // The partition moving away from this thread, or its position not known without asking the broker.
            return OptionalLong.empty();
        }
    }

    @Override
    public OptionalLong position(final String topic, final int partition) {
        final Consumer<byte[], byte[]> consumer = mainConsumer();
        if (consumer == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(consumer.position(new TopicPartition(topic, partition), Duration.ZERO));
        } catch (IllegalStateException | TimeoutException notKnownNow) {
            return OptionalLong.empty();
        }
    }

    /**
     * Has Kafka Streams hand this the main consumers it makes under the streams rebalance protocol: each is given to
     * {@link StreamsProtocolConsumers} (Kafka Streams' hook for wrapping them, internal but the only one), which finds
     * this instance in the main consumers' settings. Both settings go to the main consumers only.
     */
    void seeMainConsumersUnderStreamsProtocol(final Properties streamsProps) {
        streamsProps.put(StreamsConfig.MAIN_CONSUMER_PREFIX + StreamsConfig.InternalConfig.INTERNAL_CONSUMER_WRAPPER,
                StreamsProtocolConsumers.class);
        streamsProps.put(StreamsConfig.MAIN_CONSUMER_PREFIX + INSTANCE_CONFIG, this);
    }

    /** Passes every call to the main consumer Kafka Streams made, and hands that consumer to the engine's lag. */
    public static final class StreamsProtocolConsumers extends ConsumerWrapper {

        @Override
        public void wrapConsumer(final AsyncKafkaConsumer<byte[], byte[]> delegate, final Map<String, Object> config,
                                 final Optional<StreamsRebalanceData> streamsRebalanceData) {
            super.wrapConsumer(delegate, config, streamsRebalanceData);
            if (config.get(INSTANCE_CONFIG) instanceof ConsumerLag lag) {
                lag.mainConsumers.put(String.valueOf(config.get(ConsumerConfig.CLIENT_ID_CONFIG)), delegate);
            }
        }
    }

    private Consumer<byte[], byte[]> mainConsumer() {
        return mainConsumers.get(Thread.currentThread().getName() + "-consumer");
    }

    @Override
    public Admin getAdmin(final Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(final Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(final Map<String, Object> config) {
        final Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        mainConsumers.put(String.valueOf(config.get(ConsumerConfig.CLIENT_ID_CONFIG)), consumer);
        return consumer;
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(final Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(final Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
