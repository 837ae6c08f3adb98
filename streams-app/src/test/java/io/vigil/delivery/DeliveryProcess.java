package io.vigil.delivery;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** Delivery alone in a JVM of its own, for the test that kills it hard: {@code BOOTSTRAP TOPIC URL}. */
public final class DeliveryProcess {

    private DeliveryProcess() {
    }

    public static void main(final String[] args) throws Exception {
        final WebhookReceiver receiver = new WebhookReceiver("crashy", URI.create(args[2]), Optional.empty(), true,
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5), WebhookReceiver.DEFAULT_MAX_IN_FLIGHT,
                new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)));
        final Delivery delivery = new Delivery(List.of(receiver), Map.of("bootstrap.servers", args[0]), args[1],
                args[1] + ".dlq", "http://vigil:8080", new SimpleMeterRegistry());
        delivery.start(Instant.MIN); // every event on the topic: killed before its first commit, it starts over from them
        System.out.println("delivering");
        new CountDownLatch(1).await();
    }
}
