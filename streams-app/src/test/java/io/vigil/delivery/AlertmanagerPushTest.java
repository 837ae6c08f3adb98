package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.alerts.Fingerprint;
import io.vigil.model.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What the Alertmanager push makes of the records of the alerts topic. */
class AlertmanagerPushTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AlertmanagerPush push = new AlertmanagerPush(
            new AlertmanagerReceiver("am", URI.create("http://127.0.0.1:9"), Optional.empty(), Duration.ofMinutes(1)),
            Map.of(), "alerts", HttpClient.newHttpClient(), Clock.systemUTC(), new DeliveryMetrics(registry));

    @Test
    void aRecordThatIsNotAnAlertEventIsSkippedAndCountedAndTheNextOneIsRead() {
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", "n-1");
        final Instant t = Instant.parse("2026-12-06T03:00:00Z");
        final AlertEvent event = new AlertEvent(Fingerprint.of(labels), EventStatus.FIRING, labels, Map.of(), t,
                Optional.of(t), Optional.empty(), OptionalDouble.of(97), "nodes/CpuHigh", "http://vigil/rules");

        assertThat(push.read(new ConsumerRecord<>("alerts", 0, 7, "garbagekey".getBytes(StandardCharsets.UTF_8),
                "not json at all".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        assertThat(push.read(new ConsumerRecord<>("alerts", 0, 8, null, null))).isEmpty();
        assertThat(push.read(new ConsumerRecord<>("alerts", 0, 9, null, AlertEventJson.write(event)))).contains(event);
        assertThat(registry.get("vigil.delivery.skipped").tag("receiver", "am").tag("reason", "malformed").counter()
                .count()).isEqualTo(2);
    }
}
