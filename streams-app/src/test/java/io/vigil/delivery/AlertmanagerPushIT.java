package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.alerts.Fingerprint;
import io.vigil.app.EmbeddedKafka;
import io.vigil.app.TestProducers;
import io.vigil.model.Labels;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil pushing to a real Alertmanager (Debian's prometheus-alertmanager, started here on loopback): its API shows the
 * alerts firing with their labels and annotations, its own silences apply, a restart of Alertmanager loses nothing,
 * and resolved alerts leave it. CI installs the package; elsewhere the test is skipped when it is missing.
 */
class AlertmanagerPushIT {

    private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A free port for Alertmanager; the test is skipped where it is not installed (CI must install it). */
    private static int portForAlertmanager() throws Exception {
        if (!Files.isExecutable(BINARY)) {
            assertThat("true".equals(System.getenv("CI"))).as("CI must install prometheus-alertmanager (see .ci/run)")
                    .isFalse();
            Assumptions.abort("prometheus-alertmanager is not installed; `apt-get install prometheus-alertmanager`");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process startAlertmanager(final int port) throws Exception {
        final Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, "route:\n  receiver: blackhole\n  group_wait: 0s\nreceivers:\n  - name: blackhole\n");
        final Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
                "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get(port, "/-/ready").statusCode() == 200);
        return p;
    }

    /** The embedded broker with the alerts topic, and a producer writing to it one batch at a time. */
    private record AlertsTopic(EmbeddedKafka broker, KafkaProducer<String, byte[]> producer) implements AutoCloseable {
        @Override
        public void close() {
            try (broker) {
                producer.close();
            }
        }
    }

    /** An embedded broker with an {@code alerts} topic of {@code partitions} (CreateTime, Kafka's default). */
    private AlertsTopic alertsTopic(final int partitions) throws Exception {
        final EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("alerts", partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        return new AlertsTopic(broker, new KafkaProducer<>(Map.of(TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                "bootstrap.servers", broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer()));
    }

    private HttpResponse<String> get(final int port, final String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** instance -> state ("active", "suppressed") of the alerts Alertmanager holds. */
    private Map<String, String> alerts(final int port) throws Exception {
        final Map<String, String> out = new java.util.TreeMap<>();
        for (JsonNode a : JSON.readTree(get(port, "/api/v2/alerts").body())) {
            out.put(a.get("labels").get("instance").asText(), a.get("status").get("state").asText());
            assertThat(a.get("annotations").get("summary").asText()).endsWith(" is hot");
            assertThat(a.get("labels").get("severity").asText()).isEqualTo("page");
        }
        return out;
    }

    private static AlertEvent event(final String instance, final EventStatus status) {
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", instance, "severity", "page");
        final Instant now = Instant.now();
        return new AlertEvent(Fingerprint.of(labels), status, labels, Map.of("summary", instance + " is hot"),
                now.minusSeconds(120), Optional.of(now.minusSeconds(60)),
                status == EventStatus.RESOLVED ? Optional.of(now.minusSeconds(1)) : Optional.empty(),
                OptionalDouble.of(97), "nodes/CpuHigh", "http://vigil:8080/rules/nodes/CpuHigh");
    }

    @Test
    void alertsReachAlertmanagerSurviveItsRestartRespectItsSilencesAndResolve() throws Exception {
        final int port = portForAlertmanager();
        try (AlertsTopic kafka = alertsTopic(2)) {
            final EmbeddedKafka broker = kafka.broker();
            final KafkaProducer<String, byte[]> producer = kafka.producer();
            for (String node : List.of("node-1", "node-2")) {
                final AlertEvent e = event(node, EventStatus.FIRING);
                producer.send(new ProducerRecord<>("alerts", e.fingerprint(), AlertEventJson.write(e)));
            }
            producer.flush();
            Process am = startAlertmanager(port);
            final AlertmanagerReceiver receiver = new AlertmanagerReceiver("am",
                    URI.create("http://127.0.0.1:" + port), Optional.empty(), Duration.ofSeconds(1));
            try (Delivery delivery = new Delivery(List.of(), List.of(receiver), Map.of("bootstrap.servers",
                    broker.bootstrapServers()), "alerts", "alerts.dlq", "http://vigil:8080", new SimpleMeterRegistry())) {
                delivery.start();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(alerts(port)).isEqualTo(Map.of("node-1", "active", "node-2", "active")));

                // Alertmanager restarts with nothing of its own (empty storage): the next resend puts them back.
                am.destroy();
                assertThat(am.waitFor(30, TimeUnit.SECONDS)).isTrue();
                deleteRecursively(dir.resolve("am-data"));
                am = startAlertmanager(port);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(alerts(port)).isEqualTo(Map.of("node-1", "active", "node-2", "active")));

                // A silence made in Alertmanager is applied by Alertmanager: Vigil needs to know nothing of it.
                final Instant now = Instant.now();
                final String silence = "{\"matchers\":[{\"name\":\"instance\",\"value\":\"node-2\",\"isRegex\":false,"
                        + "\"isEqual\":true}],\"startsAt\":\"" + now + "\",\"endsAt\":\"" + now.plusSeconds(3600)
                        + "\",\"createdBy\":\"vigil-test\",\"comment\":\"maintenance\"}";
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/silences"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(silence))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(alerts(port)).isEqualTo(Map.of("node-1", "active", "node-2", "suppressed")));

                // node-1 resolves: Alertmanager is told its real endsAt, and lets it go.
                final AlertEvent resolved = event("node-1", EventStatus.RESOLVED);
                producer.send(new ProducerRecord<>("alerts", resolved.fingerprint(), AlertEventJson.write(resolved)));
                producer.flush();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(alerts(port)).isEqualTo(Map.of("node-2", "suppressed")));
            } finally {
                am.destroy();
                am.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** An event of alert CpuHigh on {@code instance} that became active at {@code at}, resolved then if resolved. */
    private static AlertEvent event(final String instance, final EventStatus status, final Instant at) {
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", instance, "severity", "page");
        return new AlertEvent(Fingerprint.of(labels), status, labels, Map.of("summary", instance + " is hot"),
                at.minusSeconds(120), Optional.of(at.minusSeconds(60)),
                status == EventStatus.RESOLVED ? Optional.of(at) : Optional.empty(), OptionalDouble.of(97),
                "nodes/CpuHigh", "http://vigil:8080/rules/nodes/CpuHigh");
    }

    /**
     * formats.md: resolved alerts are re-sent for 15 minutes. The push reads the whole alerts topic on every start, and
     * counted those 15 minutes from when it read a resolution: after a restart, every alert that had resolved within the
     * topic's retention (in 2022, in an audit) was pushed again for 15 minutes. They count from when the resolution was
     * written (the record's timestamp). Alertmanager here holds node-old and node-recent firing, as it may after Vigil's
     * restart, or as a new firing alert with the same labels would be: a resolution pushed ends one there, so what is
     * pushed shows. node-gone, which fired and resolved in 2022 too, must not be pushed firing either: one record a
     * poll, its firing event is read a poll before its resolution, and was pushed (a page for a problem long over).
     */
    /** Writes {@code e} to the alerts topic in a record stamped {@code writtenAt} (CreateTime standing for append time). */
    private static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
            final KafkaProducer<String, byte[]> producer, final AlertEvent e, final Instant writtenAt) {
        return producer.send(new ProducerRecord<>("alerts", null, writtenAt.toEpochMilli(), e.fingerprint(),
                AlertEventJson.write(e)));
    }

    @Test
    void afterARestartOnlyResolutionsWrittenInTheLast15MinutesArePushedAgain() throws Exception {
        final int port = portForAlertmanager();
        final Instant now = Instant.now();
        final Instant longAgo = Instant.parse("2022-03-01T10:00:00Z");
        // The engine's alerts topic stamps records with LogAppendTime, which a test cannot set in the past;
        // CreateTime with the times given here stands for it (the push reads the record's timestamp either way).
        try (AlertsTopic kafka = alertsTopic(1)) {
            final EmbeddedKafka broker = kafka.broker();
            final KafkaProducer<String, byte[]> producer = kafka.producer();
            // node-gone and node-old fired and resolved in 2022; node-recent resolved a minute ago. One partition: the
            // old events are read before node-recent's resolution.
            final List<AlertEvent> written = List.of(event("node-gone", EventStatus.FIRING, longAgo.minusSeconds(7200)),
                    event("node-gone", EventStatus.RESOLVED, longAgo.minusSeconds(3600)),
                    event("node-old", EventStatus.FIRING, longAgo.minusSeconds(3600)),
                    event("node-old", EventStatus.RESOLVED, longAgo), event("node-recent", EventStatus.FIRING,
                            now.minusSeconds(600)), event("node-recent", EventStatus.RESOLVED, now.minusSeconds(60)));
            for (AlertEvent e : written) {
                send(producer, e, e.endsAt().orElse(e.startsAt().orElseThrow()));
            }
            producer.flush();
            final Process am = startAlertmanager(port);
            try {
                assertThat(post(port, AlertmanagerPush.body(List.of(event("node-old", EventStatus.FIRING, now),
                        event("node-recent", EventStatus.FIRING, now)), now, now.plusSeconds(3600)))).isEqualTo(200);
                assertThat(alerts(port)).isEqualTo(Map.of("node-old", "active", "node-recent", "active"));
                final AlertmanagerReceiver receiver = new AlertmanagerReceiver("am",
                        URI.create("http://127.0.0.1:" + port), Optional.empty(), Duration.ofSeconds(1));
                try (Delivery delivery = new Delivery(List.of(), List.of(receiver), Map.of("bootstrap.servers",
                        broker.bootstrapServers(), "max.poll.records", 1), "alerts", "alerts.dlq", "http://vigil:8080",
                        new SimpleMeterRegistry())) {
                    delivery.start();
                    // The recent resolution is pushed, and ends node-recent; the one of 2022 was pushed no later, had
                    // it been: node-old stays as Alertmanager had it. node-gone, pushed firing, would be there for
                    // 4 x resend_interval.
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat(alerts(port)).doesNotContainKey("node-recent"));
                    assertThat(alerts(port)).isEqualTo(Map.of("node-old", "active"));
                }
            } finally {
                am.destroy();
                am.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A resolution this push reads more than 15 minutes after it was written (its thread paused that long, while the
     * other instances pushed it for their 15 minutes) ends an alert it had pushed firing: forgotten unpushed, as a start
     * forgets such old resolutions, it left the alert firing in Alertmanager until it expired (an audit: paged again,
     * 16 minutes after the incident ended). With a resend_interval of 1h that would be 4 hours.
     */
    @Test
    void aResolutionReadLateEndsAnAlertThisPushHadPushedFiring() throws Exception {
        final int port = portForAlertmanager();
        final Instant now = Instant.now();
        // CreateTime, so that the resolution can be stamped as written 20 minutes ago (see above).
        try (AlertsTopic kafka = alertsTopic(1)) {
            final EmbeddedKafka broker = kafka.broker();
            final KafkaProducer<String, byte[]> producer = kafka.producer();
            final Process am = startAlertmanager(port);
            try {
                final AlertmanagerReceiver receiver = new AlertmanagerReceiver("am",
                        URI.create("http://127.0.0.1:" + port), Optional.empty(), Duration.ofHours(1));
                try (Delivery delivery = new Delivery(List.of(), List.of(receiver), Map.of("bootstrap.servers",
                        broker.bootstrapServers()), "alerts", "alerts.dlq", "http://vigil:8080",
                        new SimpleMeterRegistry())) {
                    delivery.start();
                    final AlertEvent firing = event("node-late", EventStatus.FIRING, now);
                    send(producer, firing, now).get();
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat(alerts(port)).isEqualTo(Map.of("node-late", "active")));
                    final Instant writtenAt = now.minus(Duration.ofMinutes(20));
                    final AlertEvent resolved = event("node-late", EventStatus.RESOLVED, writtenAt);
                    send(producer, resolved, writtenAt).get();
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat(alerts(port)).doesNotContainKey("node-late"));
                }
            } finally {
                am.destroy();
                am.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * An Alertmanager receiver's backlog: the alerts changed and in no push Alertmanager accepted yet. It rises while
     * Alertmanager is down and is 0 again after the first push it accepts, so VigilDeliveryBacklog fires for an
     * Alertmanager that stays unreachable, as for a webhook; until 2026-12-07 the push had no backlog at all.
     */
    @Test
    void theBacklogRisesWhileAlertmanagerIsDownAndIsZeroOnceItTookThePush() throws Exception {
        final int port = portForAlertmanager();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AlertsTopic kafka = alertsTopic(2)) {
            final EmbeddedKafka broker = kafka.broker();
            final KafkaProducer<String, byte[]> producer = kafka.producer();
            final AlertmanagerReceiver receiver = new AlertmanagerReceiver("am",
                    URI.create("http://127.0.0.1:" + port), Optional.empty(), Duration.ofSeconds(1));
            final java.util.function.DoubleSupplier backlog = () -> registry.get("vigil.delivery.backlog")
                    .tag("receiver", "am").gauge().value();
            final java.util.function.DoubleSupplier delivered = () -> registry.get("vigil.delivery.delivered")
                    .tag("receiver", "am").counter().count();
            try (Delivery delivery = new Delivery(List.of(), List.of(receiver), Map.of("bootstrap.servers",
                    broker.bootstrapServers()), "alerts", "alerts.dlq", "http://vigil:8080", registry)) {
                assertThat(backlog.getAsDouble()).isZero();
                delivery.start();
                // Alertmanager is not running yet: what changes waits.
                for (String node : List.of("node-1", "node-2")) {
                    final AlertEvent e = event(node, EventStatus.FIRING);
                    producer.send(new ProducerRecord<>("alerts", e.fingerprint(), AlertEventJson.write(e)));
                }
                producer.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> backlog.getAsDouble() == 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> registry.get("vigil.delivery.attempts")
                        .tag("receiver", "am").tag("outcome", "retry").counter().count() >= 2);
                assertThat(backlog.getAsDouble()).isEqualTo(2);
                assertThat(delivered.getAsDouble()).isZero();

                final Process am = startAlertmanager(port);
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> backlog.getAsDouble() == 0);
                    assertThat(alerts(port)).isEqualTo(Map.of("node-1", "active", "node-2", "active"));
                    assertThat(delivered.getAsDouble()).isEqualTo(2); // each change once, not at each resend
                } finally {
                    am.destroy();
                    am.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * An Alertmanager slow to answer (3 s a push, more than the 2 s the push takes for a pause of its own thread) gets
     * each change once and the resends at their interval: counting the slow push as a pause made the next iteration
     * hold, then resend every alert, whose push was slow again, a full push every few seconds (a review).
     */
    @Test
    void aSlowAlertmanagerIsPushedEachChangeOnceNotAResendPerPush() throws Exception {
        final java.util.concurrent.atomic.AtomicInteger posts = new java.util.concurrent.atomic.AtomicInteger();
        // Each answer is held 3 s (the slowness under test), or until the test ends and lets every one go.
        final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        final com.sun.net.httpserver.HttpServer slow = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/api/v2/alerts", ex -> {
            ex.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            try {
                ended.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        slow.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        slow.start();
        try (AlertsTopic kafka = alertsTopic(1)) {
            final AlertmanagerReceiver receiver = new AlertmanagerReceiver("am",
                    URI.create("http://127.0.0.1:" + slow.getAddress().getPort()), Optional.empty(),
                    Duration.ofMinutes(1));
            try (Delivery delivery = new Delivery(List.of(), List.of(receiver), Map.of("bootstrap.servers",
                    kafka.broker().bootstrapServers()), "alerts", "alerts.dlq", "http://vigil:8080",
                    new SimpleMeterRegistry())) {
                delivery.start();
                final AlertEvent e = event("node-1", EventStatus.FIRING);
                kafka.producer().send(new ProducerRecord<>("alerts", e.fingerprint(), AlertEventJson.write(e)));
                kafka.producer().flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> posts.get() >= 1);
                await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(15))
                        .until(() -> posts.get() == 1);
            }
        } finally {
            ended.countDown();
            slow.stop(0);
        }
    }

    /**
     * Event times may run ahead of the wall clock (a producer's clock running fast, within max_future_skew), while
     * Alertmanager reads them by its own: a firing alert 4.5 minutes ahead started after the endsAt of its push and was
     * refused (400) at every resend, and a resolved one ending ahead stayed firing there until then.
     */
    @Test
    void alertsWhoseEventTimesRunAheadOfTheClockAreTakenAndResolve() throws Exception {
        final int port = portForAlertmanager();
        final Process am = startAlertmanager(port);
        try {
            final Instant now = Instant.now();
            final Labels labels = Labels.of("alertname", "CpuHigh", "instance", "node-ahead", "severity", "page");
            final AlertEvent firing = new AlertEvent(Fingerprint.of(labels), EventStatus.FIRING, labels,
                    Map.of("summary", "node-ahead is hot"), now.plusSeconds(240), Optional.of(now.plusSeconds(270)),
                    Optional.empty(), OptionalDouble.of(97), "nodes/CpuHigh", "http://vigil:8080/rules/nodes/CpuHigh");
            final Instant endsAtWhileFiring = now.plusSeconds(4); // resend_interval 1s
            assertThat(post(port, AlertmanagerPush.body(List.of(firing), now, endsAtWhileFiring))).isEqualTo(200);
            assertThat(alerts(port)).isEqualTo(Map.of("node-ahead", "active"));

            final AlertEvent resolved = new AlertEvent(firing.fingerprint(), EventStatus.RESOLVED, labels,
                    firing.annotations(), firing.activeAt(), firing.startsAt(), Optional.of(now.plusSeconds(290)),
                    OptionalDouble.of(40), "nodes/CpuHigh", firing.generatorURL());
            assertThat(post(port, AlertmanagerPush.body(List.of(resolved), now.plusSeconds(1), endsAtWhileFiring)))
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(alerts(port)).isEmpty());
        } finally {
            am.destroy();
            am.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private int post(final int port, final byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/alerts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void deleteRecursively(final Path p) throws Exception {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
