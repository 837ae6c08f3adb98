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
 * Writes a recorded period of the fleet to a topic: scrape after scrape, every series once per scrape, keyed by
 * series, until {@code datapoints} are written. The period ends {@code endMs}.
 */
public final class TopicFill {

    private TopicFill() {
    }

    /** @return the seconds it took, acknowledged */
    public static double fill(final Map<String, Object> clientProps, final String topic, final FleetMetrics fleet,
                              final long datapoints, final long endMs) {
        final long steps = (datapoints + fleet.series() - 1) / fleet.series();
        final long startMs = endMs - steps * FleetMetrics.SCRAPE_MS;
        final Map<String, Object> props = new java.util.HashMap<>(clientProps);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long written = 0;
            for (long step = 0; step < steps && written < datapoints; step++) {
                final long ts = startMs + step * FleetMetrics.SCRAPE_MS;
                for (int s = 0; s < fleet.series() && written < datapoints; s++, written++) {
                    final String json = fleet.datapoint(s, ts, FleetMetrics.hotNode(s, step, steps));
                    producer.send(new ProducerRecord<>(topic, fleet.key(s), json.getBytes(StandardCharsets.UTF_8)),
                            (meta, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                }
                if (failure.get() != null) {
                    break;
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("cannot write to " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        return (System.nanoTime() - started) / 1e9;
    }
}
