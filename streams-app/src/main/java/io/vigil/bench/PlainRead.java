package io.vigil.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The yardstick: a plain {@code KafkaConsumer} reading a topic from the beginning to its end, keys and values as Strings. */
public final class PlainRead {

    /** What was read, and in how long. */
    public record Result(long records, double seconds) {
    }

    private PlainRead() {
    }

    public static Result readAll(final Map<String, Object> clientProps, final String topic, final Duration timeout) {
        final Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + timeout.toNanos();
            // From the first record read, as the Kafka Streams applications are timed (their start is not reading).
            long started = 0;
            long records = 0;
            long chars = 0;
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the plain consumer did not reach the end of " + topic + " within "
                            + timeout.toSeconds() + "s");
                }
                final ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(200));
                if (started == 0 && !batch.isEmpty()) {
                    started = System.nanoTime();
                }
                for (var r : batch) {
                    records++;
                    chars += r.value().length(); // use the value, so the deserialization is not optimized away
                }
            }
            if (chars < 0) {
                throw new AssertionError();
            }
            return new Result(records, (System.nanoTime() - started) / 1e9);
        }
    }

    private static boolean reachedEnd(final KafkaConsumer<?, ?> consumer, final Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
