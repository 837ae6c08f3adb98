package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.alerts.Fingerprint;
import io.vigil.app.CapturedLogs;
import io.vigil.model.Labels;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    /**
     * Alertmanager's log, and a proxy's in front of it, name Vigil as a webhook receiver's do: the push sent the JDK's
     * {@code Java-http-client/17...}.
     */
    @Test
    void aPushSaysItIsVigilAsAWebhookRequestDoes() throws Exception {
        final List<String> agents = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            agents.add(ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("User-Agent"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        final String base = "http://127.0.0.1:" + server.getAddress().getPort();
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", "n-1");
        final Instant t = Instant.parse("2026-12-06T03:00:00Z");
        final AlertEvent event = new AlertEvent(Fingerprint.of(labels), EventStatus.FIRING, labels, Map.of(), t,
                Optional.of(t), Optional.empty(), OptionalDouble.of(97), "nodes/CpuHigh", "http://vigil/");
        try {
            final HttpClient http = WebhookSender.httpClient(); // the one Delivery gives both
            new AlertmanagerPush(new AlertmanagerReceiver("am", URI.create(base), Optional.empty(),
                    Duration.ofMinutes(1)), Map.of(), "alerts", http, Clock.systemUTC(), new DeliveryMetrics(registry))
                    .push(List.of(event));
            assertThat(new WebhookSender(http).send(new WebhookReceiver("pager", URI.create(base + "/hook"),
                    Optional.empty(), true, Optional.empty(), Optional.empty(), Duration.ofSeconds(5)),
                    WebhookPayload.of("pager", event, "http://vigil"), "k")).isEqualTo(new WebhookSender.Delivered(200));
        } finally {
            server.stop(0);
        }
        assertThat(agents).containsExactly("/api/v2/alerts Vigil", "/hook Vigil");
    }

    /** A push Alertmanager refuses is logged with its answer's body, which says why: the status alone did not. */
    @Test
    void aRefusedPushIsLoggedWithWhyAlertmanagerRefusedIt() throws Exception {
        final HttpServer alertmanager = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        alertmanager.createContext("/api/v2/alerts", ex -> {
            final byte[] why = "{\"code\":400,\"message\":\"start time must be before end time\"}\n"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(400, why.length);
            ex.getResponseBody().write(why);
            ex.close();
        });
        alertmanager.start();
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", "n-1");
        final Instant t = Instant.parse("2026-12-06T03:00:00Z");
        try (CapturedLogs logs = new CapturedLogs()) {
            new AlertmanagerPush(new AlertmanagerReceiver("am", URI.create("http://127.0.0.1:"
                    + alertmanager.getAddress().getPort()), Optional.empty(), Duration.ofMinutes(1)), Map.of(), "alerts",
                    HttpClient.newHttpClient(), Clock.systemUTC(), new DeliveryMetrics(registry))
                    .push(List.of(new AlertEvent(Fingerprint.of(labels), EventStatus.FIRING, labels, Map.of(), t,
                            Optional.of(t), Optional.empty(), OptionalDouble.of(97), "nodes/CpuHigh", "http://vigil/")));
            assertThat(logs.text()).contains("Alertmanager am answered 400 to 1 alert(s); they are sent again at the"
                    + " next resend: {\"code\":400,\"message\":\"start time must be before end time\"}");
        } finally {
            alertmanager.stop(0);
        }
        assertThat(AlertmanagerPush.excerpt("x".repeat(400))).hasSize(303).endsWith("...");
        assertThat(AlertmanagerPush.excerpt(" ")).isEqualTo("(no body)");
    }
}
