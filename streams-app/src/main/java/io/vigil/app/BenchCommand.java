package io.vigil.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.bench.BenchReport;
import io.vigil.bench.BenchRules;
import io.vigil.bench.BareStreams;
import io.vigil.bench.CommittedProgress;
import io.vigil.bench.DeliveryStorm;
import io.vigil.bench.FleetMetrics;
import io.vigil.bench.GcPauses;
import io.vigil.bench.LatencySummary;
import io.vigil.bench.LiveLoad;
import io.vigil.bench.PlainRead;
import io.vigil.bench.ProbeAlerts;
import io.vigil.bench.ProcessMemory;
import io.vigil.bench.TopicFill;
import io.vigil.delivery.WebhookReceiver;
import io.vigil.ingest.InputTopic;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.RuleSet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil bench}: the numbers of the performance issue, measured the same way on every commit.
 *
 * <ol>
 *   <li>replay: {@code vigil replay}'s pipeline over a generated file of {@code --replay-datapoints}, datapoints/s
 *       (second of two passes, warm);</li>
 *   <li>memory: the replay pipeline holding {@code --memory-series} series, each with two minutes of points (every
 *       window of the bench rules full): heap after GC, process RSS, heap bytes per series;</li>
 *   <li>catch-up: a topic filled with {@code --datapoints} points of {@code --series} series, read to its end by a
 *       plain consumer and by the engine ({@link VigilEngine}, exactly_once_v2, the default configuration) until its
 *       committed offsets reach the end offsets of the input and of its repartition topics, no task holds instants
 *       it put off and no transaction is open on what it writes ({@link CommittedProgress}), in each round, the ratio
 *       taken within each round;</li>
 *   <li>latency: a second engine under a steady live load of {@code --live-rate} datapoints/s, with probe series
 *       that cross a threshold exactly at evaluation instants; from the broker's append time of each crossing point
 *       to when its firing event is readable on the alerts topic by a read_committed consumer.</li>
 * </ol>
 * Everything runs in this JVM (broker included, unless {@code --bootstrap-servers}), so the numbers share its cores.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure Vigil on a generated fleet: catch-up throughput against a plain consumer, alert latency "
                + "under live load, memory per series, replay throughput. Prints one table; --json writes it.",
                "Without --bootstrap-servers it starts an embedded Kafka broker in this process."})
final class BenchCommand implements Callable<Integer> {

    /** Two minutes of points per series in the memory measurement: the longest window of the bench rules, full. */
    private static final int MEMORY_STEPS = 13;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(30);
    /** Live probes this close to the end are not counted: their evaluation needs points up to T + grace. */
    private static final Duration PROBE_MARGIN = Duration.ofSeconds(2);
    /** The live load's first seconds, when the engine meets its first points: no probe of theirs is reported. */
    private static final long FIRST_LOAD_MS = 5_000;
    /**
     * How many of the slowest probe alerts are matched with the collector's pauses: the p99 of a run's 172 is its
     * second slowest, and four probes fire at each second.
     */
    private static final int SLOWEST_PROBES = 10;
    /** How long after the load stops a probe's alert is waited for; one not come by then counts with that time. */
    private static final Duration PROBE_WAIT = Duration.ofSeconds(20);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--datapoints", defaultValue = "10000000", paramLabel = "N",
            description = "Datapoints in the catch-up topic (default: ${DEFAULT-VALUE}, about 8 minutes of a 20,000/s "
                    + "fleet: a backlog, long enough that a round's start and end weigh little).")
    private long datapoints;

    @Option(names = "--replay-datapoints", defaultValue = "2000000", paramLabel = "N",
            description = "Datapoints in the replay file (default: ${DEFAULT-VALUE}, a pass of a few seconds: on "
                    + "300,000 the JIT was still compiling during the counted pass, which measured about half the rate "
                    + "of longer ones).")
    private long replayDatapoints;

    @Option(names = "--replay-rounds", defaultValue = "5", paramLabel = "R",
            description = "Counted replay passes over the file, after the warm-up; the median counts (default: "
                    + "${DEFAULT-VALUE}: the same jar's single passes spread from 470,000 to 950,000 datapoints/s "
                    + "here).")
    private int replayRounds;

    @Option(names = "--replay-warmup", defaultValue = "20", paramLabel = "SECONDS",
            description = "Replay passes not counted until this long has passed, at least one (default: "
                    + "${DEFAULT-VALUE}: C2 takes most of a core for the first 15 to 20 s of a JVM, on the cores the "
                    + "replay uses; the first pass is reported apart, as a cold start's rate).")
    private int replayWarmup;

    @Option(names = "--series", defaultValue = "10000", paramLabel = "S",
            description = "Series of the fleet (nodes x 5 metrics, and x --unselected-metrics more), one point each per "
                    + "10 s scrape (default: ${DEFAULT-VALUE}).")
    private int series;

    @Option(names = "--unselected-metrics", defaultValue = "0", paramLabel = "K",
            description = "Metrics per node, besides the five, that no rule names, in the replay and catch-up fleets: "
                    + "an exporter sends more than the rules use, and the adapter forwards it all (default: "
                    + "${DEFAULT-VALUE}; --series counts them).")
    private int unselectedMetrics;

    @Option(names = "--unkeyed",
            description = "Write the catch-up's records without a key, as prometheus-kafka-adapter does (the producer "
                    + "spreads them over the partitions, so a series' points land on all of them). Without it they are "
                    + "keyed by series (its Prometheus text, which puts it on the partition Vigil evaluates it in), "
                    + "and the whole bench also measures the engine with topics.partitioned_by_series, which unkeyed "
                    + "records would break.")
    private boolean unkeyed;

    @Option(names = "--partitions", defaultValue = "4", paramLabel = "P",
            description = "Partitions of the input topics, at least 3 (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--live-rate", defaultValue = "20000", paramLabel = "DPS",
            description = "Datapoints/s of the live load (default: ${DEFAULT-VALUE}).")
    private int liveRate;

    @Option(names = "--live-seconds", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long the live load runs after its warm-up, the probes counted (default: ${DEFAULT-VALUE}).")
    private int liveSeconds;

    @Option(names = "--live-warmup", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long the live load runs first, its probes reported apart: the JVM compiles the engine's "
                    + "and the broker's code for about a minute, on the cores the engine needs (default: ${DEFAULT-VALUE}).")
    private int liveWarmup;

    @Option(names = "--live-series", defaultValue = "0", paramLabel = "S",
            description = "Series of the live fleet (default: as many as send --live-rate at one point per 10 s scrape, "
                    + "200,000 at 20,000/s).")
    private int liveSeries;

    @Option(names = "--memory-series", defaultValue = "100000", paramLabel = "M",
            description = "Active series for the memory measurement (default: ${DEFAULT-VALUE}; the target case is 1000000, "
                    + "give the JVM the heap: VIGIL_JAVA_OPTS=-Xmx6g).")
    private int memorySeries;

    @Option(names = "--storm-alerts", defaultValue = "2000", paramLabel = "N",
            description = "Alerts of the storm the delivery phase sends to a webhook receiver (default: ${DEFAULT-VALUE}).")
    private int stormAlerts;

    @Option(names = "--receiver-delays-ms", split = ",", defaultValue = "0,20", paramLabel = "MS[,MS...]",
            description = "How long the delivery phase's receiver takes to answer each request, one run each (default: "
                    + "${DEFAULT-VALUE}: on loopback, and as a receiver 20 ms away).")
    private List<Integer> receiverDelaysMs;

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "evaluation.grace for the engines (default: the configuration's, 15s).")
    private String grace;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Use this Kafka cluster instead of an embedded broker (topics named vigil-bench-*, deleted after).")
    private String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "vigil.yaml (kafka.* settings such as TLS or SASL).")
    private Path config;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON here.")
    private Path json;

    @Option(names = "--phases", split = ",", paramLabel = "PHASE[,PHASE...]",
            defaultValue = "replay,memory,catchup,latency",
            description = "Which measurements to make, of replay, memory, catchup, latency (default: these four, "
                    + "issue #7's), and delivery (an alert storm sent to a webhook receiver). "
                    + "Catch-up alone makes an A/B of settings quick: --phases catchup --variant ...")
    private java.util.Set<Phase> phases;

    @Option(names = "--variant", paramLabel = "NAME:KEY=VALUE[,KEY=VALUE...]",
            description = "Also catch up with these Kafka/Streams settings on top of the default configuration, as "
                    + "engine NAME, on the same topic (repeatable): an A/B of settings in one run. Reported beside "
                    + "the default as ratios of round pairs. topics.partitioned_by_series=true|false is Vigil's "
                    + "(the bench's input is keyed by series).")
    private List<String> variantSpecs = new ArrayList<>();

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "R",
            description = "Catch-up rounds (each runs the default and every --variant once, alternating the order); "
                    + "the medians count (default: ${DEFAULT-VALUE}: one round's ratio moves by a third with the "
                    + "machine's load, and a median of three sets one such round aside where a mean of two cannot).")
    private int rounds;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "W",
            description = "Catch-ups of every engine (the default and each variant) before the counted ones, not "
                    + "counted: the first engine of a JVM runs its code cold, and a running engine that falls behind "
                    + "does not (default: ${DEFAULT-VALUE}; the first warm-up's default engine against the plain "
                    + "consumer read before it is reported apart, as a cold start's catch-up).")
    private int warmup;

    private static final String DEFAULT_VARIANT = "default";
    /** The one Vigil setting a variant may set besides Kafka's (the bench's input is keyed by series). */
    private static final String PARTITIONED_BY_SERIES = "topics.partitioned_by_series";
    /** The variant the whole bench adds: the default with {@value #PARTITIONED_BY_SERIES} true. */
    private static final String BY_SERIES = "by_series";
    /**
     * Refusals by the cardinality guard ({@code evaluation.max_series_per_rule}): one at each datapoint of a series no
     * rule holds. The bench raises the limit to its fleet, so any is a sign the fleet outgrew it.
     */
    private static final String SERIES_LIMITED = "vigil.series.limited";
    /**
     * What makes a datapoint read but never evaluated: ingest's and evaluation's lateness, dead letters, and a series
     * the cardinality guard refused.
     */
    private static final List<String> DROPPED = List.of("vigil.ingest.late.dropped", "vigil.evaluation.late.dropped",
            "vigil.ingest.dead.lettered", SERIES_LIMITED);
    /** In a round's order, where the plain consumer reads. */
    private static final String PLAIN = "plain";
    /** In a round's order, where the bare Kafka Streams application reads. */
    private static final String BARE = "bare_streams";
    private final Map<String, Map<String, String>> variants = new LinkedHashMap<>();

    /** The measurements, in the order they run. */
    enum Phase { replay, memory, catchup, latency, delivery }

    @Override
    public Integer call() throws Exception {
        validate();
        final List<ConfigLoader.Option> options = new ArrayList<>();
        if (grace != null) {
            options.add(new ConfigLoader.Option("--grace", "evaluation.grace", grace));
        }
        if (bootstrapServers != null) {
            options.add(new ConfigLoader.Option("--bootstrap-servers", "kafka.bootstrap.servers", bootstrapServers));
        }
        final VigilConfig base = ConfigLoader.load(config, System.getenv(), options);
        if (unkeyed && base.partitionedBySeries()) {
            throw new ConfigException("--unkeyed: topics.partitioned_by_series is true in the configuration, and would "
                    + "evaluate each series of unkeyed records as several");
        }
        final BenchReport report = new BenchReport();
        describeRun(report, base);
        final Path dir = Files.createTempDirectory("vigil-bench");
        // A bench stopped with Ctrl-C leaves no broker log or state behind either.
        final Thread cleanUp = new Thread(() -> deleteQuietly(dir), "vigil-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            final RuleSet fleetRules = RulesCommand.loadOrFail(List.of(BenchRules.writeFleet(dir.resolve("rules"))),
                    spec.commandLine());
            final RuleSet liveRules = RulesCommand.loadOrFail(
                    List.of(BenchRules.writeFleetAndProbe(dir.resolve("rules-live"))), spec.commandLine());
            if (phases.contains(Phase.replay)) {
                measureReplay(report, base, fleetRules, dir);
            }
            if (phases.contains(Phase.memory)) {
                measureMemory(report, base, fleetRules);
            }
            if (phases.contains(Phase.catchup) || phases.contains(Phase.latency) || phases.contains(Phase.delivery)) {
                measureOnKafka(report, base, fleetRules, liveRules, dir);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            deleteQuietly(dir);
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.println();
        report.print(out);
        if (json != null) {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (datapoints < 1) {
            throw new ConfigException("--datapoints: must be at least 1, not " + datapoints);
        }
        if (replayDatapoints < 1) {
            throw new ConfigException("--replay-datapoints: must be at least 1, not " + replayDatapoints);
        }
        if (replayRounds < 1) {
            throw new ConfigException("--replay-rounds: must be at least 1, not " + replayRounds);
        }
        if (replayWarmup < 0) {
            throw new ConfigException("--replay-warmup: must be at least 0, not " + replayWarmup);
        }
        if (series < 1) {
            throw new ConfigException("--series: must be at least 1, not " + series);
        }
        if (partitions < 3) {
            throw new ConfigException("--partitions: must be at least 3, not " + partitions);
        }
        if (stormAlerts < 1) {
            throw new ConfigException("--storm-alerts: must be at least 1, not " + stormAlerts);
        }
        for (int delay : receiverDelaysMs) {
            if (delay < 0) {
                throw new ConfigException("--receiver-delays-ms: must be at least 0, not " + delay);
            }
        }
        if (liveRate < 1) {
            throw new ConfigException("--live-rate: must be at least 1 datapoint/s, not " + liveRate);
        }
        if (liveSeconds < 1) {
            throw new ConfigException("--live-seconds: must be at least 1, not " + liveSeconds);
        }
        if (liveWarmup < 0) {
            throw new ConfigException("--live-warmup: must be at least 0, not " + liveWarmup);
        }
        if (liveSeries < 0) {
            throw new ConfigException("--live-series: must be at least 1 (or 0 for one point per series per 10 s scrape), "
                    + "not " + liveSeries);
        }
        if (memorySeries < 1) {
            throw new ConfigException("--memory-series: must be at least 1, not " + memorySeries);
        }
        if (warmup < 0) {
            throw new ConfigException("--warmup: must be at least 0, not " + warmup);
        }
        if (unselectedMetrics < 0) {
            throw new ConfigException("--unselected-metrics: must be at least 0, not " + unselectedMetrics);
        }
        if (rounds < 1) {
            throw new ConfigException("--rounds: must be at least 1, not " + rounds);
        }
        for (String spec : variantSpecs) {
            final int colon = spec.indexOf(':');
            final String name = colon < 0 ? "" : spec.substring(0, colon);
            if (!name.matches("[A-Za-z0-9_]+") || name.equals(DEFAULT_VARIANT) || name.equals("warmup")
                    || name.equals(PLAIN) || name.equals(BARE) || variants.containsKey(name)) {
                throw new ConfigException("--variant: expected a new NAME (letters, digits, _) before ':', "
                        + "not \"" + spec + "\"");
            }
            final Map<String, String> settings = new LinkedHashMap<>();
            for (String pair : spec.substring(colon + 1).split(",")) {
                final int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("--variant " + name + ": expected KEY=VALUE, not \"" + pair + "\"");
                }
                final String key = pair.substring(0, eq).trim();
                final String value = pair.substring(eq + 1).trim();
                if (key.equals(PARTITIONED_BY_SERIES)
                        && ConfigLoader.bool(value, "--variant " + name + ": " + key) && unkeyed) {
                    throw new ConfigException("--variant " + name + ": " + key + "=true would evaluate each series of "
                            + "--unkeyed records as several");
                }
                settings.put(key, value);
            }
            variants.put(name, settings);
        }
        if (json != null && json.toAbsolutePath().getParent() != null
                && !Files.isDirectory(json.toAbsolutePath().getParent())) {
            throw new ConfigException("--json: no directory " + json.toAbsolutePath().getParent());
        }
    }

    private void describeRun(final BenchReport report, final VigilConfig cfg) {
        final Map<String, Object> options = new LinkedHashMap<>();
        options.put("datapoints", datapoints);
        options.put("replay_datapoints", replayDatapoints);
        options.put("series", series);
        options.put("partitions", partitions);
        options.put("unselected_metrics", unselectedMetrics);
        options.put("unkeyed", unkeyed);
        options.put("live_rate", liveRate);
        options.put("live_seconds", liveSeconds);
        options.put("live_warmup_seconds", liveWarmup);
        options.put("live_series", liveFleetSeries());
        options.put("memory_series", memorySeries);
        options.put("storm_alerts", stormAlerts);
        options.put("receiver_delays_ms", receiverDelaysMs);
        options.put("grace_ms", cfg.grace().toMillis());
        options.put("phases", phases.stream().sorted().map(Enum::name).toList());
        options.put("catchup_warmup", warmup);
        options.put("catchup_rounds", rounds);
        options.put("replay_rounds", replayRounds);
        options.put("replay_warmup_seconds", replayWarmup);
        options.put("broker", bootstrapServers == null ? "embedded" : "external");
        options.put("partitioned_by_series", cfg.partitionedBySeries());
        report.context("options", options);
        report.context("cores", Runtime.getRuntime().availableProcessors());
        report.context("load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        report.context("max_heap_bytes", Runtime.getRuntime().maxMemory());
        report.context("java", System.getProperty("java.version"));
        report.context("vigil", new VigilCommand.Version().getVersion()[0]);
        report.context("started", java.time.Instant.now().toString());
        report.add("cores", "cores (availableProcessors)", Runtime.getRuntime().availableProcessors(), "cores", "");
        report.add("load_average", "load average at start (1 min)",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), "", "");
    }

    // ---- replay

    private void measureReplay(final BenchReport report, final VigilConfig cfg, final RuleSet rules, final Path dir)
            throws IOException {
        final FleetMetrics fleet = new FleetMetrics(series, unselectedMetrics);
        final Path file = dir.resolve("fleet.jsonl");
        progress("writing %,d datapoints for replay", replayDatapoints);
        writeRecording(fleet, file, replayDatapoints);
        final long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(replayWarmup);
        final double coldRate = replayPass(rules, cfg, file);
        progress("replay warm-up pass 1 (not counted): %,.0f datapoints/s", coldRate);
        for (int pass = 2; System.nanoTime() < warmUntil; pass++) {
            progress("replay warm-up pass %d (not counted): %,.0f datapoints/s", pass, replayPass(rules, cfg, file));
        }
        final double[] rates = new double[replayRounds];
        for (int pass = 1; pass <= replayRounds; pass++) {
            rates[pass - 1] = replayPass(rules, cfg, file);
            progress("replay pass %d of %d: %,.0f datapoints/s", pass, replayRounds, rates[pass - 1]);
        }
        Files.delete(file);
        report.add("replay_dps", "vigil replay (no broker, warm" + (replayRounds == 1 ? ")"
                : String.format(Locale.ROOT, ", median of %d)", replayRounds)), median(rates), "datapoints/s",
                ">= 1,000,000");
        report.add("replay_cold_dps", "vigil replay, the first pass of the JVM (the JIT compiling)", coldRate,
                "datapoints/s", "");
    }

    /** @return datapoints/s of one replay of {@code file} */
    private static double replayPass(final RuleSet rules, final VigilConfig cfg, final Path file) throws IOException {
        final long started = System.nanoTime();
        final Replay.Summary summary = Replay.run(rules, cfg, List.of(file), event -> { });
        return summary.lines() / ((System.nanoTime() - started) / 1e9);
    }

    /** The same recording the catch-up topic gets, as a file, one datapoint per line. */
    private void writeRecording(final FleetMetrics fleet, final Path file, final long points) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            fleet.record(points, FleetMetrics.historyEndMs(), (s, key, json) -> {
                w.write(json);
                w.write('\n');
            });
        }
    }

    // ---- memory

    private void measureMemory(final BenchReport report, final VigilConfig cfg, final RuleSet rules) throws IOException {
        progress("memory: %,d series x %d points in the replay pipeline", memorySeries, MEMORY_STEPS);
        // Logging starts at the first logger, which run alone this phase's pipeline would make: its configuration and
        // the JDK's locale data, about 2 MB, are the process's, not the series', and were 2 bytes per series of 299.
        org.slf4j.LoggerFactory.getLogger(BenchCommand.class).debug("memory phase");
        final long before = ProcessMemory.heapUsedAfterGc();
        final long liveBefore = ProcessMemory.liveHeapBytes();
        final FleetMetrics fleet = new FleetMetrics(memorySeries);
        // Every series held: the cardinality guard's default would stop each rule at 100,000 of them.
        final TopologySettings settings = Replay.settings(cfg)
                .withMaxSeriesPerRule(Math.max(cfg.maxSeriesPerRule(), memorySeries));
        final ReplayPipeline pipeline = new ReplayPipeline(new LiveRules(rules), settings,
                new SimpleMeterRegistry(), System.currentTimeMillis(), event -> { });
        fleet.record((long) memorySeries * MEMORY_STEPS, FleetMetrics.historyEndMs(),
                (s, key, json) -> pipeline.offer(json.getBytes(StandardCharsets.UTF_8)));
        final long heap = ProcessMemory.heapUsedAfterGc();
        final long live = ProcessMemory.liveHeapBytes();
        final long rss = ProcessMemory.residentBytes();
        java.lang.ref.Reference.reachabilityFence(pipeline);
        report.add("memory_series", "memory: active series (replay pipeline)", memorySeries, "series", "1,000,000");
        report.add("memory_heap_mb", "memory: heap used after GC", heap / 1048576.0, "MiB", "");
        report.add("memory_rss_mb", "memory: process RSS (VmRSS)", rss < 0 ? Double.NaN : rss / 1048576.0, "MiB", "");
        // The target's figure counts live objects, which no collector's bookkeeping changes; the used heap is kept
        // beside it, as the row read until 2026-12-03 (G1's was 296 bytes at 1,000,000 series, the parallel
        // collector's 320, for the same objects).
        report.add("memory_bytes_per_series", "memory: heap per series (live objects after GC, minus before)",
                live < 0 || liveBefore < 0 ? Double.NaN : (live - liveBefore) / (double) memorySeries, "bytes",
                "<= 300");
        report.add("memory_used_bytes_per_series", "memory: heap used per series (the collector's, after GC)",
                (heap - before) / (double) memorySeries, "bytes", "");
    }

    // ---- on Kafka: fill, plain consumer, catch-up, live latency

    private void measureOnKafka(final BenchReport report, final VigilConfig base, final RuleSet fleetRules,
                                final RuleSet liveRules, final Path dir) throws Exception {
        final String run = "vigil-bench-" + Long.toString(System.currentTimeMillis(), 36);
        EmbeddedKafka broker = null;
        try {
            String bootstrap = base.bootstrapServers().orElse(null);
            if (bootstrap == null) {
                progress("starting an embedded Kafka broker");
                broker = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                bootstrap = broker.bootstrapServers();
            }
            final Map<String, String> kafka = new HashMap<>(base.kafka());
            kafka.put("bootstrap.servers", bootstrap);
            final VigilConfig cfg = base.withKafka(kafka);
            final Map<String, Object> clientProps = new HashMap<>(cfg.kafka());
            clientProps.keySet().removeIf(k -> k.startsWith("application.") || k.equals("processing.guarantee"));
            try (Admin admin = Admin.create(clientProps)) {
                createInputTopics(admin, List.of(run + "-metrics", run + "-live"));
                try {
                    if (phases.contains(Phase.catchup)) {
                        measureCatchUp(report, admin, engineConfig(cfg, run, "metrics", "catchup", series),
                                clientProps, fleetRules, run + "-metrics", dir);
                    }
                    if (phases.contains(Phase.latency)) {
                        measureLatency(report, engineConfig(cfg, run, "live", "live", liveFleetSeries()), clientProps,
                                liveRules, run + "-live", dir);
                    }
                    if (phases.contains(Phase.delivery)) {
                        measureDelivery(report, admin, clientProps, run);
                    }
                } finally {
                    if (broker == null) {
                        deleteTopics(admin, run);
                    }
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    // ---- delivery: an alert storm to a webhook receiver

    /**
     * An alert storm delivered to a receiver answering after each delay: one request at a time, then with the default
     * {@code max_in_flight}, in the same run, over the same topic (each delivery a consumer group of its own).
     */
    private void measureDelivery(final BenchReport report, final Admin admin, final Map<String, Object> clientProps,
                                 final String run) throws Exception {
        final String topic = run + "-storm";
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
                .all().get(60, TimeUnit.SECONDS);
        progress("writing an alert storm of %,d firing alerts", stormAlerts);
        DeliveryStorm.fill(clientProps, topic, stormAlerts);
        final int inFlight = WebhookReceiver.DEFAULT_MAX_IN_FLIGHT;
        for (int delay : receiverDelaysMs) {
            final Duration answerAfter = Duration.ofMillis(delay);
            progress("delivering it to a receiver answering in %d ms, one request at a time", delay);
            final double one = DeliveryStorm.deliver(clientProps, topic, topic + ".dlq", stormAlerts, answerAfter, 1);
            progress("delivering it to a receiver answering in %d ms, %d requests at once at most", delay, inFlight);
            final double many = DeliveryStorm.deliver(clientProps, topic, topic + ".dlq", stormAlerts, answerAfter,
                    inFlight);
            final String key = "delivery_" + delay + "ms";
            report.add(key + "_one_at_a_time_aps", "delivery: storm of " + stormAlerts + " alerts, receiver answering in "
                    + delay + " ms, one request at a time", one, "alerts/s", "");
            report.add(key + "_aps", "delivery: the same, max_in_flight " + inFlight + " (the default)", many,
                    "alerts/s", "");
            report.add(key + "_vs_one_at_a_time", "delivery: max_in_flight " + inFlight + " / one at a time, receiver "
                    + delay + " ms", many / one, "", "");
        }
    }

    /**
     * The default configuration, on the bench's own topics and application id, holding every series of a fleet of
     * {@code fleetSeries}: the cardinality guard's default (100,000 per rule) refused about 140,000 series of a
     * 600,000-series catch-up, which then measured an engine doing less than the fleet asks.
     */
    private static VigilConfig engineConfig(final VigilConfig cfg, final String run, final String input,
                                            final String engine, final int fleetSeries) {
        final Map<String, String> kafka = new HashMap<>(cfg.kafka());
        kafka.put("application.id", run + "-" + engine);
        return new VigilConfig(kafka, List.of(InputTopic.auto(run + "-" + input)), run + "-" + engine + "-alerts",
                run + "-" + engine + "-dlq", cfg.rulesPath(), cfg.grace(), cfg.forget(), cfg.limits(),
                cfg.idleTimeout(), cfg.httpPort(), cfg.httpBind(), cfg.externalUrl(), cfg.peerUrl(), List.of(),
                Optional.empty(),
                cfg.readyzMaxRebalance(), cfg.logFormat(), Math.max(cfg.maxSeriesPerRule(), fleetSeries),
                cfg.partitionedBySeries(), new MetricsLookback.All());
    }

    /** Keyed input topics, with the broker's append time as Vigil creates its own (TopicSetup). */
    private void createInputTopics(final Admin admin, final List<String> names) throws Exception {
        final List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, Optional.of(partitions), Optional.empty())
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")));
        }
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        // The fill's producer writes at once, several requests in flight.
        TopicSetup.awaitLeaders(admin, names, Duration.ofSeconds(60));
    }

    private void measureCatchUp(final BenchReport report, final Admin admin, final VigilConfig cfg,
                                final Map<String, Object> clientProps, final RuleSet rules, final String topic,
                                final Path dir) throws Exception {
        if (variants.isEmpty() && !cfg.partitionedBySeries() && !unkeyed) {
            // The fleet is keyed by series, so the whole bench also measures the engine that relies on it.
            variants.put(BY_SERIES, Map.of(PARTITIONED_BY_SERIES, "true"));
        }
        final FleetMetrics fleet = new FleetMetrics(series, unselectedMetrics);
        progress("filling %s: %,d datapoints of %,d series, %d partitions, %s", topic, datapoints, series, partitions,
                unkeyed ? "no keys (as prometheus-kafka-adapter writes)" : "keyed by series, its Prometheus text");
        final double fillSeconds = TopicFill.fill(clientProps, topic, fleet, datapoints, FleetMetrics.historyEndMs(),
                !unkeyed);
        report.add("fill_dps", "fill: producer, acknowledged", datapoints / fillSeconds, "datapoints/s", "");
        // Every rate below divides --datapoints: a topic holding another count would make them all wrong.
        final long held = TopicFill.recordsIn(admin, topic);
        if (held != datapoints) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the fill wrote %,d datapoints to %s, every one"
                    + " acknowledged, but the topic holds %,d records: the catch-up rates would be wrong (a Kafka"
                    + " bug once lost a batch this way); run the bench again", datapoints, topic, held));
        }

        // The yardstick is read in every round too, next to the engines: its rate changes with the JIT's warmth (its
        // first read ran at half its later rate) and the machine's load, and a ratio means something only if both
        // sides met the same conditions.
        final List<Double> plainRates = new ArrayList<>();
        final List<CatchUp> bareRuns = new ArrayList<>();
        final Map<String, List<CatchUp>> runs = new LinkedHashMap<>();
        final List<String> engines = new ArrayList<>();
        engines.add(DEFAULT_VARIANT);
        engines.addAll(variants.keySet());
        // A round: the two yardsticks, then the engines.
        final List<String> names = new ArrayList<>(List.of(PLAIN, BARE));
        names.addAll(engines);
        // The first warm-up's default engine and plain consumer, each the first of its kind in the JVM: a cold start.
        double coldPlainRate = Double.NaN;
        CatchUp cold = null;
        for (int w = 1; w <= warmup; w++) {
            progress("warm-up %d of %d (not counted): the plain consumer, bare Kafka Streams, then each engine", w,
                    warmup);
            final double plainRate = readPlain(clientProps, topic);
            progress("warm-up: plain consumer %,.0f datapoints/s", plainRate);
            if (w == 1) {
                coldPlainRate = plainRate;
            }
            final CatchUp bare = readBare(admin, cfg, "-warmup-" + BARE + "-" + w, topic,
                    dir.resolve("streams-warmup-" + BARE + "-" + w));
            progress("warm-up: bare Kafka Streams %,.0f datapoints/s", bare.rate());
            // Every engine, not the default alone: partitioned by series the engine runs other code (ingest hands
            // its points to the evaluation in the task), which the default's warm-up leaves for C2 to compile
            // during the counted round.
            for (String name : engines) {
                final CatchUp run = catchUp(admin, engineConfig(cfg, name, "-warmup-" + name + "-" + w), rules, topic,
                        dir.resolve("streams-warmup-" + name + "-" + w));
                progress("warm-up: %s %,.0f datapoints/s, %.1f us CPU per datapoint", name, run.rate(),
                        run.cpuMicrosPerDatapoint());
                if (w == 1 && name.equals(DEFAULT_VARIANT)) {
                    cold = run;
                }
            }
        }
        for (int round = 1; round <= rounds; round++) {
            // Every other round in reverse, so that nothing always runs first (a colder JIT) or last.
            final List<String> order = new ArrayList<>(names);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (String name : order) {
                if (name.equals(PLAIN)) {
                    progress("reading %s with a plain consumer, round %d of %d", topic, round, rounds);
                    plainRates.add(readPlain(clientProps, topic));
                    progress("plain consumer: %,.0f datapoints/s", plainRates.get(plainRates.size() - 1));
                    continue;
                }
                if (name.equals(BARE)) {
                    progress("reading %s with bare Kafka Streams (%s), round %d of %d", topic, guarantee(cfg), round,
                            rounds);
                    bareRuns.add(readBare(admin, cfg, "-" + BARE + "-" + round, topic,
                            dir.resolve("streams-" + BARE + "-" + round)));
                    progress("bare Kafka Streams: %,.0f datapoints/s, %.1f us CPU per datapoint",
                            bareRuns.get(bareRuns.size() - 1).rate(),
                            bareRuns.get(bareRuns.size() - 1).cpuMicrosPerDatapoint());
                    continue;
                }
                // Each engine its own application id, none a prefix of another's followed by '-' (CommittedProgress
                // finds an engine's repartition topics by that prefix).
                final VigilConfig engine = engineConfig(cfg, name,
                        variants.isEmpty() && rounds == 1 && warmup == 0 ? "" : "-" + name + "-" + round);
                progress("catching up on %s with the engine (%s), %s, round %d of %d", topic, guarantee(engine),
                        name, round, rounds);
                final CatchUp run = catchUp(admin, engine, rules, topic,
                        dir.resolve("streams-catchup-" + name + "-" + round));
                progress("%s: %,.0f datapoints/s, %.1f us CPU per datapoint", name, run.rate(), run.cpuMicrosPerDatapoint());
                runs.computeIfAbsent(name, k -> new ArrayList<>()).add(run);
            }
        }
        final List<CatchUp> base = runs.get(DEFAULT_VARIANT);
        final double vigilRate = median(base.stream().mapToDouble(CatchUp::rate).toArray());
        final String of = rounds == 1 ? "" : String.format(Locale.ROOT, " (median of %d)", rounds);
        report.add("plain_dps", "catch-up: plain KafkaConsumer (String values)" + of,
                median(plainRates.stream().mapToDouble(Double::doubleValue).toArray()), "datapoints/s", "");
        report.add("catchup_dps", "catch-up: vigil engine, " + guarantee(cfg) + ", committed" + of, vigilRate,
                "datapoints/s", "");
        report.add("catchup_ratio", "catch-up: vigil / plain consumer" + (rounds == 1 ? "" : " (median of rounds)"),
                median(toPlain(base, plainRates)), "", ">= 0.4");
        report.add("bare_streams_dps", "catch-up: bare Kafka Streams (" + guarantee(cfg) + ", a no-op processor)" + of,
                median(bareRuns.stream().mapToDouble(CatchUp::rate).toArray()), "datapoints/s", "");
        report.add("bare_streams_ratio", "catch-up: bare Kafka Streams / plain consumer"
                + (rounds == 1 ? "" : " (median of rounds)"), median(toPlain(bareRuns, plainRates)), "", "");
        report.add("bare_streams_cpu_us_per_dp", "catch-up: bare Kafka Streams, process CPU per datapoint" + of,
                median(bareRuns.stream().mapToDouble(CatchUp::cpuMicrosPerDatapoint).toArray()), "us", "");
        report.add("catchup_vs_bare_streams", "catch-up: vigil / bare Kafka Streams"
                + (rounds == 1 ? "" : " (median of rounds)"), median(ratios(base, bareRuns)), "", "");
        // Less noisy than the rate on a shared machine: what the process (broker included) spent per datapoint.
        report.add("catchup_cpu_us_per_dp", "catch-up: process CPU per datapoint (broker included)" + of,
                median(base.stream().mapToDouble(CatchUp::cpuMicrosPerDatapoint).toArray()), "us", "");
        report.add("catchup_commits", "catch-up: commits (all stream threads)" + of,
                median(base.stream().mapToDouble(r -> r.totals().commits()).toArray()), "commits", "");
        report.add("catchup_commit_share", "catch-up: share of the time in commits (latency avg x commits / time)" + of,
                median(base.stream().mapToDouble(r -> r.totals().commitSeconds() / r.seconds()).toArray()), "", "");
        report.add("catchup_records_per_commit", "catch-up: records processed per commit (all stages)" + of,
                median(base.stream().mapToDouble(r -> r.totals().processed() / r.totals().commits()).toArray()),
                "records", "");
        report.add("catchup_produced", "catch-up: records the engine produced (repartition, changelog, alerts)" + of,
                median(base.stream().mapToDouble(r -> r.totals().produced()).toArray()), "records", "");
        // A rate means little if points were dropped on the way: the most any counted round of the engine dropped.
        report.add("catchup_dropped", "catch-up: datapoints dropped as late, dead-lettered or refused by the series "
                        + "limit, most of a round",
                base.stream().mapToDouble(CatchUp::dropped).max().orElse(0), "datapoints", "0");
        // With few series the engine's fixed buffers (tens of MB) dominate: the figure means something from 100,000.
        report.add("catchup_heap_per_series", "catch-up: engine heap after GC per series, caught up" + of,
                median(base.stream().mapToDouble(r -> (double) r.heapBytes() / Math.min(series, datapoints)).toArray()),
                "bytes", series < 100_000 ? "(buffers dominate below 100,000 series)" : "");
        if (cold != null) {
            report.add("catchup_cold_dps", "catch-up, cold: the JVM's first engine (default, a warm-up, not counted)",
                    cold.rate(), "datapoints/s", "");
            report.add("catchup_cold_ratio", "catch-up, cold: that engine / the plain consumer read before it",
                    cold.rate() / coldPlainRate, "", "");
        }
        for (String name : variants.keySet()) {
            final List<CatchUp> variant = runs.get(name);
            final double[] rateRatios = new double[rounds];
            final double[] cpuRatios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                rateRatios[i] = variant.get(i).rate() / base.get(i).rate();
                cpuRatios[i] = variant.get(i).cpuMicrosPerDatapoint() / base.get(i).cpuMicrosPerDatapoint();
            }
            final String key = "catchup_" + name.replaceAll("[^A-Za-z0-9]", "_");
            // A variant may run with another processing guarantee than the default's: its rows say so.
            final String guarantee = guarantee(engineConfig(cfg, name, ""));
            final String label = guarantee.equals(guarantee(cfg)) ? name : name + " (" + guarantee + ")";
            report.add(key + "_dps", "catch-up, " + label + of, median(variant.stream().mapToDouble(CatchUp::rate)
                    .toArray()), "datapoints/s", "");
            report.add(key + "_ratio", "catch-up, " + name + " / plain consumer" + (rounds == 1 ? ""
                    : " (median of rounds)"), median(toPlain(variant, plainRates)), "", "");
            report.add(key + "_vs_bare_streams", "catch-up, " + name + " / bare Kafka Streams"
                    + (rounds == 1 ? "" : " (median of rounds)"), median(ratios(variant, bareRuns)), "", "");
            report.add(key + "_vs_default", "catch-up, " + name + " / default, rate (median of round pairs)",
                    median(rateRatios), "", "");
            report.add(key + "_cpu_vs_default", "catch-up, " + name + " / default, CPU per datapoint (median of pairs)",
                    median(cpuRatios), "", "");
            report.add(key + "_commits", "catch-up, " + name + ": commits" + of,
                    median(variant.stream().mapToDouble(r -> r.totals().commits()).toArray()), "commits", "");
        }
        report.context("catchup_variants", variants);
        report.context("catchup_rounds", perRound(plainRates, bareRuns, runs));
        final Map<String, String> guarantees = new LinkedHashMap<>();
        engines.forEach(name -> guarantees.put(name, guarantee(engineConfig(cfg, name, ""))));
        report.context("catchup_processing_guarantees", guarantees);
    }

    /**
     * The processing guarantee an engine of {@code cfg} runs with: exactly_once_v2 unless its Kafka settings (the
     * configuration's, or a variant's) set another, which the rows must then say rather than claim exactly-once.
     */
    private static String guarantee(final VigilConfig cfg) {
        // As the engine's properties have it (the state directory is only named, not used).
        return VigilEngine.streamsProperties(cfg, Path.of(".")).getProperty(
                org.apache.kafka.streams.StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    }

    /** The engine {@code name}'s configuration: the default's, or a variant's settings on it, under its own id. */
    private VigilConfig engineConfig(final VigilConfig cfg, final String name, final String idSuffix) {
        final Map<String, String> kafka = new HashMap<>(cfg.kafka());
        kafka.putAll(variants.getOrDefault(name, Map.of()));
        // Not a Kafka setting: how the engine places its evaluation (the input is keyed by series).
        final String bySeries = kafka.remove(PARTITIONED_BY_SERIES);
        kafka.put("application.id", cfg.kafka().get("application.id") + idSuffix);
        return cfg.withKafka(kafka).withPartitionedBySeries(bySeries == null ? cfg.partitionedBySeries()
                : Boolean.parseBoolean(bySeries));
    }

    /**
     * Every counted round, for the JSON: the medians the rows give hide how far rounds spread (a third, on a loaded
     * machine), which the progress lines alone showed. Per reader: the plain consumer's rates; for bare Kafka Streams
     * and each engine, its rate, its ratio to the plain consumer of the same round, its CPU per datapoint.
     */
    private static Map<String, Object> perRound(final List<Double> plainRates, final List<CatchUp> bareRuns,
                                                final Map<String, List<CatchUp>> runs) {
        final Map<String, Object> rounds = new LinkedHashMap<>();
        rounds.put(PLAIN, plainRates.stream().map(rate -> Map.of("datapoints_per_s", rate)).toList());
        final Map<String, List<CatchUp>> readers = new LinkedHashMap<>();
        readers.put(BARE, bareRuns);
        readers.putAll(runs);
        readers.forEach((name, list) -> {
            final List<Map<String, Double>> each = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                final Map<String, Double> round = new LinkedHashMap<>();
                round.put("datapoints_per_s", list.get(i).rate());
                round.put("ratio_to_plain", list.get(i).rate() / plainRates.get(i));
                round.put("cpu_us_per_datapoint", list.get(i).cpuMicrosPerDatapoint());
                each.add(round);
            }
            rounds.put(name, each);
        });
        return rounds;
    }

    /** Each round's engine rate over the plain consumer's rate in the same round. */
    private static double[] toPlain(final List<CatchUp> engine, final List<Double> plainRates) {
        final double[] ratios = new double[engine.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = engine.get(i).rate() / plainRates.get(i);
        }
        return ratios;
    }

    /** Each round's rate of {@code runs} over the rate of {@code yardstick} in the same round. */
    private static double[] ratios(final List<CatchUp> runs, final List<CatchUp> yardstick) {
        final double[] ratios = new double[runs.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = runs.get(i).rate() / yardstick.get(i).rate();
        }
        return ratios;
    }

    /**
     * The bare Kafka Streams application on the topic, under the engine's Streams settings and, like the engine
     * starting behind, with its catch-up threads.
     */
    private static CatchUp readBare(final Admin admin, final VigilConfig cfg, final String idSuffix,
                                    final String topic, final Path stateDir) throws InterruptedException {
        final java.util.Properties props = VigilEngine.streamsProperties(cfg, stateDir);
        props.put("application.id", cfg.kafka().get("application.id") + idSuffix);
        if (CatchUpThreads.wanted(cfg.kafka(), Runtime.getRuntime().availableProcessors())) {
            props.put("num.stream.threads", CatchUpThreads.THREADS_WHEN_BEHIND);
        }
        final BareStreams.Result read = BareStreams.readAll(props, admin, topic, CATCH_UP_TIMEOUT,
                BenchCommand::processCpuNanos);
        return new CatchUp(read.seconds(), read.records(), read.cpuNanos(), new StreamsTotals(0, 0, 0, 0), 0, 0);
    }

    private static double readPlain(final Map<String, Object> clientProps, final String topic) {
        final PlainRead.Result plain = PlainRead.readAll(clientProps, topic, CATCH_UP_TIMEOUT);
        return plain.records() / plain.seconds();
    }

    /**
     * One engine's catch-up on the filled topic.
     *
     * @param dropped datapoints the engine read and dropped: too late, dead-lettered, or of a series the cardinality
     *                guard refused (none, on the bench's fleet)
     */
    private record CatchUp(double seconds, long datapoints, long cpuNanos, StreamsTotals totals, long heapBytes,
                           double dropped) {
        double rate() {
            return datapoints / seconds;
        }

        double cpuMicrosPerDatapoint() {
            return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / datapoints;
        }
    }

    private CatchUp catchUp(final Admin admin, final VigilConfig cfg, final RuleSet rules, final String topic,
                            final Path stateDir) throws Exception {
        final long heapBefore = ProcessMemory.heapUsedAfterGc();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (VigilEngine engine = VigilEngine.start(cfg, rules, stateDir, registry)) {
            final long started = awaitFirstDatapoint(engine, registry);
            final long cpuStarted = processCpuNanos();
            // Done once everything the engine makes of the topic is readable: partitioned by series, evaluation runs
            // the instants it put off through the backlog after the input's last offsets are committed.
            final long done = CommittedProgress.awaitCaughtUp(admin, cfg.kafka().get("application.id"), topic,
                    java.util.Set.of(cfg.alertsTopic(), cfg.dlqTopic()), CATCH_UP_TIMEOUT, engine::state,
                    engine::tasksHoldingDeferredInstants);
            final long cpuDone = processCpuNanos();
            final StreamsTotals totals = StreamsTotals.of(engine.streams());
            // The engine's own heap, holding every series (its buffers and the broker's growth included).
            final long heap = ProcessMemory.heapUsedAfterGc() - heapBefore;
            return new CatchUp((done - started) / 1e9, datapoints, cpuStarted < 0 ? -1 : cpuDone - cpuStarted,
                    totals, heap, counted(registry, DROPPED));
        }
    }

    private static double median(final double[] values) {
        final double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        final int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void measureLatency(final BenchReport report, final VigilConfig cfg, final Map<String, Object> clientProps,
                                final RuleSet rules, final String topic, final Path dir) throws Exception {
        final long graceMs = cfg.grace().toMillis();
        final int fleetSeries = liveFleetSeries();
        progress("live load: %,d datapoints/s of %,d series for %ds (after a %ds warm-up) on %s, %d probe series, "
                        + "grace %s", liveRate, fleetSeries, liveSeconds, liveWarmup, topic, LiveLoad.PROBES,
                io.vigil.model.DurationSyntax.format(cfg.grace()));
        final LiveLoad load = new LiveLoad();
        final LiveLoad.Result sent;
        final Map<String, Long> latencies = new HashMap<>();
        final Map<String, Long> warmUpLatencies = new HashMap<>();
        final long expected;
        final long read;
        final double cpuCores;
        final double commits;
        final double commitMsAvg;
        final double commitMsMax;
        final double pollRatio;
        final double loadSeconds;
        final List<GcPauses.Pause> pauses;
        final Map<String, Long> pathFromMs = new HashMap<>();
        final Map<String, Long> pathToMs = new HashMap<>();
        try (VigilEngine engine = VigilEngine.start(cfg, rules, dir.resolve("streams-live"), new SimpleMeterRegistry());
             ProbeAlerts alerts = new ProbeAlerts(clientProps, cfg.alertsTopic());
             GcPauses gc = GcPauses.listen()) {
            awaitRunning(engine);
            final long loadStartMs = System.currentTimeMillis();
            // What the counted part cost is read from its start: the warm-up's CPU is mostly the JIT's.
            final long[] startMs = {loadStartMs};
            final long[] cpuBefore = {processCpuNanos()};
            final StreamsTotals[] totalsBefore = {StreamsTotals.of(engine.streams())};
            sent = load.run(clientProps, topic, new FleetMetrics(fleetSeries), liveRate, Duration.ofSeconds(liveWarmup),
                    () -> {
                        startMs[0] = System.currentTimeMillis();
                        cpuBefore[0] = processCpuNanos();
                        totalsBefore[0] = StreamsTotals.of(engine.streams());
                    }, Duration.ofSeconds(liveSeconds));
            final long endMs = System.currentTimeMillis();
            // Where the latency comes from: how busy the two cores were (engine, broker and load in this process),
            // and how often and how long the engine's transactions took.
            cpuCores = cpuBefore[0] < 0 ? Double.NaN : (processCpuNanos() - cpuBefore[0]) / 1e6 / (endMs - startMs[0]);
            final StreamsTotals totalsAfter = StreamsTotals.of(engine.streams());
            commits = totalsAfter.commits() - totalsBefore[0].commits();
            commitMsAvg = threadMetric(engine.streams(), "commit-latency-avg");
            commitMsMax = threadMetric(engine.streams(), "commit-latency-max");
            pollRatio = threadMetric(engine.streams(), "poll-ratio");
            loadSeconds = (endMs - startMs[0]) / 1e3;
            // Without a warm-up, skip the first seconds (the engine meets its first load); always the last (no points
            // beyond T + grace).
            final long countedFromMs = startMs[0] + (liveWarmup > 0 ? 0 : Math.min(FIRST_LOAD_MS, liveSeconds * 1000L / 5));
            final long countedToMs = endMs - graceMs - PROBE_MARGIN.toMillis();
            final List<String> counted = new ArrayList<>();
            final List<String> warmUp = new ArrayList<>();
            for (String key : load.firingAppendMs().keySet()) {
                final long instant = Long.parseLong(key.substring(key.indexOf('@') + 1));
                if (instant >= countedFromMs && instant <= countedToMs) {
                    counted.add(key);
                } else if (instant >= loadStartMs + FIRST_LOAD_MS && instant < countedFromMs) {
                    warmUp.add(key);
                }
            }
            expected = counted.size();
            final long deadline = System.nanoTime() + PROBE_WAIT.toNanos();
            while (!alerts.readableMs().keySet().containsAll(counted) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            final long givenUpMs = System.currentTimeMillis();
            read = counted.stream().filter(alerts.readableMs()::containsKey).count();
            latencies.putAll(latencies(counted, alerts.readableMs(), load.firingAppendMs(), givenUpMs));
            // A probe's path beyond the grace: from when its instant could run (its append plus the grace) until its
            // alert was readable.
            for (String key : counted) {
                pathFromMs.put(key, load.firingAppendMs().get(key) + graceMs);
                pathToMs.put(key, alerts.readableMs().getOrDefault(key, givenUpMs));
            }
            pauses = gc.between(startMs[0], endMs);
            warmUpLatencies.putAll(latencies(warmUp, alerts.readableMs(), load.firingAppendMs(), givenUpMs));
        }
        final LatencySummary summary = LatencySummary.of(latencies.values());
        // Which instants were slow, written with the JSON, to see what the slow ones share (the rule groups due then).
        final Map<Long, Long> slowestByInstant = new TreeMap<>();
        latencies.forEach((key, ms) -> slowestByInstant.merge(Long.parseLong(key.substring(key.indexOf('@') + 1)), ms,
                Math::max));
        report.context("latency_slowest_probe_by_instant_ms", slowestByInstant);
        // The collector's pauses in the counted part, by their start (epoch ms): what the slow instants are matched with.
        final Map<Long, Long> pauseMsByStart = new TreeMap<>();
        pauses.forEach(p -> pauseMsByStart.merge(p.startMs(), p.durationMs(), Long::sum));
        report.context("latency_gc_pauses_ms", pauseMsByStart);
        final List<String> slowest = latencies.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(SLOWEST_PROBES).map(Map.Entry::getKey).toList();
        final long slowestPaused = slowest.stream()
                .filter(key -> GcPauses.anyWithin(pauses, pathFromMs.get(key), pathToMs.get(key))).count();
        final String target = String.format(Locale.ROOT, "<= %,d (grace + 250)", graceMs + 250);
        report.add("live_dps", "live: load sent", sent.rate(), "datapoints/s", String.format(Locale.ROOT, "%,d", liveRate));
        report.add("grace_ms", "live: evaluation.grace", graceMs, "ms", "");
        report.add("latency_p50_ms", "live: alert latency p50 (append -> readable, read_committed)", summary.p50Ms(),
                "ms", "");
        report.add("latency_p99_ms", "live: alert latency p99", summary.p99Ms(), "ms", target);
        report.add("latency_max_ms", "live: alert latency max", summary.maxMs(), "ms", "");
        report.add("latency_samples", "live: probe alerts read / expected", read, "alerts",
                String.format(Locale.ROOT, "%,d", expected));
        // The same count as a number, for a script comparing runs (the target above is text).
        report.add("latency_expected_samples", "live: probe alerts expected (counted instants x probes)", expected,
                "alerts", "");
        if (!warmUpLatencies.isEmpty()) {
            final LatencySummary cold = LatencySummary.of(warmUpLatencies.values());
            report.add("warmup_latency_p50_ms", "live warm-up (not counted): alert latency p50", cold.p50Ms(), "ms", "");
            report.add("warmup_latency_p99_ms", "live warm-up (not counted): alert latency p99", cold.p99Ms(), "ms", "");
        }
        report.add("live_cpu_cores", "live: process CPU (engine, broker, load) in cores", cpuCores, "cores",
                String.format(Locale.ROOT, "of %d", Runtime.getRuntime().availableProcessors()));
        report.add("live_gc_pauses", "live: collector pauses (the whole process stopped)", pauses.size(), "pauses", "");
        report.add("live_gc_pause_ms_max", "live: collector pause, longest",
                pauses.stream().mapToLong(GcPauses.Pause::durationMs).max().orElse(0), "ms", "");
        report.add("live_slowest_probes_paused", String.format(Locale.ROOT,
                "live: of the %d slowest probe alerts, paused on their path", slowest.size()), slowestPaused, "alerts", "");
        report.add("live_commits_per_s", "live: engine commits per second", commits / loadSeconds, "/s", "");
        report.add("live_commit_ms_avg", "live: engine commit time, mean (Kafka Streams' window)", commitMsAvg, "ms", "");
        report.add("live_commit_ms_max", "live: engine commit time, max (Kafka Streams' window)", commitMsMax, "ms", "");
        report.add("live_poll_ratio", "live: stream thread's share of time in poll (Kafka Streams' window)", pollRatio,
                "", "");
    }

    /**
     * Each probe's latency, from its point's append to its alert readable; one whose alert never came counts with the
     * time it was given up on: its latency is at least that.
     */
    private static Map<String, Long> latencies(final List<String> probes, final Map<String, Long> readableMs,
                                               final Map<String, Long> appendedMs, final long givenUpMs) {
        final Map<String, Long> out = new HashMap<>();
        for (String key : probes) {
            out.put(key, readableMs.getOrDefault(key, givenUpMs) - appendedMs.get(key));
        }
        return out;
    }

    /** The live fleet: as given, or as many series as send the live rate at one point per series per scrape. */
    private int liveFleetSeries() {
        return liveSeries > 0 ? liveSeries : (int) Math.max(1, liveRate * FleetMetrics.SCRAPE_MS / 1000);
    }

    /** CPU time of this process so far, or -1 where the JVM does not tell. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** Kafka Streams' own counters of an engine, summed over its threads and producers. */
    private record StreamsTotals(double commits, double commitSeconds, double processed, double produced) {
        static StreamsTotals of(final KafkaStreams streams) {
            double commits = 0;
            double commitMs = 0;
            double processed = 0;
            double produced = 0;
            for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> e
                    : streams.metrics().entrySet()) {
                final org.apache.kafka.common.MetricName name = e.getKey();
                if (!(e.getValue().metricValue() instanceof Double value) || value.isNaN()) {
                    continue;
                }
                if (name.group().equals("stream-thread-metrics")) {
                    switch (name.name()) {
                        case "commit-total" -> commits += value;
                        case "process-total" -> processed += value;
                        default -> { }
                    }
                } else if (name.group().equals("producer-metrics") && name.name().equals("record-send-total")) {
                    produced += value;
                }
            }
            for (Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> e
                    : streams.metrics().entrySet()) {
                final org.apache.kafka.common.MetricName name = e.getKey();
                if (name.group().equals("stream-thread-metrics") && name.name().equals("commit-latency-avg")
                        && e.getValue().metricValue() instanceof Double avg && !avg.isNaN()) {
                    commitMs += avg * threadCommits(streams, name.tags());
                }
            }
            return new StreamsTotals(commits, commitMs / 1e3, processed, produced);
        }

        private static double threadCommits(final KafkaStreams streams, final Map<String, String> tags) {
            return streams.metrics().entrySet().stream()
                    .filter(e -> e.getKey().group().equals("stream-thread-metrics")
                            && e.getKey().name().equals("commit-total") && e.getKey().tags().equals(tags))
                    .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
        }
    }

    /** A stream thread's metric (the largest over the engine's threads), NaN if none has it yet. */
    private static double threadMetric(final KafkaStreams streams, final String metric) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-thread-metrics") && e.getKey().name().equals(metric))
                .map(e -> e.getValue().metricValue())
                .filter(v -> v instanceof Double d && !d.isNaN())
                .mapToDouble(v -> (Double) v).max().orElse(Double.NaN);
    }

    /**
     * @return System.nanoTime when ingest was first seen to have read a datapoint: a stream thread processes as soon
     *         as its own tasks are ready, which can be long before the whole engine is RUNNING
     */
    private static long awaitFirstDatapoint(final VigilEngine engine, final MeterRegistry registry)
            throws InterruptedException {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (ingested(registry) == 0) {
            if (engine.state() == KafkaStreams.State.ERROR || engine.state() == KafkaStreams.State.NOT_RUNNING
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not start (state " + engine.state() + ")");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return System.nanoTime();
    }

    /** The datapoints ingest has read, whatever became of them. */
    private static double ingested(final MeterRegistry registry) {
        return counted(registry, List.of("vigil.ingest.datapoints", "vigil.ingest.unselected",
                "vigil.ingest.late.dropped", "vigil.ingest.dead.lettered"));
    }

    private static double counted(final MeterRegistry registry, final List<String> counters) {
        double total = 0;
        for (String name : counters) {
            // The datapoints read are a function counter (the tasks' own counts summed), the others counters.
            total += registry.find(name).counters().stream().mapToDouble(Counter::count).sum()
                    + registry.find(name).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
        }
        return total;
    }

    /** @return System.nanoTime when the engine was first seen RUNNING */
    private static long awaitRunning(final VigilEngine engine) throws InterruptedException {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (engine.state() != KafkaStreams.State.RUNNING) {
            if (engine.state() == KafkaStreams.State.ERROR || engine.state() == KafkaStreams.State.NOT_RUNNING
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not start (state " + engine.state() + ")");
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return System.nanoTime();
    }

    private static void deleteTopics(final Admin admin, final String prefix) {
        try {
            final List<String> ours = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(prefix)).toList();
            admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(BenchCommand.class).warn("could not delete the bench topics {}*: {}",
                    prefix, e.getMessage());
        }
    }

    private void progress(final String format, final Object... args) {
        final PrintWriter err = spec.commandLine().getErr();
        err.printf("bench: " + format + "%n", args);
        err.flush();
    }

    private static void deleteQuietly(final Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(BenchCommand.class).warn("could not delete {}: {}", dir, e.getMessage());
        }
    }
}
