package io.vigil.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A steady live load: the fleet's series round robin at a fixed rate, each point stamped with the wall clock, and at
 * every whole second T a point of each of {@link #PROBES} probe series stamped exactly T. Probe {@code p} is at 100
 * (above the probe rule's threshold) at the seconds where {@code (T/1000 + p)} is even and at 0 otherwise, so each
 * probe fires and resolves in turn and half of them fire at every second. The time the broker appended each firing
 * probe point (the topic's LogAppendTime, as the producer's acknowledgement reports it) is kept, by
 * {@link #probeKey(String, long)}.
 */
public final class LiveLoad {

    public static final int PROBES = 8;

    /** What was sent. */
    public record Result(long datapoints, double seconds) {
        public double rate() {
            return datapoints / seconds;
        }
    }

    private final Map<String, Long> firingAppendMs = new ConcurrentHashMap<>();

    /** The key of a firing probe: the probe's label and the evaluation instant it fires at. */
    public static String probeKey(final String probe, final long instantMs) {
        return probe + "@" + instantMs;
    }

    /** Append time (epoch ms) of each firing probe point sent so far, by {@link #probeKey}. */
    public Map<String, Long> firingAppendMs() {
        return firingAppendMs;
    }

    /**
     * Sends for {@code warmUp} then {@code length}, in this thread, and runs {@code warmedUp} in it once the warm-up
     * is over (before any point of the counted part is sent).
     */
    public Result run(final Map<String, Object> clientProps, final String topic, final FleetMetrics fleet,
                      final int ratePerSecond, final Duration warmUp, final Runnable warmedUp, final Duration length)
            throws InterruptedException {
        final Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final long started = System.nanoTime();
        final long warm = started + warmUp.toNanos();
        final long end = warm + length.toNanos();
        boolean warmedUpRun = false;
        long sent = 0;
        int nextSeries = 0;
        long lastProbeSecond = System.currentTimeMillis() / 1000;
        final LiveRecords records = new LiveRecords(fleet);
        // One callback for every fleet point, not one made per send.
        final Callback failed = (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < end && failure.get() == null) {
                if (!warmedUpRun && System.nanoTime() >= warm) {
                    warmedUpRun = true;
                    warmedUp.run();
                }
                final long second = System.currentTimeMillis() / 1000;
                if (second > lastProbeSecond) {
                    lastProbeSecond = second;
                    sendProbes(producer, topic, second * 1000, failure);
                }
                final long due = (long) (ratePerSecond * ((System.nanoTime() - started) / 1e9));
                if (sent >= due) {
                    TimeUnit.MICROSECONDS.sleep(500);
                    continue;
                }
                for (; sent < due; sent++) {
                    producer.send(new ProducerRecord<>(topic, records.key(nextSeries),
                            records.datapoint(nextSeries, System.currentTimeMillis())), failed);
                    nextSeries = (nextSeries + 1) % fleet.series();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("cannot write to " + topic + ": " + failure.get().getMessage(), failure.get());
        }
        return new Result(sent, (System.nanoTime() - started) / 1e9);
    }

    private void sendProbes(final KafkaProducer<byte[], byte[]> producer, final String topic, final long instantMs,
                            final AtomicReference<Exception> failure) {
        for (int p = 0; p < PROBES; p++) {
            final String probe = "p" + p;
            final boolean firing = (instantMs / 1000 + p) % 2 == 0;
            final String json = FleetMetrics.adapterJson(BenchRules.PROBE_SERIES, "\"probe\":\"" + probe + "\"",
                    instantMs, firing ? "100" : "0");
            producer.send(new ProducerRecord<>(topic, ("probe/" + probe).getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)),
                    (meta, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else if (firing) {
                            firingAppendMs.put(probeKey(probe, instantMs), meta.timestamp());
                        }
                    });
        }
    }
}
