package io.vigil.bench;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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

    /**
     * How many records {@code topic} holds: the sum over its partitions of the end offset less the first. What a
     * catch-up's rate divides is the count the fill was asked for, so the bench checks the topic holds exactly that
     * (a fill once lost a batch to a Kafka bug, every producer callback clean).
     */
    public static long recordsIn(final Admin admin, final String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        final Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> {
                    earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                    latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                });
        final long first = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        final long end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        return end - first;
    }
}
