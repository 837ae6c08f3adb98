package io.vigil.app;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Settings the integration tests' own producers share, and a small fleet some of them write. */
public final class TestProducers {

    /**
     * {@code max.in.flight.requests.per.connection = 1}. A test writes to a topic it has just created; the broker may
     * refuse the first batch (NOT_LEADER_OR_FOLLOWER: the new partition's leadership has not reached it yet) while
     * later batches of the same idempotent producer, sent behind it, are already accepted. The first batch's retry
     * then carries a sequence the broker has passed, and is refused as out of order for ever (seen once in CI:
     * one dead-letter record of five never arrived). One batch in flight keeps the batches in order.
     */
    public static final String ONE_BATCH_IN_FLIGHT = "max.in.flight.requests.per.connection";

    private TestProducers() {
    }

    /**
     * node-05 to node-08's cpu, one point each 10 s of event time from {@code t0}, steps {@code from} to {@code to}
     * (excluded), without keys: node-07 at 97 at the steps {@code hot} takes, the others and node-07's other steps at
     * 35 plus the node's number.
     */
    static void fourNodes(final String bootstrapServers, final String topic, final long t0, final int from,
                          final int to, final IntPredicate hot) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int step = from; step < to; step++) {
                for (int n = 5; n <= 8; n++) {
                    final double cpu = n == 7 && hot.test(step) ? 97 : 35 + n;
                    producer.send(new ProducerRecord<>(topic, null, TopologyTest.point(String.format("node-%02d", n),
                            cpu, t0 + step * 10_000L).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }
}
