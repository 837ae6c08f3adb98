package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Consumers the integration tests read Vigil's output topics with. */
final class TestConsumers {

    private TestConsumers() {
    }

    /** A member of its own group, from the earliest offset, seeing only committed records, as an alert reader does. */
    static KafkaConsumer<byte[], byte[]> readCommitted(final String bootstrapServers, final String topic) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /**
     * A consumer of every partition of {@code topic} in no group, from the end it has now, seeing only committed
     * records: what is written from here on, as an engine started next writes it.
     */
    static KafkaConsumer<byte[], byte[]> readCommittedFromNow(final String bootstrapServers, final String topic) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // seekToEnd is lazy: the end is looked up here, before anything more is written, not at the first poll.
        partitions.forEach(consumer::position);
        return consumer;
    }

    /**
     * Polls {@code consumer}'s alert events into {@code into} until there are {@code count}, and a little longer to see
     * that no more come.
     */
    static void awaitAlertEvents(final KafkaConsumer<byte[], byte[]> consumer, final List<AlertEvent> into,
                                 final int count) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> into.add(AlertEventJson.read(r.value())));
            assertThat(into).hasSizeGreaterThanOrEqualTo(count);
        });
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> into.add(AlertEventJson.read(r.value())));
            assertThat(into).hasSize(count);
        });
    }
}
