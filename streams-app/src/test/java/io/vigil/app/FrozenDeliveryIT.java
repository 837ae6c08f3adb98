package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.alerts.Fingerprint;
import io.vigil.delivery.Delivery;
import io.vigil.delivery.RetryPolicy;
import io.vigil.delivery.WebhookReceiver;
import io.vigil.model.DurationSyntax;
import io.vigil.model.Labels;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance whose process froze (SIGSTOP: a long pause of the collector, a frozen VM or container) while it held the
 * delivery of the alerts topic, and thawed once another instance had taken it over and sent an alert's firing and
 * resolve: the thawed instance must not send what it reads before it learns it was left out. A multi-instance audit
 * saw it send the resolved alert's firing last, 3 times in 3 pauses, leaving the pager with an open incident.
 */
class FrozenDeliveryIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @TempDir
    Path dir;

    private static final String ALERTS = "alerts-frozen";

    @Test
    void aThawedInstanceSendsNothingItsSuccessorSentAfterItWasLeftOut() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(ALERTS, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            received.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        hook.start();
        final String url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook";
        final Path rules = Files.writeString(dir.resolve("rules.yaml"), TopologyTest.RULES);
        // The broker's shortest session: the frozen instance is left out 6 s after its last heartbeat.
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), """
                kafka: {session.timeout.ms: 6000}
                receivers:
                  - name: pager
                    webhook: {url: "%s"}
                """.formatted(url));
        final AlertEvent warm = event("node-01", EventStatus.FIRING);
        final AlertEvent firing = event("node-02", EventStatus.FIRING);
        final AlertEvent resolved = event("node-02", EventStatus.RESOLVED);
        try (VigilProcess frozen = VigilProcess.start("frozen", Path.of("target", "frozen-delivery"),
                List.of("--bootstrap-servers", broker.bootstrapServers(), "--rules", rules.toString(),
                        "--config", config.toString(), "--data-dir", dir.resolve("data").toString()),
                Map.of("VIGIL_KAFKA_APPLICATION_ID", "vigil-frozen", "VIGIL_TOPICS_METRICS", "metrics-frozen",
                        "VIGIL_TOPICS_ALERTS", ALERTS, "VIGIL_TOPICS_DLQ", "dlq-frozen"), List.of())) {
            frozen.awaitStarted();
            produce(warm);
            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 1);
            // Its delivery committed, so that the successor starts after it (else it sends it again, as it should).
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.listConsumerGroupOffsets("vigil-delivery-pager")
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).values().stream()
                        .anyMatch(o -> o != null && o.offset() == 1));
            }

            signal("-STOP", frozen.pid());
            final WebhookReceiver pager = new WebhookReceiver("pager", URI.create(url), Optional.empty(), true,
                    Optional.empty(), Optional.empty(), Duration.ofSeconds(5), WebhookReceiver.DEFAULT_MAX_IN_FLIGHT,
                    new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)));
            try (Delivery successor = new Delivery(List.of(pager), Map.of("bootstrap.servers", broker.bootstrapServers(),
                    "session.timeout.ms", "6000"), ALERTS, ALERTS + ".dlq", "http://vigil:8080",
                    new SimpleMeterRegistry())) {
                successor.start(Instant.MIN);
                produce(firing);
                produce(resolved);
                await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 3);
                assertThat(received).as("the successor took over where the frozen instance stood")
                        .containsExactly(key(warm), key(firing), key(resolved));

                signal("-CONT", frozen.pid());
                // The thawed instance polls what was written while it was frozen before it hears it was left out.
                await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(received).containsExactly(key(warm), key(firing), key(resolved)));
                await().atMost(Duration.ofSeconds(30)).until(() -> frozen.log().contains("the group did not confirm this instance"));
            }
        } finally {
            hook.stop(0);
        }
    }

    /**
     * The same pause of an instance pushing to Alertmanager, which reads the whole alerts topic with no group: thawed,
     * its resend was due, and it pushed the firing it held over the resolve written meanwhile (a multi-instance audit:
     * 4 of 5 pauses; after one of 16 minutes Alertmanager paged again for the resolved incident). A resend now reads up
     * to where the topic ends first.
     */
    @Test
    void aThawedInstanceResendsAlertmanagerNothingItHeldBeforeItReadWhatWasWrittenMeanwhile() throws Exception {
        final List<Pushed> pushed = frozenPush("frozen-am", "1s", Map.of(), List.of(event("node-02", EventStatus.FIRING)),
                List.of(event("node-02", EventStatus.RESOLVED)), "node-02");
        assertThat(pushed).as("firing pushes of node-02 made after its resolve was written")
                .noneMatch(p -> p.instance().equals("node-02") && p.firing() && p.madeWhileFrozen());
    }

    /**
     * An alert that fired and resolved while the instance was frozen, read one record a poll after the thaw, with no
     * resend due: its firing, read first, was pushed as a change before its resolve was read. After a pause nothing is
     * pushed until the topic is read up to where it ends.
     */
    @Test
    void aThawedInstancePushesNoChangeBeforeItReadWhatWasWrittenMeanwhile() throws Exception {
        final List<Pushed> pushed = frozenPush("frozen-am-changes", "1h", Map.of("max.poll.records", "1"),
                List.of(event("node-01", EventStatus.FIRING)),
                List.of(event("node-03", EventStatus.FIRING), event("node-03", EventStatus.RESOLVED)), "node-03");
        assertThat(pushed).as("firing pushes of node-03, which fired and resolved while the instance was frozen")
                .noneMatch(p -> p.instance().equals("node-03") && p.firing());
    }

    /**
     * One alert as a push carried it: its instance, whether it was pushed firing (a firing alert's endsAt is the push's
     * time + 4 x resend_interval; a resolved one's is its own, 2026-12-07T04:51:40Z), and whether the push was received
     * after the instance was frozen and made after that (a firing one's time told by its endsAt).
     */
    private record Pushed(String instance, boolean firing, boolean madeWhileFrozen, boolean receivedAfterFreeze) {
    }

    /**
     * Runs a `vigil run` pushing to a loopback server in Alertmanager's place (what is asserted is what Vigil sends,
     * and when it made it), writes {@code before} and waits for their push, freezes it (SIGSTOP) for 4 s, longer than a
     * 1 s resend_interval and than the push's pause (2 s), writes {@code whileFrozen}, thaws it, and returns what was
     * pushed once {@code resolved}'s resolve was pushed after the thaw.
     */
    private List<Pushed> frozenPush(final String name, final String resendInterval, final Map<String, String> kafka,
                                    final List<AlertEvent> before, final List<AlertEvent> whileFrozen,
                                    final String resolved) throws Exception {
        final String alerts = "alerts-" + name;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(alerts, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final Duration resend = DurationSyntax.parse(resendInterval).orElseThrow();
        final Instant testStart = Instant.now();
        final AtomicReference<Instant> frozenAt = new AtomicReference<>(Instant.MAX);
        final List<Pushed> pushed = Collections.synchronizedList(new ArrayList<>());
        final HttpServer am = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        am.createContext("/api/v2/alerts", ex -> {
            final Instant received = Instant.now();
            for (com.fasterxml.jackson.databind.JsonNode alert : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(ex.getRequestBody())) {
                final Instant endsAt = Instant.parse(alert.path("endsAt").asText());
                final boolean firing = endsAt.isAfter(testStart);
                pushed.add(new Pushed(alert.path("labels").path("instance").asText(), firing,
                        firing && endsAt.minus(resend.multipliedBy(4)).isAfter(frozenAt.get()),
                        received.isAfter(frozenAt.get())));
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        am.start();
        final Path rules = Files.writeString(dir.resolve("rules.yaml"), TopologyTest.RULES);
        final StringBuilder kafkaYaml = new StringBuilder();
        kafka.forEach((k, v) -> kafkaYaml.append(k).append(": ").append(v).append(", "));
        final Path config = Files.writeString(dir.resolve(name + ".yaml"), """
                kafka: {%s}
                receivers:
                  - name: am
                    alertmanager: {url: "http://127.0.0.1:%d", resend_interval: %s}
                """.formatted(kafkaYaml.toString().replaceAll(", $", ""), am.getAddress().getPort(), resendInterval));
        try (VigilProcess frozen = VigilProcess.start(name, Path.of("target", "frozen-delivery"),
                List.of("--bootstrap-servers", broker.bootstrapServers(), "--rules", rules.toString(),
                        "--config", config.toString(), "--data-dir", dir.resolve("data-" + name).toString()),
                Map.of("VIGIL_KAFKA_APPLICATION_ID", "vigil-" + name, "VIGIL_TOPICS_METRICS", "metrics-" + name,
                        "VIGIL_TOPICS_ALERTS", alerts, "VIGIL_TOPICS_DLQ", "dlq-" + name), List.of())) {
            frozen.awaitStarted();
            for (AlertEvent e : before) {
                produce(alerts, e);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> List.copyOf(pushed).stream().anyMatch(p -> before.stream()
                    .anyMatch(e -> e.labels().toMap().get("instance").equals(p.instance()))));

            signal("-STOP", frozen.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> stopped(frozen.pid()));
            frozenAt.set(Instant.now());
            for (AlertEvent e : whileFrozen) {
                produce(alerts, e);
            }
            // Frozen as a long collector pause or a frozen container would hold it: the condition is the time itself.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Duration.between(frozenAt.get(), Instant.now()).compareTo(Duration.ofSeconds(4)) >= 0);
            signal("-CONT", frozen.pid());

            await().atMost(Duration.ofSeconds(30)).until(() -> List.copyOf(pushed).stream()
                    .anyMatch(p -> p.instance().equals(resolved) && !p.firing() && p.receivedAfterFreeze()));
            return List.copyOf(pushed);
        } finally {
            am.stop(0);
        }
    }

    /** Whether the process is stopped (state T in /proc): a signal is delivered, not yet acted on, when kill returns. */
    private static boolean stopped(final long pid) throws Exception {
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    }

    private static String key(final AlertEvent e) {
        return e.fingerprint() + "-" + e.status().jsonName() + "-" + e.startsAt().orElseThrow();
    }

    private static AlertEvent event(final String instance, final EventStatus status) {
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", instance);
        final Instant starts = Instant.parse("2026-12-07T04:50:40Z");
        return new AlertEvent(Fingerprint.of(labels), status, labels, Map.of(), starts.minusSeconds(30),
                Optional.of(starts), status == EventStatus.RESOLVED ? Optional.of(starts.plusSeconds(60))
                : Optional.empty(), OptionalDouble.of(97), "nodes/CpuHigh", "http://vigil:8080/rules/nodes/CpuHigh");
    }

    private static void produce(final AlertEvent e) throws Exception {
        produce(ALERTS, e);
    }

    private static void produce(final String topic, final AlertEvent e) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, e.fingerprint(), AlertEventJson.write(e))).get();
        }
    }

    private static void signal(final String signal, final long pid) throws Exception {
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill %s %d", signal, pid).isTrue();
    }
}
