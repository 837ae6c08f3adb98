package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.alerts.Fingerprint;
import io.vigil.app.CapturedLogs;
import io.vigil.app.EmbeddedBroker;
import io.vigil.app.TestProducers;
import io.vigil.model.Labels;
import io.vigil.rules.SeriesSelector;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Webhook delivery from the alerts topic of a real broker to real HTTP receivers on loopback. */
class WebhookDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cr3t-hmac-key";
    private static final String TOKEN = "t0ken-for-the-pager";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @BeforeAll
    static void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("alerts-a", 3, (short) 1), new NewTopic("alerts-b", 3, (short) 1),
                            new NewTopic("alerts-c", 3, (short) 1), new NewTopic("alerts-c.dlq", 1, (short) 1),
                            new NewTopic("alerts-d", 3, (short) 1), new NewTopic("alerts-e", 3, (short) 1),
                            new NewTopic("alerts-f", 3, (short) 1), new NewTopic("alerts-g", 3, (short) 1),
                            new NewTopic("alerts-h", 3, (short) 1), new NewTopic("alerts-i", 3, (short) 1),
                            new NewTopic("alerts.dlq", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private record Received(String fingerprint, String status, String idempotencyKey, String signature,
                            String authorization, byte[] body) {
    }

    private static AlertEvent event(final String instance, final EventStatus status, final int minute) {
        final Labels labels = Labels.of("alertname", "CpuHigh", "instance", instance, "severity", "page");
        final Instant t = Instant.parse("2022-06-21T06:00:00Z").plusSeconds(60L * minute);
        return new AlertEvent(Fingerprint.of(labels), status, labels, Map.of("summary", instance + " is hot"),
                t.minusSeconds(60), status == EventStatus.PENDING ? Optional.empty() : Optional.of(t.minusSeconds(30)),
                status == EventStatus.RESOLVED ? Optional.of(t) : Optional.empty(), OptionalDouble.of(97),
                "nodes/CpuHigh", "http://vigil:8080/rules/nodes/CpuHigh");
    }

    /** Per node: pending, firing, resolved, firing again, resolved again; by fingerprint, on 3 partitions. */
    private static List<AlertEvent> produceEvents(final String topic, final int nodes) {
        final List<AlertEvent> sent = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int n = 0; n < nodes; n++) {
                for (EventStatus s : round == 0 ? List.of(EventStatus.PENDING, EventStatus.FIRING, EventStatus.RESOLVED)
                        : List.of(EventStatus.FIRING, EventStatus.RESOLVED)) {
                    sent.add(event("node-" + n, s, round * 10 + sent.size()));
                }
            }
        }
        produce(topic, sent);
        return sent;
    }

    /** Writes {@code events} in order, each keyed by its fingerprint as the engine writes them. */
    private static void produce(final String topic, final List<AlertEvent> events) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1, "bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            events.forEach(e -> producer.send(new ProducerRecord<>(topic, e.fingerprint(), AlertEventJson.write(e))));
        }
    }

    /** The Idempotency-Keys a receiver should get, by alert, in order: every event but the pending ones. */
    private static Map<String, List<String>> pagedInOrder(final List<AlertEvent> sent) {
        final Map<String, List<String>> out = new TreeMap<>();
        sent.stream().filter(e -> e.status() != EventStatus.PENDING).forEach(e -> out
                .computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(WebhookPayload.idempotencyKey(e)));
        return out;
    }

    /**
     * Starts delivering every event on the topic, written before it: these tests are about delivering them, which a
     * receiver new to the topic would skip as history ({@link AlertHistory}, tested apart).
     */
    private static void startOnEveryEvent(final Delivery delivery) {
        delivery.start(Instant.MIN);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aReceiverThatIsDownThenFailingThenBackGetsEveryEventInOrderSignedAndAuthorized() throws Exception {
        final List<AlertEvent> sent = produceEvents("alerts-a", 4);
        final List<String> expected = sent.stream().filter(e -> e.status() != EventStatus.PENDING)
                .map(e -> e.fingerprint() + " " + e.status().jsonName() + " " + e.startsAt().orElseThrow()).toList();

        final int port = freePort(); // nothing listens yet: connection refused
        final WebhookReceiver receiver = new WebhookReceiver("pager", URI.create("http://127.0.0.1:" + port + "/hook"),
                Optional.empty(), true, Optional.of(new WebhookReceiver.Secret(TOKEN)),
                Optional.of(new WebhookReceiver.Secret(SECRET)), Duration.ofSeconds(5),
                WebhookReceiver.DEFAULT_MAX_IN_FLIGHT, new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1)));
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger requests = new AtomicInteger();
        final CapturedLogs logs = new CapturedLogs();
        try (logs; Delivery delivery = new Delivery(List.of(receiver), Map.of("bootstrap.servers", broker.bootstrapServers()),
                "alerts-a", "alerts.dlq", "http://vigil:8080", registry)) {
            assertThat(registry.get("vigil.delivery.partitions").tag("receiver", "pager").gauge().value())
                    .as("registered at 0 before delivery starts").isZero();
            startOnEveryEvent(delivery);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    registry.find("vigil.delivery.attempts").tag("outcome", "retry").counters().stream()
                            .mapToDouble(c -> c.count()).sum() >= 2);
            // The lone instance delivers from every partition of the topic, and says so.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    registry.get("vigil.delivery.partitions").tag("receiver", "pager").gauge().value() == 3);
            // The receiver comes up, answers 503 (Retry-After: 1) three times, then accepts.
            final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/hook", ex -> {
                final byte[] body = ex.getRequestBody().readAllBytes();
                if (requests.incrementAndGet() <= 3) {
                    ex.getResponseHeaders().set("Retry-After", "1");
                    ex.sendResponseHeaders(503, -1);
                    ex.close();
                    return;
                }
                final JsonNode alert = JSON.readTree(body).get("alerts").get(0);
                received.add(new Received(alert.get("fingerprint").asText(), alert.get("status").asText(),
                        ex.getRequestHeaders().getFirst("Idempotency-Key"), ex.getRequestHeaders().getFirst("X-Vigil-Signature"),
                        ex.getRequestHeaders().getFirst("Authorization"), body));
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            server.start();
            try {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(received).hasSize(expected.size()));
            } finally {
                server.stop(0);
            }
        }
        // The outage was logged, naming which event of which alert; the secrets never were.
        assertThat(logs.text()).containsPattern("receiver pager failed for \\w+ (firing|resolved) \\(alert [0-9a-f]{16}\\)")
                .doesNotContain(SECRET).doesNotContain(TOKEN);
        // Every firing and resolved event, in order per alert; pending ones are not paged.
        final Map<String, List<String>> byAlert = new TreeMap<>();
        final Map<String, List<String>> expectedByAlert = new TreeMap<>();
        for (Received r : received) {
            final JsonNode alert = JSON.readTree(r.body()).get("alerts").get(0);
            byAlert.computeIfAbsent(r.fingerprint(), k -> new ArrayList<>())
                    .add(r.fingerprint() + " " + r.status() + " " + alert.get("startsAt").asText());
        }
        expected.forEach(e -> expectedByAlert.computeIfAbsent(e.split(" ")[0], k -> new ArrayList<>()).add(e));
        assertThat(byAlert).isEqualTo(expectedByAlert);
        for (Received r : received) {
            assertThat(r.signature()).isEqualTo("sha256=" + WebhookSender.hmac(SECRET, r.body()));
            assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(r.idempotencyKey()).startsWith(r.fingerprint() + "-" + r.status() + "-");
            final JsonNode payload = JSON.readTree(r.body());
            assertThat(payload.get("version").asText()).isEqualTo("4");
            assertThat(payload.get("receiver").asText()).isEqualTo("pager");
            assertThat(payload.get("commonLabels").get("instance").asText()).startsWith("node-");
            assertThat(payload.get("alerts").get(0).get("endsAt").asText())
                    .isEqualTo(r.status().equals("firing") ? WebhookPayload.NO_END : payload.get("alerts").get(0).get("endsAt").asText());
        }
        assertThat(receiver.toString()).doesNotContain(SECRET).doesNotContain(TOKEN);
    }

    private static Process deliveryProcess(final String topic, final String url) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), DeliveryProcess.class.getName(),
                broker.bootstrapServers(), topic, url)
                .redirectErrorStream(true).redirectOutput(dir.resolve("delivery-" + System.nanoTime() + ".log").toFile())
                .start();
    }

    @Test
    void deliveryKilledHardMidwayAndRestartedDeliversEveryEventAtLeastOnce() throws Exception {
        final List<AlertEvent> sent = produceEvents("alerts-c", 10);
        final List<String> keys = sent.stream().filter(e -> e.status() != EventStatus.PENDING)
                .map(WebhookPayload::idempotencyKey).toList();
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger count = new AtomicInteger();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            received.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            count.incrementAndGet();
            // Slow enough that the kill lands in the middle of the run.
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        final String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        try {
            final Process first = deliveryProcess("alerts-c", url);
            await().atMost(Duration.ofSeconds(60)).until(() -> count.get() >= 10);
            first.destroyForcibly(); // kill -9: no shutdown hook, no commit of what was in flight
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(count.get()).isLessThan(keys.size());
            final Process second = deliveryProcess("alerts-c", url);
            try {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                        assertThat(new java.util.HashSet<>(received)).containsAll(keys));
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            server.stop(0);
        }
        // Duplicates only where the crash forced a retry, each with the same Idempotency-Key: the events in flight
        // (max_in_flight at most; this receiver still answers those the killed sender had sent) and those done since
        // the last commit (at most 200 ms before; this receiver answers one request per 100 ms). Those done past the
        // first event not done are in the commit's metadata and not sent again. 9 in the runs of 2026-12-04 (13 to 16
        // without the metadata).
        assertThat(received.size() - keys.size()).isBetween(0, 2 * WebhookReceiver.DEFAULT_MAX_IN_FLIGHT);
        assertThat(received).containsOnlyElementsOf(keys);
    }

    /**
     * A receiver far away, or slow: several alerts are sent at once, up to {@code max_in_flight}, and each alert's
     * events still one after the other. (This one answers nothing until four requests are in at once.)
     */
    @Test
    void aSlowReceiverGetsSeveralAlertsAtOnceAndEachAlertsEventsInOrder() throws Exception {
        final Map<String, List<String>> expected = pagedInOrder(produceEvents("alerts-e", 12));
        final Map<String, List<String>> received = new TreeMap<>();
        final AtomicInteger atOnce = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final java.util.concurrent.CountDownLatch fourIn = new java.util.concurrent.CountDownLatch(4);
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/hook", ex -> {
            final JsonNode alert = JSON.readTree(ex.getRequestBody().readAllBytes()).get("alerts").get(0);
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            fourIn.countDown();
            try {
                fourIn.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (received) {
                received.computeIfAbsent(alert.get("fingerprint").asText(), k -> new ArrayList<>())
                        .add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            }
            atOnce.decrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        final WebhookReceiver slow = new WebhookReceiver("slow", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(60), 4);
        try (Delivery delivery = new Delivery(List.of(slow), Map.of("bootstrap.servers", broker.bootstrapServers()),
                "alerts-e", "alerts.dlq", "http://vigil:8080", new SimpleMeterRegistry())) {
            startOnEveryEvent(delivery);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                synchronized (received) {
                    assertThat(received).isEqualTo(expected);
                }
            });
        } finally {
            server.stop(0);
        }
        assertThat(mostAtOnce.get()).isEqualTo(4);
    }

    /**
     * Two instances deliver for the same receiver (one consumer group): the second joins while the first has events in
     * flight (the receiver answers nothing until the first says its partitions go). Every event arrives, and each
     * alert's events, duplicates aside, in order.
     */
    @Test
    void partitionsMovingToAnotherInstanceMidwayLoseNothingAndKeepEachAlertsOrder() throws Exception {
        final Map<String, List<String>> expected = pagedInOrder(produceEvents("alerts-f", 12));
        final Map<String, List<String>> received = new TreeMap<>();
        final AtomicInteger asked = new AtomicInteger();
        final java.util.concurrent.CountDownLatch moving = new java.util.concurrent.CountDownLatch(1);
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/hook", ex -> {
            final JsonNode alert = JSON.readTree(ex.getRequestBody().readAllBytes()).get("alerts").get(0);
            asked.incrementAndGet();
            try {
                moving.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (received) {
                final List<String> ofAlert = received.computeIfAbsent(alert.get("fingerprint").asText(), k -> new ArrayList<>());
                final String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
                if (!ofAlert.contains(key)) {
                    ofAlert.add(key); // a duplicate (sent again after the move) is dropped, as a receiver would
                }
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        final WebhookReceiver receiver = new WebhookReceiver("shared", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10), 4);
        final Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        try (CapturedLogs logs = new CapturedLogs();
             Delivery first = new Delivery(List.of(receiver), kafka, "alerts-f", "alerts.dlq", "http://vigil:8080",
                     new SimpleMeterRegistry())) {
            startOnEveryEvent(first);
            await().atMost(Duration.ofSeconds(60)).until(() -> asked.get() >= 4); // four in flight, held
            try (Delivery second = new Delivery(List.of(receiver), kafka, "alerts-f", "alerts.dlq", "http://vigil:8080",
                    new SimpleMeterRegistry())) {
                startOnEveryEvent(second);
                // The first settles its partitions with events in flight, which it waits for: then they are answered.
                await().atMost(Duration.ofSeconds(60)).until(() -> logs.text().matches(
                        "(?s).*receiver shared: partitions \\[.*\\] revoked in a rebalance \\(another instance may"
                                + " take them, or this one again\\); [1-9][0-9]* events.*"));
                moving.countDown();
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    synchronized (received) {
                        assertThat(received).isEqualTo(expected);
                    }
                });
            }
        } finally {
            moving.countDown();
            server.stop(0);
        }
    }

    /**
     * A receiver added to a deployment that has run for a while (its consumer group has never committed) gets the
     * alerts firing as it starts, not every incident of the topic's retention again, then every event written after;
     * started again, it sends none of them again.
     */
    @Test
    void aReceiverNewToTheTopicGetsTheAlertsFiringNowNotTheHistoryThenEveryLaterEvent() throws Exception {
        final List<AlertEvent> history = new ArrayList<>(produceEvents("alerts-i", 6)); // each alert resolved, twice
        final AlertEvent firing1 = event("node-1", EventStatus.FIRING, 100);
        final AlertEvent firing3 = event("node-3", EventStatus.FIRING, 101);
        history.addAll(List.of(firing1, firing3, event("node-5", EventStatus.PENDING, 102)));
        produce("alerts-i", history.subList(history.size() - 3, history.size()));
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        server.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            received.add(ex.getRequestHeaders().getFirst("Idempotency-Key"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        final WebhookReceiver receiver = new WebhookReceiver("newcomer", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5));
        final Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        final AlertEvent firing4 = event("node-4", EventStatus.FIRING, 110);
        final AlertEvent resolved1 = event("node-1", EventStatus.RESOLVED, 111);
        final List<String> expected = Stream.of(firing1, firing3, firing4, resolved1)
                .map(WebhookPayload::idempotencyKey).toList();
        try (CapturedLogs logs = new CapturedLogs()) {
            try (Delivery delivery = new Delivery(List.of(receiver), kafka, "alerts-i", "alerts.dlq",
                    "http://vigil:8080", new SimpleMeterRegistry())) {
                delivery.start();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(received)
                        .containsExactlyInAnyOrderElementsOf(expected.subList(0, 2)));
                produce("alerts-i", List.of(firing4, resolved1));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(received)
                        .containsExactlyInAnyOrderElementsOf(expected));
            }
            assertThat(logs.text()).contains("receiver newcomer has not delivered from partitions")
                    .contains("it gets the 2 alert(s) firing now, not the " + history.size()
                            + " event(s) written before it started");
            try (Delivery again = new Delivery(List.of(receiver), kafka, "alerts-i", "alerts.dlq",
                    "http://vigil:8080", new SimpleMeterRegistry())) {
                again.start();
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> received.size() == expected.size());
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aDeadReceiverHoldsUpNoOther() throws Exception {
        final List<AlertEvent> sent = produceEvents("alerts-d", 5);
        final long expected = sent.stream().filter(e -> e.status() != EventStatus.PENDING).count();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final AtomicInteger healthy = new AtomicInteger();
        server.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            healthy.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        final WebhookReceiver dead = new WebhookReceiver("dead", URI.create("http://127.0.0.1:" + freePort() + "/hook"),
                Optional.empty(), true, Optional.empty(), Optional.empty(), Duration.ofSeconds(1));
        final WebhookReceiver alive = new WebhookReceiver("alive", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5));
        try (Delivery delivery = new Delivery(List.of(dead, alive), Map.of("bootstrap.servers", broker.bootstrapServers()),
                "alerts-d", "alerts.dlq", "http://vigil:8080", new SimpleMeterRegistry())) {
            startOnEveryEvent(delivery);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(healthy.get()).isEqualTo(expected));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aReceiverThatRefusesAnAlertForGoodSendsItToTheDeadLetterTopicAndGoesOn() throws Exception {
        produceEvents("alerts-b", 4);
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        server.createContext("/hook", ex -> {
            final JsonNode alert = JSON.readTree(ex.getRequestBody().readAllBytes()).get("alerts").get(0);
            final boolean refuse = alert.get("labels").get("instance").asText().equals("node-1");
            if (!refuse) {
                accepted.add(alert.get("labels").get("instance").asText());
            }
            ex.sendResponseHeaders(refuse ? 400 : 200, -1);
            ex.close();
        });
        server.start();
        final WebhookReceiver receiver = new WebhookReceiver("strict", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"),
                Optional.of(SeriesSelector.parse("alert{severity=\"page\"}")), false, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5));
        try (Delivery delivery = new Delivery(List.of(receiver), Map.of("bootstrap.servers", broker.bootstrapServers()),
                "alerts-b", "alerts.dlq", "http://vigil:8080", new SimpleMeterRegistry());
             KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ConsumerConfig.GROUP_ID_CONFIG, "it-alerts-dlq",
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            startOnEveryEvent(delivery);
            dlq.subscribe(List.of("alerts.dlq"));
            final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
            // node-0..3 fire twice each; send_resolved is false; node-1's alerts are refused (400).
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(dead::add);
                assertThat(dead).hasSize(2);
                assertThat(accepted).hasSize(6);
            });
            assertThat(new String(dead.get(0).headers().lastHeader("vigil.error").value(), StandardCharsets.UTF_8))
                    .isEqualTo("receiver strict refused it: HTTP 400");
            assertThat(accepted).doesNotContain("node-1");
        } finally {
            server.stop(0);
        }
    }

    /**
     * A refused alert that cannot be written to the dead-letter topic (here: not created yet, and the broker creates
     * no topic by itself) ends that delivery; it is started afresh, with backoff, until the write succeeds: the refused
     * alert reaches the dead-letter topic and every other alert the receiver, where the delivery's thread used to end
     * for the life of the process.
     */
    @Test
    void aDeadLetterTopicThatCannotBeWrittenStopsNoPagesForGood() throws Exception {
        produceEvents("alerts-h", 3);
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        server.createContext("/hook", ex -> {
            final JsonNode alert = JSON.readTree(ex.getRequestBody().readAllBytes()).get("alerts").get(0);
            final String instance = alert.get("labels").get("instance").asText();
            final boolean refuse = instance.equals("node-1");
            if (!refuse) {
                accepted.add(instance + " " + alert.get("status").asText());
            }
            ex.sendResponseHeaders(refuse ? 400 : 200, -1);
            ex.close();
        });
        server.start();
        final WebhookReceiver receiver = new WebhookReceiver("strict", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5), WebhookReceiver.DEFAULT_MAX_IN_FLIGHT,
                new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(2)));
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // max.block.ms: the dead-letter write waits 1 s for the missing topic, not the producer's default minute.
        final Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers(), "max.block.ms", 1_000);
        try (CapturedLogs logs = new CapturedLogs();
             Delivery delivery = new Delivery(List.of(receiver), kafka, "alerts-h", "alerts-h.dlq", "http://vigil:8080",
                     registry)) {
            startOnEveryEvent(delivery);
            // Registered at 0 as the delivery is set up: wait for the restart itself.
            await().atMost(Duration.ofSeconds(60)).until(() -> registry.get("vigil.delivery.restarts")
                    .tag("receiver", "strict").counter().count() >= 1);
            assertThat(logs.text()).contains("delivery to receiver strict failed:", "cannot write to alerts-h.dlq",
                    "receiver strict: delivery starts again in");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("alerts-h.dlq", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<byte[], byte[]> dlq = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "it-alerts-h-dlq",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                dlq.subscribe(List.of("alerts-h.dlq"));
                final List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
                // node-0 and node-2: firing, resolved, firing, resolved each; node-1's four events refused.
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    dlq.poll(Duration.ofMillis(200)).forEach(dead::add);
                    assertThat(dead.stream().map(r -> new String(r.headers().lastHeader("vigil.source.offset").value(),
                            StandardCharsets.UTF_8)).distinct()).hasSize(4);
                    assertThat(Set.copyOf(accepted)).hasSize(4);
                });
            }
            assertThat(accepted).allMatch(a -> a.startsWith("node-0 ") || a.startsWith("node-2 "));
        } finally {
            server.stop(0);
        }
    }

    /**
     * An alert the receiver keeps failing waits for its retries on no sending thread: with one thread only, every
     * other alert of the receiver is delivered all the same, and the failing alert's own later events wait for it.
     */
    @Test
    void anAlertTheReceiverKeepsFailingHoldsUpNoOtherAlert() throws Exception {
        final List<AlertEvent> sent = produceEvents("alerts-g", 4);
        final String poisoned = sent.get(0).fingerprint();
        final List<String> others = sent.stream()
                .filter(e -> e.status() != EventStatus.PENDING && !e.fingerprint().equals(poisoned))
                .map(WebhookPayload::idempotencyKey).toList();
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger poisonedAttempts = new AtomicInteger();
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            final String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            ex.getRequestBody().readAllBytes();
            if (key.startsWith(poisoned)) {
                poisonedAttempts.incrementAndGet();
                ex.sendResponseHeaders(500, -1);
            } else {
                received.add(key);
                ex.sendResponseHeaders(200, -1);
            }
            ex.close();
        });
        server.start();
        final WebhookReceiver receiver = new WebhookReceiver("poison",
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"), Optional.empty(), true,
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5), 1,
                new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        try (Delivery delivery = new Delivery(List.of(receiver), Map.of("bootstrap.servers", broker.bootstrapServers()),
                "alerts-g", "alerts.dlq", "http://vigil:8080", new SimpleMeterRegistry())) {
            startOnEveryEvent(delivery);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(received).containsExactlyInAnyOrderElementsOf(others));
            assertThat(poisonedAttempts.get()).isGreaterThanOrEqualTo(1);
        } finally {
            server.stop(0);
        }
    }
}
