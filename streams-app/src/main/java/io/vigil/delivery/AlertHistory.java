package io.vigil.delivery;

import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a receiver that has never delivered from a partition of the alerts topic starts with: the alerts firing now,
 * not the events before them. Read from the start of the partition up to the events written since the delivery
 * started: of those earlier events only each alert's latest is sent, and only if it is firing; every later event is
 * sent as usual. Without it a receiver added to a deployment that had run for days paged every incident of its
 * retention again, firing then resolved (an audit saw pages for alerts resolved years before, in event time).
 *
 * @param until  the first offset that is not history: events from it on are delivered as usual
 * @param firing the offsets below {@code until} to deliver: each the latest event of its alert there, firing
 * @param events the events below {@code until}, read
 */
record AlertHistory(long until, Set<Long> firing, long events) {

    /** No history: every event is delivered. */
    static final AlertHistory NONE = new AlertHistory(0, Set.of(), 0);

    AlertHistory {
        firing = Set.copyOf(firing);
    }

    /** Whether the event at {@code offset} is history not delivered. */
    boolean skips(final long offset) {
        return offset < until && !firing.contains(offset);
    }

    /**
     * Reads {@code tp} from its start up to {@code end} (exclusive) or to the first event written at or after
     * {@code deliveredSince} (the alerts topic has the broker's append times), whichever comes first.
     *
     * @param kafka   the receiver's Kafka client settings; read without a consumer group
     * @param goOn    false once delivery stops: the read ends, and so does the delivery
     * @throws KafkaException when the partition cannot be read within {@code timeout} of no progress; the delivery
     *                        is then started again, as for any failure of its consumer
     */
    static AlertHistory read(final Map<String, Object> kafka, final TopicPartition tp, final long end,
                             final Instant deliveredSince, final Duration timeout, final BooleanSupplier goOn) {
        final Properties props = new Properties();
        props.putAll(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        final Map<String, Latest> latest = new HashMap<>();
        long until = end;
        long events = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long lastProgress = System.nanoTime();
            read:
            while (consumer.position(tp) < end) {
                if (!goOn.getAsBoolean()) {
                    return NONE;
                }
                final var records = consumer.poll(Duration.ofMillis(200)).records(tp);
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                    throw new KafkaException("no progress reading " + tp + " at offset " + consumer.position(tp)
                            + " of " + end + " for " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.offset() >= end || !Instant.ofEpochMilli(r.timestamp()).isBefore(deliveredSince)) {
                        until = Math.min(end, r.offset());
                        break read;
                    }
                    events++;
                    if (r.key() != null) {
                        latest.put(new String(r.key(), StandardCharsets.ISO_8859_1), new Latest(r.offset(), firing(r)));
                    }
                }
            }
        }
        final Set<Long> firing = new TreeSet<>();
        latest.values().forEach(l -> {
            if (l.firing()) {
                firing.add(l.offset());
            }
        });
        return new AlertHistory(until, firing, events);
    }

    private record Latest(long offset, boolean firing) {
    }

    /** Whether a record is a firing alert event; anything else (resolved, pending, not an event) is not sent. */
    private static boolean firing(final ConsumerRecord<byte[], byte[]> record) {
        try {
            return AlertEventJson.read(record.value()).status() == EventStatus.FIRING;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
