package io.vigil.bench;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the alerts topic as a pager would ({@code read_committed}: only what the engine committed) and notes when
 * each probe's firing event became readable: the wall clock right after the poll that returned it, by
 * {@link LiveLoad#probeKey}.
 */
public final class ProbeAlerts implements AutoCloseable {

    private final Map<String, Long> readableMs = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** Starts reading {@code alertsTopic} from the beginning, in a thread of its own (a consumer stays on one thread). */
    public ProbeAlerts(final Map<String, Object> clientProps, final String alertsTopic) {
        final Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer =
                         new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                final List<TopicPartition> partitions = consumer.partitionsFor(alertsTopic).stream()
                        .map(p -> new TopicPartition(alertsTopic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    final ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                    final long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        note(AlertEventJson.read(r.value()), now);
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "vigil-bench-alerts");
        thread.setDaemon(true);
        thread.start();
    }

    private void note(final AlertEvent event, final long readableAtMs) {
        if (event.status() == EventStatus.FIRING && BenchRules.PROBE_ALERT.equals(event.labels().get("alertname"))
                && event.startsAt().isPresent()) {
            readableMs.putIfAbsent(LiveLoad.probeKey(event.labels().get("probe"), event.startsAt().get().toEpochMilli()),
                    readableAtMs);
        }
    }

    /** When each probe's firing became readable (epoch ms), by {@link LiveLoad#probeKey}. */
    public Map<String, Long> readableMs() {
        if (failure != null) {
            throw new IllegalStateException("reading the alerts failed: " + failure.getMessage(), failure);
        }
        return readableMs;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(10).toMillis());
    }
}
