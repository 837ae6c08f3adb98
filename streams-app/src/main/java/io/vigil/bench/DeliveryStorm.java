package io.vigil.bench;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.alerts.Fingerprint;
import io.vigil.delivery.Delivery;
import io.vigil.delivery.WebhookReceiver;
import io.vigil.model.Labels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An alert storm on the alerts topic (a fleet's nodes silent at once: one firing event per node, keyed by fingerprint
 * as the engine writes them) delivered to a webhook receiver on loopback that answers each request after a set delay,
 * as one far away or slow would.
 */
public final class DeliveryStorm {

    private DeliveryStorm() {
    }

    /** Writes {@code alerts} firing events of as many alerts to {@code topic}. */
    public static void fill(final Map<String, Object> clientProps, final String topic, final int alerts) {
        final Instant t = Instant.parse("2026-12-04T16:45:00Z");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(clientProps, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < alerts; i++) {
                final Labels labels = Labels.of("alertname", "NodeSilent", "cluster", "backend", "instance",
                        String.format(Locale.ROOT, "node-%05d", i), "severity", "page");
                final AlertEvent e = new AlertEvent(Fingerprint.of(labels), EventStatus.FIRING, labels,
                        Map.of("summary", "no datapoint for 3m"), t, Optional.of(t), Optional.empty(),
                        OptionalDouble.of(180), "fleet/NodeSilent", "http://vigil:8080/rules/fleet/NodeSilent");
                producer.send(new ProducerRecord<>(topic, e.fingerprint(), AlertEventJson.write(e)));
            }
            producer.flush();
        }
    }

    /**
     * Delivers every event of {@code topic} (a new consumer group: from the start) to a receiver answering after
     * {@code answerAfter}, with {@code maxInFlight} requests at once at most.
     *
     * @return alerts per second, from the first answered request to the last (the group's join not counted)
     */
    public static double deliver(final Map<String, Object> kafka, final String topic, final String deadLetterTopic,
                                 final int alerts, final Duration answerAfter, final int maxInFlight)
            throws IOException, InterruptedException {
        final CountDownLatch all = new CountDownLatch(alerts);
        final AtomicLong first = new AtomicLong();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final ExecutorService handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            try {
                Thread.sleep(answerAfter.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            first.compareAndSet(0, System.nanoTime());
            ex.sendResponseHeaders(200, -1);
            ex.close();
            all.countDown();
        });
        server.start();
        final String name = "storm-" + answerAfter.toMillis() + "ms-" + maxInFlight + "-" + System.nanoTime();
        final WebhookReceiver receiver = new WebhookReceiver(name, URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30), maxInFlight);
        try (Delivery delivery = new Delivery(List.of(receiver), kafka, topic, deadLetterTopic, "http://vigil:8080",
                new SimpleMeterRegistry())) {
            delivery.start(Instant.MIN); // the whole storm, written before: a receiver new to it would skip it as history
            if (!all.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the storm was not delivered in 10 minutes");
            }
            return (alerts - 1) / ((System.nanoTime() - first.get()) / 1e9);
        } finally {
            server.stop(0);
            handlers.shutdownNow();
        }
    }
}
