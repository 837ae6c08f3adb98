package io.vigil.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a recorded period of the fleet ({@link FleetMetrics#record}) to a topic, keyed by series, or without keys as
 * prometheus-kafka-adapter writes (its producer sets only the value).
 */
public final class TopicFill {

    private TopicFill() {
    }

    /**
     * @param keyed whether each record is keyed by its series; without a key, Kafka's producer spreads the records over
     *              the partitions a batch at a time
     * @return the seconds it took, acknowledged
     */
    public static double fill(final Map<String, Object> clientProps, final String topic, final FleetMetrics fleet,
                              final long datapoints, final long endMs, final boolean keyed) {
        final Map<String, Object> props = new java.util.HashMap<>(clientProps);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            fleet.record(datapoints, endMs, (s, key, json) -> {
                if (failure.get() == null) {
                    final String recordKey = keyed ? key : null;
                    final byte[] value = json.getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, recordKey, value), (meta, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
            });
            producer.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a producer sink does not do I/O of its own
        }
        if (failure.get() != null) {
            throw new IllegalStateException("cannot write to " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        return (System.nanoTime() - started) / 1e9;
    }
}
