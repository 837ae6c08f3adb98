package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A receiver's counters are there at 0 from the moment its delivery is set up: Prometheus' {@code increase()} misses
 * the first count of a counter that appears at 1, and the first restart, or the first alert refused, would fire no
 * alert of deploy/vigil-self-alerts.yml.
 */
class DeliveryMetricsTest {

    private static double count(final SimpleMeterRegistry registry, final String name, final String... tags) {
        final Counter counter = registry.find(name).tags(tags).counter();
        assertThat(counter).as("%s %s", name, List.of(tags)).isNotNull();
        return counter.count();
    }

    @Test
    void eachReceiversCountersAreAtZeroBeforeItsFirstDelivery() throws Exception {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final WebhookReceiver pager = new WebhookReceiver("pager", URI.create("http://127.0.0.1:9/hook"),
                Optional.empty(), true, Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
        final AlertmanagerReceiver am = new AlertmanagerReceiver("am", URI.create("http://127.0.0.1:9"),
                Optional.empty(), Duration.ofMinutes(1));
        // Set up, not started: no broker is needed.
        try (Delivery delivery = new Delivery(List.of(pager), List.of(am), Map.of("bootstrap.servers", "127.0.0.1:9"),
                "alerts", "alerts.dlq", "http://vigil:8080", registry)) {
            for (String outcome : List.of("delivered", "retry", "refused")) {
                assertThat(count(registry, "vigil.delivery.attempts", "receiver", "pager", "outcome", outcome)).isZero();
            }
            assertThat(count(registry, "vigil.delivery.delivered", "receiver", "pager")).isZero();
            assertThat(count(registry, "vigil.delivery.restarts", "receiver", "pager")).isZero();
            // Alertmanager's push retries what it is refused, at its next resend: no "refused" outcome. Its delivered
            // count and backlog are the alert changes in a push Alertmanager accepted, and those in none yet.
            assertThat(count(registry, "vigil.delivery.attempts", "receiver", "am", "outcome", "delivered")).isZero();
            assertThat(count(registry, "vigil.delivery.attempts", "receiver", "am", "outcome", "retry")).isZero();
            assertThat(count(registry, "vigil.delivery.delivered", "receiver", "am")).isZero();
            assertThat(count(registry, "vigil.delivery.restarts", "receiver", "am")).isZero();
            // VigilDeliveryBacklog reads it: there for every receiver from the start, Alertmanager's too.
            for (String receiver : List.of("pager", "am")) {
                assertThat(registry.find("vigil.delivery.backlog").tag("receiver", receiver).gauge()).as(receiver)
                        .isNotNull().extracting(g -> g.value()).isEqualTo(0.0);
            }
            assertThat(registry.find("vigil.delivery.attempts").tag("receiver", "am").tag("outcome", "refused")
                    .counter()).isNull();
        }
    }
}
