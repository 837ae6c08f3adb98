package io.vigil.app;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SharedAlertIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil run}: the engine, on an external Kafka cluster or an embedded single-node broker. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the engine. Without bootstrap servers it starts an embedded Kafka broker, its data in"
                + " kafka/ of --data-dir.")
final class RunCommand implements Callable<Integer> {

    static final int EMBEDDED_PORT = 9092;
    private static final java.time.Duration RELOAD_CHECK = java.time.Duration.ofSeconds(5);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "vigil.yaml")
    private Path config;

    // The defaults of the options that a key of vigil.yaml or its variable also sets are said as such: "(default
    // 8080)" was not what --http-port took where http.port or VIGIL_HTTP_PORT said otherwise.
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "Kafka cluster to use"
            + " (default: kafka.bootstrap.servers of --config, or VIGIL_BOOTSTRAP_SERVERS; else an embedded broker).")
    private String bootstrapServers;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port, 0 for a free one (default:"
            + " http.port of --config, or VIGIL_HTTP_PORT; else 8080).")
    private Integer httpPort;

    @Option(names = "--broker-port", paramLabel = "PORT", description = "The embedded broker's port (default: the"
            + " port of its first start, 9092 if it was free then, else a free one).")
    private Integer brokerPort;

    @Option(names = "--rules", paramLabel = "DIR_OR_FILE", description = "Rule file or directory (default:"
            + " rules.path of --config, or VIGIL_RULES_PATH; else rules/).")
    private Path rules;

    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "Local state: the embedded broker's data (DIR/kafka) and Kafka Streams' state directory"
                    + " (DIR/streams; empty while every store is in memory) (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Log lines on stderr: text, or json, one object per line (default: log.format of"
                    + " --config, or VIGIL_LOG_FORMAT; else text).")
    private String logFormat;

    /**
     * What has started so far, the newest first: closed in that order if the start fails part-way, so that a failed
     * start leaves nothing running or half-written (an embedded broker left open stops uncleanly when the JVM exits,
     * and its next start recovers every log). Empty once running: {@link #stop} then closes each part in its order.
     */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    /**
     * Counted down by the first SIGTERM or SIGINT, or when the engine fails. Handled from the command's first step, so
     * that a signal during start-up (the embedded broker and the engine take seconds) stops what has started cleanly:
     * without the handler the JVM would exit at once, the broker's logs left to be recovered at the next start.
     */
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** Counted down once the command has stopped, however it stopped (see {@link StopSignals#register}). */
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** A stop asked for while starting: what has started is closed, and the command exits 0 as after any stop. */
    private static final class StopDuringStart extends Exception {
        StopDuringStart() {
            super("stopped during start-up", null, false, false);
        }
    }

    @Override
    public Integer call() throws Exception {
        final StopSignals.Registration signals = StopSignals.register(stopRequested, stopped);
        try {
            return startAndRun();
        } catch (StopDuringStart e) {
            closeStarted(e);
            log().info("stopped during start-up; what had started was closed");
            return 0;
        } catch (Exception | Error e) {
            closeStarted(e);
            throw e;
        } finally {
            stopped.countDown();
            signals.close();
        }
    }

    private Integer startAndRun() throws Exception {
        // Before the engine can write an alert: to a receiver that has never delivered, what was written before is
        // history, of which it gets only the alerts firing (Delivery.start).
        final java.time.Instant startedAt = java.time.Instant.now();
        final ConfigLoader.WithReceivers loaded = ConfigLoader.loadWithReceivers(config, System.getenv(), options(),
                true);
        VigilConfig cfg = loaded.config();
        // Before anything else logs: the broker, the engine and delivery write their lines in the chosen format.
        cfg.logFormat().apply();
        if (cfg.bootstrapServers().isEmpty() && dataDir.toString().contains(",")) {
            // The broker's log.dirs is a comma-separated list: d1,d2 would put its logs in ./d1 and ./d2/kafka.
            throw new ConfigException("--data-dir: '" + dataDir + "' has a ',', which the embedded Kafka broker would"
                    + " read as a list of directories; choose a directory without one");
        }
        checkBrokerPort(cfg);
        final var receivers = loaded.receivers();
        // A rules directory without rule files starts, warned of: the hot reload takes the first ones put there (a
        // git-sync sidecar or a config tool that fills it after the start), where a refusal would be a crash loop
        // until then. `rules validate` and `replay`, which nothing fills later, refuse it.
        final String rulesDigest = RuleReloader.digest(cfg.rulesPath()); // before the load: see RuleReloader
        final RuleSet ruleSet = RulesCommand.loadOrFailAllowingEmptyDirectories(List.of(cfg.rulesPath()),
                spec.commandLine());
        final Optional<String> noRuleFiles = noRuleFilesWarning(cfg.rulesPath());
        ForgetCheck.require(ruleSet, cfg.forget());
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UnrecordedStreamsMetrics.applyTo(registry, cfg);
        bindProcessMeters(registry);

        // Bound first: a port in use is the user's to fix, told before a broker and an engine start (and /readyz
        // answers "starting" meanwhile).
        final AtomicReference<Supplier<Readiness>> readiness =
                new AtomicReference<>(() -> Readiness.notReady("starting"));
        final HttpEndpoints http = started(listen(cfg, httpPort != null ? "--http-port" : "http.port", registry,
                () -> readiness.get().get()));
        // Port 0 took a free one: links and the address other instances use must name that one, not 0.
        cfg = onBoundPort(cfg, http.port());

        EmbeddedKafka broker = null;
        if (cfg.bootstrapServers().isEmpty()) {
            BrokerHalt.logBeforeHalting();
            try {
                broker = started(brokerPort != null ? EmbeddedBrokerPort.startOn(dataDir.resolve("kafka"), brokerPort)
                        : startEmbedded(dataDir.resolve("kafka")));
            } catch (EmbeddedKafka.UnusableDataDirectory e) {
                throw new ConfigException("--data-dir: " + e.getMessage());
            }
            final Map<String, String> kafka = new HashMap<>(cfg.kafka());
            kafka.put("bootstrap.servers", broker.bootstrapServers());
            // One local engine: after a crash, a restart should not wait 45 s for the dead member's session to end.
            kafka.putIfAbsent("session.timeout.ms", "10000");
            cfg = cfg.withKafka(kafka);
        }
        final LiveRules liveRules = new LiveRules(ruleSet);
        final VigilEngine engine = started(VigilEngine.start(cfg, liveRules, dataDir.resolve("streams"), registry));
        if (broker != null) {
            EmbeddedTopicRetention.apply(broker.bootstrapServers(), TopicSetup.vigilTopics(cfg));
        }
        final RuleReloader reloader = started(new RuleReloader(cfg.rulesPath(), rulesDigest, liveRules, cfg.forget(),
                registry));
        reloader.start(RELOAD_CHECK);
        final io.vigil.delivery.Delivery delivery = started(new io.vigil.delivery.Delivery(receivers.webhooks(),
                receivers.alertmanagers(), deliveryClients(cfg.kafka()),
                cfg.alertsTopic(), TopicSetup.alertsDeadLetterTopic(cfg), cfg.externalUrl(), registry));
        delivery.start(startedAt);
        readiness.set(engine.readiness());
        http.serveApi(new AlertsApi(engine, liveRules,
                new io.vigil.alerts.AlertEventFactory(cfg.externalUrl()),
                cfg.grace().toMillis(), VigilEngine.advertised(cfg), cfg.httpToken()));
        // A stream thread that died leaves no engine: stop everything and exit 1 rather than live on as a zombie.
        engine.failure().thenRun(stopRequested::countDown);
        // Input partitions added while running: the engine would read the new ones only after a failed rebalance,
        // their series paging as absent meanwhile. Stopped cleanly, and exit 1 (the ERROR says what to do).
        engine.inputPartitionsChanged().thenRun(stopRequested::countDown);

        printRunning(ruleSet, cfg, receivers, http.port(), broker, noRuleFiles);
        log().info("started: {} rule(s), HTTP on {}", ruleSet.rules().size(),
                HttpEndpoints.authority(cfg.httpBind(), http.port()));
        noRuleFiles.ifPresent(warning -> log().warn(warning));
        SharedAlertIdentity.warnings(ruleSet).forEach(w -> log().warn("{}", w));
        // Running: from here on stop() closes every part, in the order that loses nothing.
        started.clear();
        stopRequested.await();
        return stop(reloader, delivery, http, engine, broker) ? 0 : 1;
    }

    /**
     * Options win over the file and the environment; an error in one names the option, and is reported with every
     * other problem of the configuration (checked there first, a bad flag hid them all).
     */
    private List<ConfigLoader.Option> options() {
        final List<ConfigLoader.Option> options = new ArrayList<>();
        if (httpPort != null) {
            options.add(new ConfigLoader.Option("--http-port", "http.port", httpPort.toString()));
        }
        if (rules != null) {
            options.add(new ConfigLoader.Option("--rules", "rules.path", rules.toString()));
        }
        if (logFormat != null) {
            options.add(new ConfigLoader.Option("--log-format", "log.format", logFormat));
        }
        if (bootstrapServers != null) {
            options.add(new ConfigLoader.Option("--bootstrap-servers", "kafka.bootstrap.servers", bootstrapServers));
        }
        return options;
    }

    /** The JVM's and the process's meters beside Vigil's own. */
    private static void bindProcessMeters(final PrometheusMeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // process_start_time_seconds tells a crash loop that up{} misses between scrapes; the open files tell a
        // broker and RocksDB running out of descriptors before they fail (deploy/vigil-self-alerts.yml).
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** What runs where, on standard output once everything has started: the first thing a user reads. */
    private void printRunning(final RuleSet ruleSet, final VigilConfig cfg, final ReceiverConfig.Receivers receivers,
                              final int boundPort, final EmbeddedKafka broker, final Optional<String> noRuleFiles) {
        final var out = spec.commandLine().getOut();
        out.printf("Vigil is running: %d rule(s) in %d group(s) from %s (edits are picked up within %ds)%n",
                ruleSet.rules().size(), ruleSet.groups().size(), cfg.rulesPath(), 2 * RELOAD_CHECK.toSeconds());
        noRuleFiles.ifPresent(warning -> out.printf("  WARNING: %s%n", warning));
        out.printf("  Kafka:   %s%s%n", cfg.bootstrapServers().orElse(""), broker != null ? " (embedded broker, data in "
                + dataDir.resolve("kafka") + ")" : "");
        out.printf("  Input:   %s   Alerts: %s   Dead letters: %s%n", String.join(", ",
                cfg.inputTopics().stream().map(io.vigil.ingest.InputTopic::describe).toList()),
                cfg.alertsTopic(), cfg.dlqTopic());
        final List<String> targets = new ArrayList<>();
        // Without the path and query: they may hold the receiver's secret (see ReceiverConfig.shown).
        receivers.webhooks().forEach(r -> targets.add(r.name() + " -> " + ReceiverConfig.shown(r.url())));
        receivers.alertmanagers().forEach(r -> targets.add(r.name() + " -> Alertmanager " + ReceiverConfig.shown(r.url())));
        out.printf("  Receivers: %s%n", targets.isEmpty() ? "none (configure `receivers:`)" : String.join(", ", targets));
        out.printf("  HTTP:    http://%s/ (the alerts page)  /api/alerts  /api/rules  /api/series  /metrics  /healthz  /readyz%n",
                HttpEndpoints.authority(cfg.httpBind(), boundPort));
        if (broker != null) {
            // Stamped when run, not when printed: a point pasted minutes later, after others, would be dropped as
            // late. Labelled as rules/backend.yaml selects, so that it reaches a rule (NodeCpuSaturated, pending).
            out.printf("Produce datapoints, a record a line, with ./vigil produce (or kcat -P -b %s -t %s, or"
                    + " kafka-console-producer.sh):%n  echo '{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":"
                    + "\"node-1\",\"cluster\":\"backend\"},\"value\":97,\"timestamp\":'$(($(date +%%s)*1000))'}'"
                    + " | ./vigil produce --bootstrap-servers %s --topic %s%n", broker.bootstrapServers(),
                    cfg.metricsTopics().get(0), broker.bootstrapServers(), cfg.metricsTopics().get(0));
        }
        out.flush();
    }

    /** The settings of delivery's Kafka clients: the engine's timeouts, then the operator's {@code kafka.*}. */
    static Map<String, Object> deliveryClients(final Map<String, String> kafka) {
        final Map<String, Object> clients = new HashMap<>(VigilEngine.clientTimeouts(kafka));
        clients.putAll(kafka);
        return clients;
    }

    /**
     * The clean stop of SIGTERM and SIGINT, in the order that loses nothing: no more rule reloads; delivery finishes
     * the request in flight and commits what was delivered; the HTTP server stops taking requests; the engine
     * commits its transaction, closes its stores and leaves the group; then the embedded broker, if any.
     *
     * @return whether every part stopped in time, and not because Kafka Streams failed
     */
    private static boolean stop(final RuleReloader reloader, final io.vigil.delivery.Delivery delivery,
                                final HttpEndpoints http, final VigilEngine engine, final EmbeddedKafka broker)
            throws InterruptedException {
        reloader.close();
        final boolean deliveryStopped = delivery.stop();
        http.close();
        final boolean engineStopped = engine.stop();
        if (broker != null) {
            broker.close();
        }
        if (engine.failure().isDone()) {
            if (StreamThreadFailure.inputPartitionsChanged(engine.failure().join())) {
                log().info("stopped after the Kafka Streams failure: the input partitions changed (see the ERROR above),"
                        + " and a restart of this application cannot go on");
            } else {
                log().info("stopped after the Kafka Streams failure; its open transaction was aborted, so a restart"
                        + " redoes that work from the last commit");
            }
            return false;
        }
        if (engine.inputPartitionsChanged().isDone()) {
            log().info("stopped because the input partitions changed (see the ERROR above): state and offsets"
                    + " committed as far as read; {}", engineStopped ? "stores closed" : "Kafka Streams did not close in"
                    + " time, so what it had not committed is redone by a restart");
            return false;
        }
        if (deliveryStopped && engineStopped) {
            log().info("stopped cleanly: state and offsets committed, stores closed, deliveries finished");
            return true;
        }
        log().warn("stopped, but {} did not finish in time; what it had not committed is redone after the next start",
                engineStopped ? "delivery" : "Kafka Streams");
        return false;
    }

    /**
     * {@code cfg} as served on {@code boundPort}: when {@code http.port} was 0, the port the server took becomes the
     * HTTP port, and the port of the external URL if that says 0 (the default {@code http://localhost:PORT}); an
     * external URL with a port of its own, or none, is kept as given.
     */
    static VigilConfig onBoundPort(final VigilConfig cfg, final int boundPort) {
        if (cfg.httpPort() != 0) {
            return cfg;
        }
        final java.net.URI url = java.net.URI.create(cfg.externalUrl());
        if (url.getPort() != 0) {
            return cfg.withHttpPort(boundPort, cfg.externalUrl());
        }
        final String given = cfg.externalUrl();
        final String authority = url.getRawAuthority();
        final int at = given.indexOf(authority);
        return cfg.withHttpPort(boundPort, given.substring(0, at) + authority.replaceFirst(":0+$", ":" + boundPort)
                + given.substring(at + authority.length()));
    }

    /** {@code part}, to be closed if the start fails or is stopped; the start ends here if a stop was asked for. */
    private <T extends AutoCloseable> T started(final T part) throws StopDuringStart {
        started.push(part);
        if (stopRequested.getCount() == 0) {
            throw new StopDuringStart();
        }
        return part;
    }

    /** Closes what a failed start had started, the newest first; what fails to close is added to {@code failure}. */
    private void closeStarted(final Throwable failure) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * The HTTP endpoints on {@code http.bind} and {@code http.port}; a ConfigException naming {@code http.bind} if it is
     * not an address of this machine, {@code portKey} if the port is taken.
     *
     * @param portKey where the port was given: {@code --http-port} or {@code http.port}
     */
    private static HttpEndpoints listen(final VigilConfig cfg, final String portKey,
                                        final PrometheusMeterRegistry registry, final Supplier<Readiness> readiness)
            throws IOException {
        final String bind = cfg.httpBind();
        try {
            return HttpEndpoints.start(bind, cfg.httpPort(), registry, readiness, cfg.httpToken());
        } catch (java.nio.channels.UnresolvedAddressException e) {
            throw unresolved(bind);
        } catch (java.net.BindException e) {
            // EADDRNOTAVAIL: an address of another machine, or of an interface that is down (::1 without IPv6).
            if (!isAddressOfThisMachine(bind) || String.valueOf(e.getMessage()).startsWith("Cannot assign requested")) {
                throw new ConfigException("http.bind: cannot bind " + bind + ": not an address of this machine"
                        + " (give one of its addresses, such as 127.0.0.1, or 0.0.0.0 for all of them)");
            }
            throw new ConfigException(portKey + ": cannot listen on " + HttpEndpoints.authority(bind, cfg.httpPort())
                    + ": " + (e.getMessage() == null ? "the address is taken"
                            : e.getMessage().toLowerCase(java.util.Locale.ROOT))
                    + " (another Vigil, or another server on that port? set http.port or --http-port)");
        } catch (java.net.SocketException e) {
            // The JDK's server reports a name that does not resolve as "Unresolved address", caused by this.
            if (e.getCause() instanceof java.nio.channels.UnresolvedAddressException) {
                throw unresolved(bind);
            }
            throw e;
        }
    }

    private static ConfigException unresolved(final String bind) {
        return new ConfigException("http.bind: cannot bind " + bind + ": the name does not resolve to an address"
                + " (give an address of this machine, such as 127.0.0.1, or 0.0.0.0 for all of them)");
    }

    /**
     * Whether {@code host} names an address a server here can bind: the wildcard, a loopback address, or an address of
     * one of this machine's network interfaces. When in doubt, yes: the caller then blames the port, as it did before.
     */
    static boolean isAddressOfThisMachine(final String host) {
        try {
            final java.net.InetAddress address = java.net.InetAddress.getByName(host);
            return address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || java.net.NetworkInterface.getByInetAddress(address) != null;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * {@code --broker-port} names a port, and there is an embedded broker to put on it: with a Kafka cluster given, the
     * option would be silently ignored, and the user left to wonder why nothing listens there.
     */
    private void checkBrokerPort(final VigilConfig cfg) {
        if (brokerPort == null) {
            return;
        }
        if (brokerPort < 1 || brokerPort > 65_535) {
            throw new ConfigException("--broker-port: " + brokerPort + " is not a port number (1-65535)");
        }
        if (cfg.bootstrapServers().isPresent()) {
            throw new ConfigException("--broker-port: there is no embedded broker to put on it, as a Kafka cluster is"
                    + " given (bootstrap servers " + cfg.bootstrapServers().get() + ")");
        }
    }

    /**
     * Asked for when needed, not held in a static field: picocli makes every command when `vigil` starts, and a logger
     * made then starts log4j (about 0.6 s) for `rules validate` or `--help`, which never log.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(RunCommand.class);
    }

    /**
     * The embedded broker on {@value #EMBEDDED_PORT}, where Kafka's tools look by default, when that port is free; else
     * on a free port, which the banner names. A restart takes the port of the first start again while it is free.
     */
    private static EmbeddedKafka startEmbedded(final Path dir) {
        return EmbeddedBrokerPort.start(dir, EMBEDDED_PORT);
    }

    /**
     * What {@code run} warns of, in its banner and log, when the rules path is a directory holding no rule file: it
     * starts all the same (the hot reload takes the first file put there), but evaluates nothing until then.
     */
    static Optional<String> noRuleFilesWarning(final Path rulesPath) {
        if (RuleFiles.directoriesWithoutRuleFiles(List.of(rulesPath)).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("rules.path " + rulesPath + " holds no rule file (" + RuleFiles.NAMES
                + "): nothing is evaluated until one is put there (a reload takes it within "
                + 2 * RELOAD_CHECK.toSeconds() + "s)");
    }
}
