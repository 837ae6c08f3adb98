package io.vigil.delivery;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the alert events of the alerts topic to one webhook receiver, at least once, in order per fingerprint.
 *
 * <p>It reads the topic with a consumer group of its own (read_committed: only events the engine committed), and
 * commits an offset only once the event before it was delivered (2xx) or given up on for good (to the dead-letter
 * topic): a crash or restart resumes where delivery stood, and loses nothing. Each receiver has its own thread and
 * group, so one slow or dead receiver holds up no other. Retries back off exponentially with jitter and honour
 * Retry-After; they go on for as long as the receiver fails, since dropping a page is worse than paging late.
 */
final class ReceiverDelivery implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverDelivery.class);

    private final WebhookReceiver receiver;
    private final Map<String, Object> kafka;
    private final String alertsTopic;
    private final String deadLetterTopic;
    private final String externalUrl;
    private final WebhookSender sender;
    private final RetryPolicy retry;
    private final DeliveryMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Opened by {@link #stop()}: a backoff wait ends at once when delivery stops. */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    ReceiverDelivery(final WebhookReceiver receiver, final Map<String, Object> kafka, final String alertsTopic,
                     final String deadLetterTopic, final String externalUrl, final WebhookSender sender,
                     final RetryPolicy retry, final DeliveryMetrics metrics) {
        this.receiver = receiver;
        this.kafka = Map.copyOf(kafka);
        this.alertsTopic = alertsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.externalUrl = externalUrl;
        this.sender = sender;
        this.retry = retry;
        this.metrics = metrics;
    }

    void stop() {
        running.set(false);
        stopped.countDown();
    }

    @Override
    public void run() {
        final Properties consumerProps = new Properties();
        consumerProps.putAll(kafka);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "vigil-delivery-" + receiver.name());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        // A receiver may be down for a long time; retrying must not cost this consumer its group membership.
        consumerProps.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.MAX_VALUE);
        // After a crash, the restarted delivery waits out the dead member's session before it may go on: keep it short.
        consumerProps.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        final Properties producerProps = new Properties();
        producerProps.putAll(kafka);
        producerProps.put("enable.idempotence", true);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> deadLetters = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            consumer.subscribe(List.of(alertsTopic));
            while (running.get()) {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                int left = records.count();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    metrics.backlog(receiver.name(), left--);
                    if (!deliver(record, deadLetters)) {
                        return; // stopping: the offset stays where it is, the event is delivered after a restart
                    }
                    consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
                }
                metrics.backlog(receiver.name(), 0);
            }
        } catch (RuntimeException e) {
            LOG.error("delivery to receiver {} stopped: {}", receiver.name(), e.toString());
        }
    }

    /** Delivers one event, retrying as long as it takes. Returns false only when stopping. */
    private boolean deliver(final ConsumerRecord<byte[], byte[]> record, final KafkaProducer<byte[], byte[]> deadLetters) {
        final AlertEvent event;
        try {
            event = AlertEventJson.read(record.value());
        } catch (IllegalArgumentException e) {
            deadLetter(record, deadLetters, "not an alert event: " + e.getMessage());
            return true;
        }
        if (!wanted(event)) {
            return true;
        }
        final byte[] body = WebhookPayload.of(receiver.name(), event, externalUrl);
        final String key = WebhookPayload.idempotencyKey(event);
        for (int attempt = 1; running.get(); attempt++) {
            final long started = System.nanoTime();
            final WebhookSender.Attempt outcome = sender.send(receiver, body, key);
            if (outcome instanceof WebhookSender.Delivered) {
                metrics.attempt(receiver.name(), "delivered", System.nanoTime() - started);
                metrics.delivered(receiver.name());
                return true;
            }
            if (outcome instanceof WebhookSender.Permanent p) {
                metrics.attempt(receiver.name(), "refused", System.nanoTime() - started);
                metrics.failed(receiver.name(), p.reason());
                LOG.warn("receiver {} refused alert {} ({}): sent to {}", receiver.name(), event.fingerprint(),
                        p.reason(), deadLetterTopic);
                deadLetter(record, deadLetters, "receiver " + receiver.name() + " refused it: " + p.reason());
                return true;
            }
            final WebhookSender.Retry r = (WebhookSender.Retry) outcome;
            metrics.attempt(receiver.name(), "retry", System.nanoTime() - started);
            final Duration wait = r.after().map(retry::after).orElse(retry.backoff(attempt));
            LOG.info("receiver {} failed for alert {} ({}); attempt {} again in {} ms", receiver.name(),
                    event.fingerprint(), r.reason(), attempt + 1, wait.toMillis());
            try {
                if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private boolean wanted(final AlertEvent event) {
        if (event.status() == EventStatus.PENDING) {
            return false; // pending transitions are on the topic for dashboards, not for pagers
        }
        if (event.status() == EventStatus.RESOLVED && !receiver.sendResolved()) {
            return false;
        }
        return receiver.match().map(m -> m.matchers().stream().allMatch(x -> x.matches(event.labels()))).orElse(true);
    }

    private void deadLetter(final ConsumerRecord<byte[], byte[]> record, final KafkaProducer<byte[], byte[]> producer,
                            final String reason) {
        final ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
        dead.headers().add("vigil.error", reason.getBytes(StandardCharsets.UTF_8));
        dead.headers().add("vigil.receiver", receiver.name().getBytes(StandardCharsets.UTF_8));
        dead.headers().add("vigil.source.offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(dead).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + deadLetterTopic + ": " + e.getMessage(), e);
        }
    }
}
