package io.vigil.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import io.vigil.delivery.Delivery;
import io.vigil.delivery.RetryPolicy;
import io.vigil.delivery.WebhookReceiver;
import io.vigil.model.Labels;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import io.vigil.demo.ClusterSimulator;
import io.vigil.demo.DemoReport;
import io.vigil.demo.Incident;
import io.vigil.model.DurationSyntax;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil demo}: an embedded broker, the engine with the rules in {@code rules/}, a built-in webhook receiver fed
 * by Vigil's delivery, and a simulated cluster played about a hundred times faster than real time through a normal
 * period and the incidents Vigil was built for. Prints the alerts as the pager receives them, then what was detected,
 * how fast, and any false alarm. Everything is real: the broker, the topics, the engine and its exactly-once
 * processing, the webhook delivery; only the cluster is simulated.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Play a simulated cluster through incidents, faster than real time, and show what Vigil pages on.")
final class DemoCommand implements Callable<Integer> {

    /** How long the 95 simulated minutes take to play. */
    private static final Duration PLAY_TIME = Duration.ofSeconds(45);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--rules", paramLabel = "DIR_OR_FILE",
            description = "Rules (default: rules/ of the working directory, else the one beside the jar, as in "
                    + "the repository).")
    private Path rules;

    @Override
    public Integer call() throws Exception {
        final var out = spec.commandLine().getOut();
        final Path rules = this.rules != null ? this.rules
                : defaultRules(Path.of("").toAbsolutePath(), codeLocation());
        final RuleSet ruleSet = RulesCommand.loadOrFail(List.of(rules), spec.commandLine());
        final long started = System.nanoTime();
        out.printf("Vigil demo: %d nodes and a database, %s of their metrics played in about %ds, with %d rules from %s.%n",
                ClusterSimulator.NODES, io.vigil.model.DurationSyntax.format(ClusterSimulator.LENGTH),
                PLAY_TIME.toSeconds(), ruleSet.rules().size(), rules);
        unwatched(ruleSet).ifPresent(out::println);
        out.println("Starting a Kafka broker, the engine, and a webhook receiver standing in for your pager...");
        out.flush();
        final Path dir = Files.createTempDirectory("vigil-demo");
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("metrics", 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
                // The engine would create these; the demo's pager starts reading them before the engine is up.
                admin.createTopics(List.of(new NewTopic("alerts", 1, (short) 1), new NewTopic("alerts.dlq", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
                TopicSetup.awaitLeaders(admin, List.of("metrics", "alerts", "alerts.dlq"), Duration.ofSeconds(30));
            }
            final VigilConfig config = ConfigLoader.load(null, Map.of(
                    "VIGIL_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "VIGIL_KAFKA_APPLICATION_ID", "vigil-demo",
                    "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
            final long alignMs = scheduleAlignmentMs(ruleSet);
            final long start = Math.floorDiv(System.currentTimeMillis() - ClusterSimulator.LENGTH.toMillis(), alignMs)
                    * alignMs;
            final DemoReport report = new DemoReport(start, ClusterSimulator.INCIDENTS, out);
            final Duration played;
            try (VigilEngine engine = VigilEngine.start(config, ruleSet, dir.resolve("streams"), new SimpleMeterRegistry());
                 WebhookInbox inbox = new WebhookInbox(broker.bootstrapServers(), config, report)) {
                awaitRunning(engine);
                out.println("Sending db-1's last " + DurationSyntax.format(ClusterSimulator.HISTORY) + " first: its"
                        + " baseline rule judges once it has half a day of history.");
                out.println("Playing the cluster (times are since the start of the scenario):");
                out.flush();
                played = play(broker.bootstrapServers(), new ClusterSimulator(start), report);
                inbox.awaitQuiet(SETTLE_TIMEOUT);
            }
            final boolean clean = report.printSummary(played, Duration.ofNanos(System.nanoTime() - started));
            return clean ? 0 : 1;
        } finally {
            deleteRecursively(dir);
        }
    }

    /**
     * The demo's rules when {@code --rules} is not given: {@code rules/} of the working directory, as ever; else the
     * {@code rules/} beside the jar ({@code /opt/vigil/} in the image) or the repository's ({@code
     * streams-app/target/vigil.jar}, whose launcher does not change directory), so that {@code ./vigil demo} works
     * from anywhere. Where there is none, a usage error that says so: the rule loader's "rules:1:1: no such file or
     * directory" said nothing of where it looked.
     *
     * @param code the jar or classes directory Vigil runs from, if known
     */
    static Path defaultRules(final Path workingDirectory, final Optional<Path> code) {
        if (Files.isDirectory(workingDirectory.resolve("rules"))) {
            return Path.of("rules");
        }
        final Path dir = code.map(Path::getParent).orElse(null);
        if (dir != null && Files.isDirectory(dir.resolve("rules"))) {
            return dir.resolve("rules");
        }
        // streams-app/target/vigil.jar, or streams-app/target/classes in the tests: the repository's root is two up.
        final Path module = dir == null ? null : dir.getParent();
        if (module != null && module.getParent() != null && dir.endsWith("target") && module.endsWith("streams-app")
                && Files.isDirectory(module.getParent().resolve("rules"))) {
            return module.getParent().resolve("rules");
        }
        throw new ConfigException("rules/ not found in " + workingDirectory
                + ": run the demo from the repository's root, or give --rules");
    }

    /**
     * A note when the rules watch none of some metric the cluster sends: the demo would report its incidents as not
     * detected, and no false alarm, and look like Vigil's failure rather than the rules' (a directory's own rules/
     * taken, not the repository's).
     */
    static Optional<String> unwatched(final RuleSet ruleSet) {
        final Set<String> watched = ruleSet.rules().stream().map(r -> r.selector().metricName())
                .collect(Collectors.toSet());
        final List<String> missing = ClusterSimulator.METRICS.stream().filter(m -> !watched.contains(m)).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Note: no rule watches " + String.join(", ", missing) + ", which the cluster sends: the"
                + " incidents seen there will not be detected. The rules the demo is written for are the repository's"
                + " rules/ (give --rules).");
    }

    /** The jar (or classes directory) this class was loaded from, if the class loader tells. */
    static Optional<Path> codeLocation() {
        try {
            final var source = DemoCommand.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (java.net.URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * What the scenario's start is a multiple of: the simulator's step and every group's {@code every}, so that the
     * evaluation instants fall on the same scenario times in every run, and the demo prints the same alerts at the
     * same times (a 1m group's instants otherwise fell wherever the wall clock put the start: +80:50 in one run,
     * +81:30 in another). Plain 10 s if that multiple would exceed an hour.
     */
    static long scheduleAlignmentMs(final RuleSet rules) {
        long align = ClusterSimulator.STEP.toMillis();
        for (RuleGroup group : rules.groups()) {
            final long every = group.every().toMillis();
            align = align / gcd(align, every) * every;
            if (align > Duration.ofHours(1).toMillis()) {
                return ClusterSimulator.STEP.toMillis();
            }
        }
        return align;
    }

    private static long gcd(final long a, final long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Plays the cluster into the metrics topic at its pace; returns how long that took. */
    private static Duration play(final String bootstrap, final ClusterSimulator simulator, final DemoReport report)
            throws InterruptedException {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        final List<Incident> pending = new java.util.ArrayList<>(ClusterSimulator.INCIDENTS);
        final long playStart = System.nanoTime();
        final long perStepNanos = PLAY_TIME.toNanos() / simulator.steps();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (String record : simulator.history()) {
                send(producer, record);
            }
            for (int i = 0; i < simulator.steps(); i++) {
                final long offsetMs = i * ClusterSimulator.STEP.toMillis();
                while (!pending.isEmpty() && pending.get(0).start().toMillis() <= offsetMs) {
                    report.incidentBegins(pending.remove(0));
                }
                report.printDue();
                for (String record : simulator.step(i)) {
                    send(producer, record);
                }
                // Pace the simulation: the cluster's clock runs at a steady multiple of the wall clock.
                final long due = playStart + (i + 1) * perStepNanos;
                final long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        }
        return Duration.ofNanos(System.nanoTime() - playStart);
    }

    /** Keyed by its host, as an agent per host would key it: one host's points stay in order on one partition. */
    private static void send(final KafkaProducer<String, byte[]> producer, final String record) {
        final int from = record.indexOf("\"instance\":\"") + 12;
        final String host = record.substring(from, record.indexOf('"', from));
        producer.send(new ProducerRecord<>("metrics", host, record.getBytes(StandardCharsets.UTF_8)));
    }

    private static void awaitRunning(final VigilEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (engine.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not start within a minute (state " + engine.state() + ")");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /**
     * The demo's pager: a webhook receiver on loopback, fed by Vigil's own delivery exactly as a real pager would be
     * (Alertmanager's payload, at least once, retried), handing each alert to the report.
     */
    private static final class WebhookInbox implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final HttpServer server;
        private final Delivery delivery;
        private final DemoReport report;
        private volatile long lastEventNanos = System.nanoTime();

        WebhookInbox(final String bootstrap, final VigilConfig config, final DemoReport report) throws IOException {
            this.report = report;
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                final JsonNode payload = JSON.readTree(exchange.getRequestBody().readAllBytes());
                for (JsonNode alert : payload.get("alerts")) {
                    lastEventNanos = System.nanoTime();
                    report.onEvent(toEvent(alert));
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            final WebhookReceiver receiver = new WebhookReceiver("demo-pager", URI.create("http://127.0.0.1:"
                    + server.getAddress().getPort() + "/hook"), Optional.empty(), true, Optional.empty(),
                    Optional.empty(), Duration.ofSeconds(5), WebhookReceiver.DEFAULT_MAX_IN_FLIGHT,
                    new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(2)));
            this.delivery = new Delivery(List.of(receiver), Map.of("bootstrap.servers", bootstrap), config.alertsTopic(),
                    TopicSetup.alertsDeadLetterTopic(config), config.externalUrl(), new SimpleMeterRegistry());
            delivery.start();
        }

        private static AlertEvent toEvent(final JsonNode alert) {
            final Map<String, String> labels = new java.util.TreeMap<>();
            alert.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            final Map<String, String> annotations = new java.util.TreeMap<>();
            alert.get("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
            final Instant startsAt = Instant.parse(alert.get("startsAt").asText());
            final String endsAt = alert.get("endsAt").asText();
            final boolean resolved = "resolved".equals(alert.get("status").asText());
            return new AlertEvent(alert.get("fingerprint").asText(), resolved ? EventStatus.RESOLVED : EventStatus.FIRING,
                    Labels.of(labels), annotations, startsAt, Optional.of(startsAt),
                    resolved ? Optional.of(Instant.parse(endsAt)) : Optional.empty(), OptionalDouble.empty(), "",
                    alert.get("generatorURL").asText());
        }

        /** Waits until no alert has come for a few seconds: the engine has evaluated the end of the stream. */
        void awaitQuiet(final Duration timeout) throws InterruptedException {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && System.nanoTime() - lastEventNanos < Duration.ofSeconds(6).toNanos()) {
                TimeUnit.MILLISECONDS.sleep(200);
                report.printDue();
            }
        }

        @Override
        public void close() throws InterruptedException {
            delivery.close();
            server.stop(0);
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
