package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil run} as users run it: the packaged jar in a process of its own, on a real broker, with a webhook
 * receiver. SIGTERM stops it cleanly (exit 0, said in the log), {@code --log-format json} makes every stderr line a
 * JSON object, text stays the default, and a restart carries on where the stop left off: an alert that fired
 * before the stop is not fired again, and resolves once. Its /metrics has every metric and label the alerts on Vigil
 * itself select (deploy/vigil-self-alerts.yml), so that renaming one cannot silently leave an alert watching nothing.
 */
class VigilRunIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of("target", "vigil.jar");

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /** A started {@code vigil run}; closing it kills it if a test failed before stopping it. */
    private record Run(Process process, Path stderr, int httpPort) implements AutoCloseable {

        /** SIGTERM, as docker stop or systemd send it; returns the exit code. */
        int terminate() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("stopped within 90 s").isTrue();
            return process.exitValue();
        }

        List<String> stderrLines() throws IOException {
            return Files.readAllLines(stderr, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static Run start(final Path config, final String name, final String... extra) throws Exception {
        assertThat(JAR).as("the packaged jar (mvn package runs before the integration tests)").exists();
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", JAR.toString(), "run", "--config", config.toString(),
                "--bootstrap-servers", broker.bootstrapServers(), "--http-port", Integer.toString(port),
                "--data-dir", dir.resolve("data").toString()));
        command.addAll(List.of(extra));
        final Path stderr = dir.resolve(name + ".stderr");
        final Process process = new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".stdout").toFile())
                .redirectError(stderr.toFile())
                .start();
        final Run run = new Run(process, stderr, port);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as("vigil run is alive; stderr: %s", Files.readString(stderr)).isTrue();
            return readyz(port) == 200;
        });
        return run;
    }

    private static String metrics(final int port) throws Exception {
        final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("/metrics").isEqualTo(200);
        return r.body();
    }

    /**
     * Every metric deploy/vigil-self-alerts.yml selects is on the /metrics of {@code run}, with the labels it matches
     * on: a metric renamed in Vigil, or in Kafka's clients, would leave its alert never true.
     */
    private static void assertTheSelfAlertsSelectOnlyWhatIsExported(final Run run) throws Exception {
        final String page = metrics(run.httpPort());
        assertThat(SelfAlertRules.missingFrom(page))
                .as("what deploy/vigil-self-alerts.yml selects and /metrics lacks (%d metrics named there: %s)",
                        SelfAlertRules.metricNames().size(), SelfAlertRules.metricNames())
                .isEmpty();
        assertThat(SelfAlertRules.missingFrom(page, SelfAlertRules.dashboardExpressions()))
                .as("what the Grafana dashboard's panels select and /metrics lacks").isEmpty();
    }

    private static int readyz(final int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** node-05 to node-08, one point each 10 s of event time; node-07's CPU as given. */
    private static void send(final int from, final int to, final IntToDoubleFunction node07) {
        send("metrics", from, to, node07);
    }

    private static void send(final String topic, final int from, final int to, final IntToDoubleFunction node07) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int step = from; step < to; step++) {
                for (int n = 5; n <= 8; n++) {
                    final String instance = String.format("node-%02d", n);
                    final double value = n == 7 ? node07.applyAsDouble(step) : 40;
                    producer.send(new ProducerRecord<>(topic, n % 2, null, TopologyTest.point(instance, value,
                            FleetRecords.T0 + step * 10_000L).getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    /** The statuses of every alert event on the alerts topic, in order. */
    private static List<String> alertEvents() throws IOException {
        return alertEvents("alerts").stream().map(e -> e.get("status").asText()).toList();
    }

    /** Every alert event on {@code topic}, in order. */
    private static List<JsonNode> alertEvents(final String topic) throws IOException {
        final List<JsonNode> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            final var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    events.add(JSON.readTree(r.value()));
                }
            }
        }
        return events;
    }

    @Test
    void onPortZeroTheBannerTheLinksAndTheStreamsAddressNameThePortBound() throws Exception {
        final Path rules = Files.writeString(dir.resolve("rules-port0.yaml"), TopologyTest.RULES);
        final Path config = Files.writeString(dir.resolve("port0.yaml"), """
                rules: {path: %s}
                kafka: {application.id: vigil-port0}
                topics: {metrics: metrics-port0, alerts: alerts-port0, dlq: dlq-port0}
                evaluation: {idle_timeout: 2s}
                http: {port: 0}
                """.formatted(rules));
        final Path stdout = dir.resolve("port0.stdout");
        final Path stderr = dir.resolve("port0.stderr");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toString(), "run", "--config", config.toString(),
                "--bootstrap-servers", broker.bootstrapServers(), "--data-dir", dir.resolve("data-port0").toString())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try (Run run = new Run(process, stderr, 0)) {
            final java.util.regex.Pattern banner =
                    java.util.regex.Pattern.compile("HTTP: +http://127\\.0\\.0\\.1:(\\d+)/ ");
            final int[] port = new int[1];
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                assertThat(process.isAlive()).as("vigil run is alive; stderr: %s", Files.readString(stderr)).isTrue();
                final java.util.regex.Matcher m = banner.matcher(Files.readString(stdout));
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                }
                return port[0] != 0;
            });
            assertThat(port[0]).as("the port bound, not 0").isPositive();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> readyz(port[0]) == 200);

            send("metrics-port0", 0, 40, step -> step >= 34 ? 97 : 40);
            await().atMost(Duration.ofSeconds(90)).until(() -> !alertEvents("alerts-port0").isEmpty());
            assertThat(alertEvents("alerts-port0")).allSatisfy(e -> assertThat(e.get("generatorURL").asText())
                    .startsWith("http://localhost:" + port[0] + "/"));
            final JsonNode api = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port[0] + "/api/alerts")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(api.findValuesAsText("generatorURL")).isNotEmpty()
                    .allSatisfy(url -> assertThat(url).startsWith("http://localhost:" + port[0] + "/"));
            assertThat(run.terminate()).isEqualTo(0);
        }
    }

    /**
     * A SIGTERM while the embedded broker and the engine start (docker stop, or Ctrl-C at a slow start) closes what
     * has started, the broker cleanly, and exits 0; the JVM's own handling would exit 143 at once and leave the
     * broker's logs to be recovered at the next start.
     */
    @Test
    void aSigtermDuringStartUpClosesTheEmbeddedBrokerCleanly() throws Exception {
        final Path rules = Files.writeString(dir.resolve("rules-early.yaml"), TopologyTest.RULES);
        final Path data = dir.resolve("data-early");
        final Path stderr = dir.resolve("early.stderr");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toString(), "run", "--rules", rules.toString(), "--http-port", "0",
                "--data-dir", data.toString())
                .redirectOutput(dir.resolve("early.stdout").toFile()).redirectError(stderr.toFile()).start();
        try (Run run = new Run(process, stderr, 0)) {
            // The broker has formatted its storage and is starting; the engine has not started yet.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10))
                    .until(() -> Files.exists(data.resolve("kafka").resolve("meta.properties")));
            assertThat(run.terminate()).as("exit code; stderr: %s", Files.readString(stderr)).isEqualTo(0);
            assertThat(Files.readString(dir.resolve("early.stdout"))).doesNotContain("Vigil is running");
            assertThat(data.resolve("kafka").resolve(".kafka_cleanshutdown"))
                    .as("the broker's clean-shutdown mark; stderr: %s", Files.readString(stderr)).exists();
            assertThat(run.stderrLines()).anyMatch(l -> l.contains("stopped during start-up"));
        }
    }

    @Test
    void stopsCleanlyOnSigtermARestartFiresNothingAgainAndTheSelfAlertsSelectOnlyExportedMetrics() throws Exception {
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            delivered.add(JSON.readTree(ex.getRequestBody().readAllBytes()).get("alerts").get(0).get("status").asText());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        final Path rules = Files.writeString(dir.resolve("rules.yaml"), TopologyTest.RULES);
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), """
                rules: {path: %s}
                evaluation: {idle_timeout: 2s}
                receivers:
                  - name: pager
                    webhook: {url: "http://127.0.0.1:%d/hook"}
                """.formatted(rules, receiver.getAddress().getPort()));
        try {
            // First run, JSON logs: node-07 runs hot and CpuHigh fires and is delivered.
            try (Run first = start(config, "first", "--log-format", "json")) {
                send(0, 40, step -> step >= 34 ? 97 : 40);
                await().atMost(Duration.ofSeconds(90)).until(() -> delivered.contains("firing"));
                // With input read, alerts evaluated and one delivered, every meter the alerts watch is there.
                assertTheSelfAlertsSelectOnlyWhatIsExported(first);

                assertThat(first.terminate()).as("exit code after SIGTERM").isEqualTo(0);
                final List<String> lines = first.stderrLines();
                assertThat(lines).isNotEmpty();
                final List<String> messages = new ArrayList<>();
                for (String line : lines) {
                    final JsonNode event = JSON.readTree(line);
                    assertThat(event.isObject()).as(line).isTrue();
                    assertThat(event.fieldNames()).toIterable().as(line)
                            .contains("time", "level", "logger", "message", "thread");
                    messages.add(event.get("message").asText());
                }
                assertThat(messages).anyMatch(m -> m.startsWith("started: 1 rule(s)"))
                        .contains("stopping (SIGTERM)")
                        .anyMatch(m -> m.startsWith("stopped cleanly"));
            }

            // Second run, default (text) logs, same state: the alert is still firing, so nothing fires again; the
            // node cools down and the alert resolves, once.
            try (Run second = start(config, "second")) {
                send(40, 60, step -> 40);
                await().atMost(Duration.ofSeconds(90)).until(() -> delivered.contains("resolved"));

                assertThat(second.terminate()).isEqualTo(0);
                final List<String> lines = second.stderrLines();
                assertThat(lines).isNotEmpty().noneMatch(l -> l.startsWith("{"));
                assertThat(lines).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  RunCommand - stopped cleanly.*"));
            }
            assertThat(delivered).containsExactly("firing", "resolved");
            assertThat(alertEvents()).containsExactly("pending", "firing", "resolved");
        } finally {
            receiver.stop(0);
        }
    }
}
