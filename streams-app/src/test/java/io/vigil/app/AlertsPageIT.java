package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.evaluation.LiveRules;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live alerts page in a real headless browser (Debian's chromium): an alert that fires shows with its labels, and
 * disappears once it resolves. CI installs chromium; elsewhere the test is skipped when chromium is missing.
 */
class AlertsPageIT {

    private static final Pattern FIRING_ROW = Pattern.compile("<tr class=\"alert\" data-fingerprint=\"[0-9a-f]{16}\" data-state=\"firing\"");

    @TempDir
    Path dir;

    /** The page's DOM after its scripts ran, as chromium renders it. */
    private String dom(final int port) throws IOException, InterruptedException {
        return dom(port, "");
    }

    /** The page's DOM opened at {@code pathAndFragment} (such as {@code #filter=...}, or {@code rules/g/A}). */
    private String dom(final int port, final String pathAndFragment) throws IOException, InterruptedException {
        return HeadlessChromium.dom("http://127.0.0.1:" + port + "/" + pathAndFragment, dir);
    }

    /** What a test does with the engine's page: the producer to its input, the port the page is served on. */
    private interface Scenario {
        void run(KafkaProducer<byte[], byte[]> producer, int port) throws Exception;
    }

    @Test
    void aFiringAlertShowsOnThePageAndGoesAwayWhenItResolves() throws Exception {
        withPage((producer, port) -> {
            // node-07 hot for the last minute: CpuHigh (max over 30 s > 90 for 20 s) fires.
            send(producer, 4, 0, 40, (node, step) -> node == 2 && step >= 34 ? 97 : 40);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                final String dom = dom(port);
                assertThat(dom).contains("data-rule=\"nodes/CpuHigh\" data-state=\"firing\"");
                assertThat(dom).containsPattern("<tr class=\"alert\" data-fingerprint=\"[0-9a-f]{16}\" data-state=\"firing\"")
                        .contains("instance=\"node-07\"")
                        .contains("severity=\"page\"").contains("node-07 at 97");
                // A rule whose selector matches nothing (a metric name mistyped) says so, not just "0 series".
                assertThat(dom).containsPattern("<b>CpuTypo</b>\\s*<span class=\"meta\">[^<]*<span class=\"warn\"[^>]*>watches no"
                        + " series</span>").containsPattern("<b>CpuHigh</b>\\s*<span class=\"meta\">[^<]* 4 series ");
            });
            // The alert's generatorURL opens the page on its rule alone; a rule no longer in force is said to be gone.
            final String ruleAlone = dom(port, "rules/nodes/CpuHigh");
            assertThat(ruleAlone).contains("Showing the rule nodes/CpuHigh alone.").contains("instance=\"node-07\"")
                    .contains("data-rule=\"nodes/CpuHigh\"").doesNotContain("data-rule=\"nodes/CpuLow\"");
            assertThat(dom(port)).contains("data-rule=\"nodes/CpuLow\"");
            // A rule alone shows what it sees of each series (/api/series): node-07's max of 97 above 90, holding;
            // CpuLow, below 1, holding for none of the four nodes, each at its value; a filter narrows it to a node.
            assertThat(ruleAlone).contains("4 matched").contains("above 90: <b>holds</b>").contains("max over 30s: <b>97</b>");
            final String quiet = dom(port, "rules/nodes/CpuLow");
            assertThat(quiet).contains("4 matched").contains("below 1: <b>does not hold</b>")
                    .doesNotContain("<tr class=\"series\" data-holds=\"yes\"");
            assertThat(Pattern.compile("<tr class=\"series\" data-holds=\"no\"").matcher(quiet).results().count())
                    .isEqualTo(4);
            // An outlier rule's series against its peers: node-07's 97 far above their median of 40, pending (for 10m).
            final String peers = dom(port, "#rule=nodes%2FCpuAbovePeers&filter=instance%3Dnode-07");
            assertThat(peers).contains("1 matched").contains("peers' median 40").contains("4 peers with a value (min_peers 3)")
                    .contains("<b>holds</b>");
            // Cut to one answer, the outlier whose alert is pending comes first, though its alert is the peer stage's
            // and not its series' task's, which ranks the series without being told.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(java.net.http.HttpClient.newHttpClient()
                    .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                            + "/api/series?limit=1&match=alertname%3DCpuAbovePeers")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"instance\":\"node-07\"").contains("\"state\":\"pending\"").contains("\"matched\":4"));
            // An absent rule judges the silence since the newest point: no window, so no count of points in one.
            final String silent = dom(port, "rules/nodes/CpuSilent");
            assertThat(silent).contains("4 matched").contains("after 10m: <b>does not hold</b>")
                    .containsPattern("silent [0-9.]+ s").contains("last point 20")
                    .doesNotContainPattern("[0-9]+ points");
            assertThat(dom(port, "#rule=nodes%2FCpuLow&filter=instance%3Dnode-07")).contains("1 matched")
                    .contains("instance=\"node-07\"").doesNotContain("instance=\"node-05\"");
            assertThat(dom(port, "rules/nodes/Gone")).contains("No rule nodes/Gone is in force")
                    .doesNotContain("data-rule=\"nodes/"); // (the script holds the template's data-rule=)
            // Back to normal: the alert resolves and leaves the page.
            send(producer, 4, 40, 60, (node, step) -> 40);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                final String dom = dom(port);
                assertThat(dom).contains("data-rule=\"nodes/CpuHigh\" data-state=\"inactive\"");
                // (the page's own script contains the row template, so look for a rendered row: a real fingerprint)
                assertThat(dom).doesNotContainPattern("<tr class=\"alert\" data-fingerprint=\"[0-9a-f]{16}\"");
            });
        });
    }

    /** An alert storm: 150 nodes hot at once. The page shows a hundred of the rule's alerts and says how many more. */
    @Test
    void inAnAlertStormARuleShowsAHundredAlertsAndHowManyMore() throws Exception {
        withPage((producer, port) -> {
            send(producer, 150, 0, 40, (node, step) -> step >= 34 ? 97 : 40);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                final String dom = dom(port);
                assertThat(dom).contains("150 firing");
                assertThat(FIRING_ROW.matcher(dom).results().count()).isEqualTo(100);
                assertThat(dom).contains("and 50 more").contains("(50 firing, 0 pending)");
            });
            // A filter in the address narrows the storm down to node-05 .. node-09: the API filters, the page shows it.
            final String filtered = dom(port, "#filter=" + URLEncoder.encode("instance=~\"node-0.\"", StandardCharsets.UTF_8));
            assertThat(FIRING_ROW.matcher(filtered).results().count()).isEqualTo(5);
            assertThat(filtered).contains("<span>5 firing</span>").doesNotContain("more (").contains("instance=\"node-09\"");
            assertThat(dom(port, "#filter=" + URLEncoder.encode("instance=~\"node-(\"", StandardCharsets.UTF_8)))
                    .contains("Bad filter: match: instance=~ has a bad regex");
        });
    }

    private void withPage(final Scenario scenario) throws Exception {
        HeadlessChromium.require();
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("metrics", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            final int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            final VigilConfig config = ConfigLoader.load(null, Map.of("VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "VIGIL_HTTP_PORT", Integer.toString(port), "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
            final LiveRules rules = new LiveRules(TopologyFixture.parse(TopologyTest.RULES + """
                          - alert: CpuLow
                            series: cpu{cluster="backend"}
                            threshold: {below: 1}
                          - alert: CpuAbovePeers
                            series: cpu{cluster="backend"}
                            outlier: {peers: [cluster], direction: high, z: 3, min_peers: 3}
                            for: 10m
                          - alert: CpuSilent
                            series: cpu{cluster="backend"}
                            absent: {after: 10m}
                          - alert: CpuTypo
                            series: cpu_pct{cluster="backend"}
                            threshold: {above: 90}
                    """));
            final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("streams"), registry);
                 HttpEndpoints http = HttpEndpoints.start("127.0.0.1", port, registry, engine.readiness());
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                         TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                http.serveApi(new AlertsApi(engine, rules, new AlertEventFactory(config.externalUrl()),
                        config.grace().toMillis(), VigilEngine.advertised(config)));
                scenario.run(producer, port);
            }
        }
    }

    /** The CPU of the cluster's nodes: node-05 and on, one point each 10 s of event time. */
    private interface Cpu {
        double of(int node, int step);
    }

    private static void send(final KafkaProducer<byte[], byte[]> producer, final int nodes, final int from,
                             final int to, final Cpu cpu) {
        for (int step = from; step < to; step++) {
            for (int n = 0; n < nodes; n++) {
                final String instance = String.format("node-%02d", n + 5);
                producer.send(new ProducerRecord<>("metrics", n % 2, null, TopologyTest.point(instance,
                        cpu.of(n, step), FleetRecords.T0 + step * 10_000L).getBytes(StandardCharsets.UTF_8)));
            }
        }
        producer.flush();
    }
}
