package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.evaluation.LiveRules;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two engines sharing the work on a real broker: each answers /api/alerts and /api/rules for all alerts. */
class AlertsApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    private record Instance(VigilEngine engine, HttpEndpoints http) implements AutoCloseable {
        @Override
        public void close() {
            http.close();
            engine.close();
        }
    }

    /** @param app the application's name: its id, and its topics' suffix */
    private static Instance start(final int port, final LiveRules rules, final String name, final String app,
                                  final String externalUrl) throws Exception {
        return start(port, rules, name, app, externalUrl, Map.of());
    }

    /** @param more further variables: VIGIL_HTTP_PEER_URL */
    private static Instance start(final int port, final LiveRules rules, final String name, final String app,
                                  final String externalUrl, final Map<String, String> more) throws Exception {
        final Map<String, String> env = new java.util.HashMap<>(Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "VIGIL_KAFKA_APPLICATION_ID", "vigil-" + app,
                "VIGIL_TOPICS_METRICS", "metrics-" + app,
                "VIGIL_TOPICS_ALERTS", "alerts-" + app,
                "VIGIL_TOPICS_DLQ", "dlq-" + app,
                "VIGIL_HTTP_PORT", Integer.toString(port),
                "VIGIL_HTTP_EXTERNAL_URL", externalUrl,
                "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
        env.putAll(more);
        final VigilConfig config = ConfigLoader.load(null, env);
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final VigilEngine engine = VigilEngine.start(config, rules, dir.resolve(name), registry);
        final HttpEndpoints http = HttpEndpoints.start("127.0.0.1", port, registry, engine.readiness());
        http.serveApi(new AlertsApi(engine, rules, new AlertEventFactory(config.externalUrl()),
                config.grace().toMillis(), VigilEngine.advertised(config)));
        return new Instance(engine, http);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> ask(final int port, final String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String get(final int port, final String path) throws Exception {
        final HttpResponse<String> r = ask(port, path);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return r.body();
    }

    private static String match(final String filter) {
        return "/api/alerts?match=" + URLEncoder.encode(filter, StandardCharsets.UTF_8);
    }

    /** The sum of a metric's samples whose line starts with {@code name} (exact labels when given). */
    private static double metric(final int port, final String name) throws Exception {
        double sum = 0;
        for (String line : get(port, "/metrics").split("\n")) {
            if (line.startsWith(name) && (name.contains("{") || line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Set<String> instances(final String alertsJson) throws Exception {
        final List<Map<String, Object>> alerts = JSON.readValue(alertsJson, new TypeReference<>() { });
        final Set<String> out = new TreeSet<>();
        for (Map<String, Object> a : alerts) {
            assertThat(a.get("state")).isEqualTo("firing");
            @SuppressWarnings("unchecked")
            final Map<String, String> labels = (Map<String, String>) a.get("labels");
            out.add(labels.get("instance"));
        }
        return out;
    }

    /** Four nodes, the odd ones hot at the end: their alerts firing once evaluated. */
    private static Set<String> fill(final String topic, final int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int step = 0; step < 60; step++) {
                for (int n = 0; n < 4; n++) {
                    final double cpu = n % 2 == 1 && step >= 48 ? 95 : 40;
                    producer.send(new ProducerRecord<>(topic, null, TopologyTest.point(String.format("node-%02d", n),
                            cpu, FleetRecords.T0 + step * 10_000L).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        return new TreeSet<>(List.of("node-01", "node-03"));
    }

    /**
     * An instance holding none of the stores' tasks (more instances than tasks here; for ten minutes after any
     * instance joins, while Kafka Streams warms its copies up) answered 503, and every other instance 502 for asking
     * it: the whole cluster's API was down. It has an empty share, and every instance answers for all.
     */
    @Test
    void anInstanceWithoutATaskLeavesEveryAnswerWhole() throws Exception {
        final Set<String> hot = fill("metrics-one", 1);
        final LiveRules rules = new LiveRules(TopologyFixture.parse(TopologyTest.RULES));
        final int[] ports = {freePort(), freePort(), freePort(), freePort()};
        try (Instance a = start(ports[0], rules, "one-a", "one", "http://localhost:" + ports[0]);
             Instance b = start(ports[1], rules, "one-b", "one", "http://localhost:" + ports[1]);
             Instance c = start(ports[2], rules, "one-c", "one", "http://localhost:" + ports[2]);
             Instance d = start(ports[3], rules, "one-d", "one", "http://localhost:" + ports[3])) {
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() -> {
                for (int port : ports) {
                    assertThat(instances(get(port, "/api/alerts"))).as("port " + port).isEqualTo(hot);
                    final List<Map<String, Object>> ruleList =
                            JSON.readValue(get(port, "/api/rules"), new TypeReference<>() { });
                    assertThat(ruleList.get(0)).containsEntry("firing", 2).containsEntry("seriesWatched", 4);
                }
            });
            // Four instances, fewer tasks with the stores the API reads: one at least holds none, and answers.
            int empty = 0;
            for (int port : ports) {
                empty += instances(get(port, "/api/alerts?scope=local")).isEmpty() ? 1 : 0;
            }
            assertThat(empty).isPositive();
        }
    }

    /**
     * Two instances giving one address (two hosts keeping the default http://localhost:8080) are merged by Kafka
     * Streams: each skipped its own address and showed its share as the whole, silently. Each says why it cannot.
     */
    @Test
    void instancesGivingOneAddressSaySoRatherThanAnswerWithTheirShare() throws Exception {
        fill("metrics-same", 4);
        final LiveRules rules = new LiveRules(TopologyFixture.parse(TopologyTest.RULES));
        final int port1 = freePort();
        final int port2 = freePort();
        final String both = "http://localhost:" + port1;
        try (Instance a = start(port1, rules, "same-a", "same", both);
             Instance b = start(port2, rules, "same-b", "same", both)) {
            // The instance whose share the assignment left out says why. (The other cannot tell: it answers for its
            // own share; README says so.)
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                final List<HttpResponse<String>> answers = List.of(ask(port1, "/api/alerts"), ask(port2, "/api/alerts"));
                assertThat(answers).anyMatch(r -> r.statusCode() == 500 && r.body().contains(
                        "another instance gives this instance's address, localhost:" + port1));
            });
            // Its metrics are its own, and still scraped.
            for (int port : new int[] {port1, port2}) {
                assertThat(get(port, "/metrics")).contains("kafka_stream_thread_process_latency_max");
            }
        }
    }

    @Test
    void eachInstanceAnswersForEveryAlert() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-api", 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // 16 nodes; the 8 odd ones end hot (CPU 95 for the last 2 minutes): their alerts are firing at the end.
        final List<String> records = new ArrayList<>();
        for (int step = 0; step < 60; step++) {
            for (int n = 0; n < 16; n++) {
                final double cpu = n % 2 == 1 && step >= 48 ? 95 : 40;
                records.add(TopologyTest.point(String.format("node-%02d", n), cpu, FleetRecords.T0 + step * 10_000L));
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            int i = 0;
            for (String line : records) {
                producer.send(new ProducerRecord<>("metrics-api", i++ % 4, null, line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        final LiveRules rules = new LiveRules(TopologyFixture.parse(TopologyTest.RULES));
        final int port1 = freePort();
        final int port2 = freePort();
        final Set<String> hot = new TreeSet<>(List.of("node-01", "node-03", "node-05", "node-07", "node-09", "node-11",
                "node-13", "node-15"));
        // Behind one address (a load balancer's), which the alerts' links name; each reached by the other at its own.
        final String shared = "https://vigil.example.com";
        try (Instance a = start(port1, rules, "a", "api", shared,
                Map.of("VIGIL_HTTP_PEER_URL", "http://localhost:" + port1));
             Instance b = start(port2, rules, "b", "api", shared,
                     Map.of("VIGIL_HTTP_PEER_URL", "http://localhost:" + port2))) {
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() -> {
                assertThat(instances(get(port1, "/api/alerts"))).isEqualTo(hot);
                assertThat(instances(get(port2, "/api/alerts"))).isEqualTo(hot);
                // The work is shared: each instance holds some of the alerts itself.
                assertThat(instances(get(port1, "/api/alerts?scope=local"))).isNotEmpty();
                assertThat(instances(get(port2, "/api/alerts?scope=local"))).isNotEmpty();
            });
            assertThat(JSON.readValue(get(port2, "/api/alerts"), new TypeReference<List<Map<String, Object>>>() { }))
                    .allSatisfy(alert -> assertThat((String) alert.get("generatorURL")).startsWith(shared + "/rules/"));
            // Each holds part of the work; together, all of it.
            final Set<String> local1 = instances(get(port1, "/api/alerts?scope=local"));
            final Set<String> local2 = instances(get(port2, "/api/alerts?scope=local"));
            assertThat(local1).doesNotContainAnyElementsOf(local2);
            final Set<String> union = new TreeSet<>(local1);
            union.addAll(local2);
            assertThat(union).isEqualTo(hot);

            // Filtered by either instance, over the alerts of both.
            assertThat(instances(get(port1, match("instance=~\"node-0[13]\"")))).containsExactly("node-01", "node-03");
            assertThat(instances(get(port2, match("node-1 severity=page")))).containsExactly("node-11", "node-13", "node-15");
            assertThat(instances(get(port2, match("instance=node-02")))).isEmpty();
            final HttpResponse<String> bad = ask(port1, match("instance=~\"node-(\""));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("instance=~ has a bad regex");
            // At most 3 per rule: three of the eight, and the five others counted, whichever instance holds them.
            for (int port : new int[] {port1, port2}) {
                final Map<String, Object> capped = JSON.readValue(get(port, "/api/alerts?per_rule=3"), new TypeReference<>() { });
                assertThat(instances(JSON.writeValueAsString(capped.get("alerts")))).containsExactly("node-01", "node-03", "node-05");
                assertThat(capped.get("more")).isEqualTo(Map.of("nodes/CpuHigh", Map.of("firing", 5, "pending", 0)));
            }
            final Map<String, Object> cappedAndFiltered = JSON.readValue(
                    get(port2, match("node-1") + "&per_rule=2"), new TypeReference<>() { });
            assertThat(instances(JSON.writeValueAsString(cappedAndFiltered.get("alerts")))).containsExactly("node-11", "node-13");
            assertThat(cappedAndFiltered.get("more")).isEqualTo(Map.of("nodes/CpuHigh", Map.of("firing", 1, "pending", 0)));

            final List<Map<String, Object>> ruleList = JSON.readValue(get(port2, "/api/rules"), new TypeReference<>() { });
            assertThat(ruleList).hasSize(1);
            assertThat(ruleList.get(0)).containsEntry("rule", "nodes/CpuHigh").containsEntry("state", "firing")
                    .containsEntry("firing", 8).containsEntry("seriesWatched", 16).containsEntry("kind", "threshold");
            assertThat(ruleList.get(0).get("lastEvaluation")).isNotNull();

            // What the rule makes of each series, asked of either instance about the series of both.
            for (int port : new int[] {port1, port2}) {
                final Map<String, Object> two = JSON.readValue(get(port, "/api/series?match="
                        + URLEncoder.encode("instance=~\"node-0[12]\"", StandardCharsets.UTF_8)), new TypeReference<>() { });
                assertThat(two.get("matched")).isEqualTo(2);
                assertThat(two.get("unanswered")).isEqualTo(List.of());
                assertThat(two).doesNotContainKey("outlierAlerts");
                @SuppressWarnings("unchecked")
                final List<Map<String, Object>> series = (List<Map<String, Object>>) two.get("series");
                assertThat(series).extracting(e -> (Object) ((Map<?, ?>) e.get("labels")).get("instance"))
                        .containsExactly("node-01", "node-02");
                assertThat(series.get(0)).containsEntry("rule", "nodes/CpuHigh").containsEntry("state", "firing")
                        .containsEntry("value", 95.0).containsEntry("holds", "yes").containsEntry("condition", "above 90")
                        .containsEntry("aggregate", "max").containsEntry("window", "30s");
                assertThat(series.get(1)).containsEntry("state", "inactive").containsEntry("value", 40.0)
                        .containsEntry("holds", "no").containsEntry("activeAt", null).containsEntry("startsAt", null);
                // Firing since its startsAt, as /api/alerts gives it: the page counts both rows from it.
                assertThat(series.get(0).get("startsAt")).isNotNull().isNotEqualTo(series.get(0).get("activeAt"));
                assertThat(series.get(1).get("at")).isEqualTo(series.get(0).get("at"));
                // At most three, firing first; every match counted.
                final Map<String, Object> three = JSON.readValue(get(port, "/api/series?limit=3"), new TypeReference<>() { });
                assertThat(three.get("matched")).isEqualTo(16);
                assertThat((List<?>) three.get("series")).hasSize(3).allSatisfy(e -> assertThat(((Map<?, ?>) e).get("state"))
                        .isEqualTo("firing"));
            }
            final HttpResponse<String> badLimit = ask(port1, "/api/series?limit=0");
            assertThat(badLimit.statusCode()).isEqualTo(400);
            assertThat(badLimit.body()).contains("limit must be a whole number from 1 to 10000");
            final HttpResponse<String> noSuchRule = ask(port1, "/api/series?rule=nodes%2FCpuHihg");
            assertThat(noSuchRule.statusCode()).isEqualTo(400);
            assertThat(noSuchRule.body()).contains("rule: no rule 'nodes/CpuHihg' is loaded");

            // The metrics of both instances add up to what was sent and what fired.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(metric(port1, "vigil_ingest_datapoints_total") + metric(port2, "vigil_ingest_datapoints_total"))
                        .isEqualTo(records.size());
                assertThat(metric(port1, "vigil_alerts_active{state=\"firing\",}")
                        + metric(port2, "vigil_alerts_active{state=\"firing\",}")).isEqualTo(hot.size());
                assertThat(metric(port1, "vigil_alert_transitions_total{status=\"firing\",}")
                        + metric(port2, "vigil_alert_transitions_total{status=\"firing\",}")).isEqualTo(hot.size());
                // Each instance counts the series it watches: together, every node's.
                assertThat(metric(port1, "vigil_rule_series{rule=\"nodes/CpuHigh\",}")
                        + metric(port2, "vigil_rule_series{rule=\"nodes/CpuHigh\",}")).isEqualTo(16);
            });

            // b stops answering (its HTTP server gone, as when its host dies, before Kafka Streams moves its work).
            b.http().close();
            final String bGone = "instance localhost:" + port2 + " refused the connection";
            final HttpResponse<String> whole = ask(port1, "/api/alerts");
            assertThat(whole.statusCode()).isEqualTo(502);
            assertThat(whole.body()).contains(bGone);
            // Asked for what there is, a's share, and b named in the header.
            final HttpResponse<String> partial = ask(port1, "/api/alerts?partial=allow");
            assertThat(partial.statusCode()).isEqualTo(200);
            assertThat(instances(partial.body())).isEqualTo(local1);
            assertThat(partial.headers().firstValue(MissingShares.HEADER)).hasValue(bGone);
            final HttpResponse<String> capped = ask(port1, "/api/alerts?partial=allow&per_rule=100");
            assertThat(capped.statusCode()).isEqualTo(200);
            assertThat(capped.headers().firstValue(MissingShares.HEADER)).hasValue(bGone);
            final HttpResponse<String> ruleStates = ask(port1, "/api/rules?partial=allow");
            assertThat(ruleStates.statusCode()).isEqualTo(200);
            assertThat(ruleStates.headers().firstValue(MissingShares.HEADER)).hasValue(bGone);
            assertThat(ruleStates.body()).contains("\"firing\":" + local1.size() + ",");
            assertThat(ask(port1, "/api/rules").statusCode()).isEqualTo(502);
            final Map<String, Object> seen = JSON.readValue(get(port1, "/api/series?partial=allow"),
                    new TypeReference<>() { });
            assertThat(seen.get("unanswered")).isEqualTo(List.of(bGone));
            assertThat(ask(port1, "/api/series").statusCode()).isEqualTo(502);
            // b's address taken by one that accepts and never answers, as a stopped process does: every answer waits
            // for it (5 s), and many of them at once must not keep a's health checks waiting behind them.
            try (ServerSocket stopped = new ServerSocket()) {
                stopped.setReuseAddress(true);
                stopped.bind(new java.net.InetSocketAddress("127.0.0.1", port2), 100);
                final List<java.net.Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
                final Thread accepting = new Thread(() -> {
                    try {
                        while (true) {
                            held.add(stopped.accept());
                        }
                    } catch (java.io.IOException closed) {
                        // the test is over
                    }
                });
                accepting.start();
                final HttpClient client = HttpClient.newHttpClient();
                final List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
                for (int i = 0; i < 2 * HttpEndpoints.API_WORKERS; i++) {
                    waiting.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port1
                            + "/api/alerts?partial=allow&per_rule=100")).build(), HttpResponse.BodyHandlers.ofString()));
                }
                // As many answers waiting for b as the server has workers: before, none was left for anything else.
                await().atMost(Duration.ofSeconds(30)).until(() -> held.size() >= HttpEndpoints.API_WORKERS);
                final HttpResponse<String> health = ask(port1, "/healthz");
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(ask(port1, "/readyz").statusCode()).isEqualTo(200);
                assertThat(waiting).as("the health checks answered while the API waited for b").noneMatch(
                        java.util.concurrent.CompletableFuture::isDone);
                for (java.util.concurrent.CompletableFuture<HttpResponse<String>> answer : waiting) {
                    final HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.headers().firstValue(MissingShares.HEADER)).hasValueSatisfying(
                            v -> assertThat(v).contains("localhost:" + port2 + " did not answer within"));
                }
                stopped.close();
                accepting.join();
                for (java.net.Socket socket : held) {
                    socket.close();
                }
            }

            // The page shows a's alerts and says whose are not shown, rather than nothing but the error: b refusing
            // now, or, within 10 s of the answers above, as it did not answer them (SilentPeers).
            HeadlessChromium.require();
            final String page = HeadlessChromium.dom("http://127.0.0.1:" + port1 + "/", dir);
            assertThat(page).contains("Not counted, their alerts not shown: instance localhost:" + port2 + " ")
                    .contains("<span>" + local1.size() + " firing</span>")
                    .contains("instance=\"" + local1.iterator().next() + "\"");
        }
    }
}
