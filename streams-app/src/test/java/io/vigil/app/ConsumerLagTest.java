package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The lag ingest sees is the one of the main consumer of its own stream thread. */
class ConsumerLagTest {

    private static Map<String, Object> config(final String clientId) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.GROUP_ID_CONFIG, "consumer-lag-test");
    }

    private static OptionalLong lagOnThread(final ConsumerLag lag, final String threadName) throws InterruptedException {
        final AtomicReference<OptionalLong> seen = new AtomicReference<>();
        final Thread thread = new Thread(() -> seen.set(lag.of("metrics", 0)), threadName);
        thread.start();
        thread.join();
        return seen.get();
    }

    @Test
    void aStreamThreadAsksItsOwnMainConsumer() throws InterruptedException {
        final ConsumerLag lag = new ConsumerLag();
        try (Consumer<byte[], byte[]> consumer = lag.getConsumer(config("app-1-StreamThread-1-consumer"))) {
            consumer.assign(List.of(new TopicPartition("metrics", 0)));
            // No fetch answered yet (there is no broker): not known, so the partition cannot be taken for idle.
            assertThat(lagOnThread(lag, "app-1-StreamThread-1")).isEmpty();
        }
    }

    @Test
    void aThreadWithoutAMainConsumerFallsBackToTheWallClock() throws InterruptedException {
        final ConsumerLag lag = new ConsumerLag();
        try (Consumer<byte[], byte[]> consumer = lag.getConsumer(config("app-1-StreamThread-1-consumer"))) {
            assertThat(lagOnThread(lag, "some-other-thread")).hasValue(0);
        }
    }
}
