package io.vigil.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.SeriesQuestions;
import io.vigil.ingest.CommitPacing;
import io.vigil.rules.RuleSet;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The running engine of {@code vigil run}: topics set up, the topology started on Kafka Streams with exactly-once
 * processing. Used by the command and by the integration tests alike.
 */
public final class VigilEngine implements AutoCloseable {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** How long the engine's clients wait for a broker's answer (Kafka's 30 s), and for a consumer's call (60 s). */
    static final int REQUEST_TIMEOUT_MS = 10_000;
    static final int DEFAULT_API_TIMEOUT_MS = 20_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VigilEngine.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final StreamsReadiness readiness;
    private final StreamThreadFailure failure;
    /** Asks Kafka whether the input topics still have the partitions the topology was built for. */
    private final InputPartitionWatch partitionWatch;
    /** Null when the configuration fixes the number of stream threads, or there is one core. */
    private final CatchUpThreads catchUpThreads;
    /** What the engine's main consumers see waiting: also the key of its counts in {@link CommitPacing}. */
    private final ConsumerLag lag;
    /** Where the HTTP API asks this instance's evaluation tasks about their series. */
    private final SeriesQuestions questions;
    /** Whether the HTTP API's read of the stores covers every task this instance holds. */
    private final StoreCoverage coverage;

    private VigilEngine(final KafkaStreams streams, final KafkaStreamsMetrics streamsMetrics,
                        final StreamsReadiness readiness, final StreamThreadFailure failure,
                        final InputPartitionWatch partitionWatch, final CatchUpThreads catchUpThreads, final ConsumerLag lag, final SeriesQuestions questions,
                        final StoreCoverage coverage) {
        this.streams = streams;
        this.questions = questions;
        this.coverage = coverage;
        this.streamsMetrics = streamsMetrics;
        this.readiness = readiness;
        this.failure = failure;
        this.partitionWatch = partitionWatch;
        this.catchUpThreads = catchUpThreads;
        this.lag = lag;
    }

    /**
     * @param config   must name bootstrap servers
     * @param stateDir where Kafka Streams keeps local state
     */
    public static VigilEngine start(final VigilConfig config, final RuleSet rules, final Path stateDir,
                                    final MeterRegistry registry) {
        return start(config, new LiveRules(rules), stateDir, registry);
    }

    /** @param rules the rules in force; replacing them takes effect without a restart */
    public static VigilEngine start(final VigilConfig config, final LiveRules rules, final Path stateDir,
                                    final MeterRegistry registry) {
        return start(config, rules, stateDir, registry, CatchUpThreads.Policy.DEFAULT);
    }

    /** @param catchUp when a second stream thread runs while behind the input (if the configuration leaves it) */
    static VigilEngine start(final VigilConfig config, final LiveRules rules, final Path stateDir,
                             final MeterRegistry registry, final CatchUpThreads.Policy catchUp) {
        final Properties props = streamsProperties(config, stateDir);
        final boolean catchUpThreadsWanted =
                CatchUpThreads.wanted(config.kafka(), Runtime.getRuntime().availableProcessors());
        final Map<String, Integer> partitions;
        final Optional<Duration> lookback;
        long waiting = -1;
        final String applicationId = String.valueOf(props.get(StreamsConfig.APPLICATION_ID_CONFIG));
        // Kept open after the start for the input partitions' watch, which closes it.
        // Through Kafka Streams' reading of the settings, so that admin.-prefixed ones reach it as they reach Streams'.
        final Admin admin = Admin.create(new StreamsConfig(props).getAdminConfigs(applicationId + "-setup"));
        try {
            partitions = TopicSetup.ensure(admin, config, String.valueOf(props.get("bootstrap.servers")),
                    applicationId);
            lookback = FirstStart.lookback(admin, applicationId, config.metricsTopics(), config.metricsLookback(),
                    rules.current().groups().stream().flatMap(g -> g.rules().stream()).toList());
            if (catchUpThreadsWanted) {
                waiting = CatchUpThreads.waitingAtStart(admin, applicationId, config.metricsTopics(),
                        lookback);
            }
        } catch (ConfigException | KafkaUnanswered e) {
            // A close that waits for the calls still pending (a cluster that does not answer) would hold the user's
            // error for up to default.api.timeout.ms, a minute.
            admin.close(java.time.Duration.ZERO);
            throw e;
        } catch (RuntimeException | Error e) {
            admin.close();
            throw e;
        }
        final boolean startsBehind = catchUpThreadsWanted && waiting >= catchUp.behindRecords();
        if (startsBehind) {
            LOG.info("{} records wait on the input: starting with {} stream threads until caught up", waiting,
                    CatchUpThreads.THREADS_WHEN_BEHIND);
            props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, CatchUpThreads.THREADS_WHEN_BEHIND);
        }
        final TopologySettings settings = TopologySettings.of(config, partitions, lookback);
        // Ingest reads each input partition's lag from the main consumers, so that a partition still catching up is
        // never taken for an idle one.
        final ConsumerLag lag = new ConsumerLag();
        final boolean streamsProtocol = streamsGroupProtocol(config.kafka());
        if (streamsProtocol) {
            lag.seeMainConsumersUnderStreamsProtocol(props);
        }
        final SeriesQuestions questions = new SeriesQuestions();
        final Topology topology;
        final KafkaStreams streams;
        try {
            topology = VigilTopology.build(rules, settings, registry, lag, questions);
            // Under the streams protocol Kafka Streams asks a supplier for no main consumer, and warns that one was
            // given.
            streams = streamsProtocol ? new KafkaStreams(topology, props) : new KafkaStreams(topology, props, lag);
        } catch (RuntimeException | Error e) {
            admin.close();
            throw e;
        }
        // The topology is built for these partition counts: a change while it runs stops it (InputPartitionWatch).
        final InputPartitionWatch partitionWatch = new InputPartitionWatch(admin, partitions, applicationId,
                () -> activeInput(streams));
        final KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
        CatchUpThreads catchUpThreads = null;
        try {
            metrics.bindTo(registry);
            final StreamsReadiness readiness = new StreamsReadiness(Clock.systemUTC(), config.readyzMaxRebalance());
            streams.setStateListener(readiness);
            final StreamThreadFailure failure = new StreamThreadFailure();
            streams.setUncaughtExceptionHandler(failure);
            streams.start();
            partitionWatch.start(InputPartitionWatch.EVERY);
            if (catchUpThreadsWanted) {
                catchUpThreads = CatchUpThreads.of(streams, Set.copyOf(config.metricsTopics()), catchUp, startsBehind);
                catchUpThreads.start();
            }
            return new VigilEngine(streams, metrics, readiness, failure, partitionWatch, catchUpThreads, lag,
                    questions, StoreCoverage.of(streams, advertised(config), props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                            topology.describe(), AlertsApi.READ_STORES));
        } catch (RuntimeException | Error e) {
            // No engine to close for the caller: what was started here is closed here.
            if (catchUpThreads != null) {
                catchUpThreads.close();
            }
            partitionWatch.close();
            streams.close(CLOSE_TIMEOUT);
            metrics.close();
            throw e;
        }
    }

    static Properties streamsProperties(final VigilConfig config, final Path stateDir) {
        final Properties props = VigilTopology.streamsDefaults("vigil");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Larger batches than the producer's 16 KB: a commit flushes every partition's records anyway, and most of the
        // broker's share of a catch-up is handling produce requests (each checked against its transaction), so fewer,
        // larger ones cost less. 256 KB: 0.70x the process CPU per datapoint in catch-up (median of six A/B pairs,
        // docs/performance.md). kafka.batch.size overrides.
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        // lz4: the series repartition carries every datapoint again, with its series key, and appending those bytes to
        // the log was most of the broker's work in a catch-up (its write() alone a third); bundles of keys that differ
        // little compress well, and lz4 costs less CPU than the bytes it saves. 1.29x the catch-up rate and 0.79x the
        // process CPU per datapoint by default (four round pairs); partitioned by series, where only changelogs are
        // written, no difference (docs/performance.md). Every Kafka client reads lz4 (kafka-python with its lz4
        // package), the alerts topic's readers too. kafka.compression.type overrides.
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Fetches of up to 4 MB per partition (Kafka's 1 MB) into 1 MB socket buffers (64 KB): a catch-up reads its
        // input, and by default its repartition, as fast as the stream threads take it, and each fetch of less meant
        // another round trip and more reads of the socket. 1.16x the catch-up rate and 0.87x the process CPU per
        // datapoint by default (median of eight round pairs in four runs), about 1.08x partitioned by series
        // (docs/performance.md). The cost is heap for what is fetched ahead: up to 4 MB per partition this instance
        // reads while behind. kafka.max.partition.fetch.bytes and kafka.receive.buffer.bytes override.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 1024 * 1024);
        // Commits every 2 s rather than every 100 ms, each stage asking for one at once when live data's next hop
        // waits on it or its input has stopped: CommitPacing. kafka.commit.interval.ms overrides.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, CommitPacing.INTERVAL_MS);
        // A rebalance of the classic protocol waits for every member to rejoin, and a member hears of it at its next
        // heartbeat: Kafka's 3 s left a stream thread without tasks for up to 3 s whenever another member asked for one
        // (the first start of an application, whose internal topics appear while it assigns; the second catch-up thread
        // leaving; an instance joining). Measured on first starts: 2.2-2.4 s until the last thread ran in 7 of 30, at
        // most 0.86 s at 250 ms (docs/performance-log.md, Twenty-sixth round). It costs the group coordinator 4 small
        // requests/s per stream thread.
        if (!streamsGroupProtocol(config.kafka())) {
            defaultUnlessSet(props, config.kafka(), StreamsConfig.MAIN_CONSUMER_PREFIX,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 250);
        }
        // Restoring a task ends with a poll of the restore consumer, which waited out a fetch the broker held for
        // Kafka's 500 ms when a changelog had nothing more (an empty one, at every first start): a thread's second task
        // started 0.4 s after its first. At 100 ms, a start's last task ran 0.47 s after the assignment, not 0.83 s
        // (medians of 10 starts).
        defaultUnlessSet(props, config.kafka(), StreamsConfig.RESTORE_CONSUMER_PREFIX,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        // A send waits for its topic's metadata up to max.block.ms, Kafka's 60 s, then throws a TimeoutException. Records
        // read from the input are retried past that (task.timeout.ms, 5 min), but what a wall-clock punctuation sends
        // (idle notices, the whole-cluster silence's evaluations) goes to the processing exception handler, which
        // fails the thread: a broker out of reach for a minute while no data came stopped the engine (exit 1; found
        // by measuring a broker outage, 2026-12-06). Five minutes, as task.timeout.ms: within that the engine rides
        // out an outage, blocked in that send; past it, it stops and its supervisor restarts it.
        // kafka.producer.max.block.ms (or kafka.max.block.ms) overrides.
        defaultUnlessSet(props, config.kafka(), StreamsConfig.PRODUCER_PREFIX, ProducerConfig.MAX_BLOCK_MS_CONFIG,
                300_000);
        // A broker that hangs rather than dies (a long collector pause, a frozen VM) held every alert for the hang plus
        // 30 to 65 s: the producers waited out Kafka's 30 s request timeout on it while it had aborted their
        // transaction after transaction.timeout.ms (10 s), so the next commit found them fenced, and the rebalance that
        // followed waited on it too. At 10 s and 20 s, a 90 s hang of a three-broker cluster's transaction coordinator
        // held alerts 39 to 64 s beyond their usual delay instead of 111 to 134 s, none lost or doubled
        // (docs/reliability.md). A request that takes 10 s on a cluster that is only slow is retried (produce is
        // idempotent) or, within a transaction, fences the thread and costs a rebalance. kafka.request.timeout.ms and
        // kafka.default.api.timeout.ms override (plain or prefixed for one client). An operator's request timeout
        // keeps Kafka's 60 s API timeout: an admin client refuses one shorter than its request timeout, and 30 s alone,
        // as the README advises for a slow cluster, stopped the engine at start.
        props.putAll(clientTimeouts(config.kafka()));
        // Where other instances reach this one's HTTP API, so that any instance answers for all.
        final HostInfo self = advertised(config);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        // kafka.* passes straight through, so TLS, SASL and any Streams tuning work as Kafka documents them.
        props.putAll(config.kafka());
        return props;
    }

    /**
     * The engine's client timeouts, given the operator's {@code kafka.*} settings (which are put after them, and win):
     * {@link #REQUEST_TIMEOUT_MS}, and {@link #DEFAULT_API_TIMEOUT_MS} unless the operator sets either timeout. For
     * delivery's clients too, which read the alerts from the same brokers and waited on a hung one as long.
     */
    static Map<String, Object> clientTimeouts(final Map<String, String> kafka) {
        final Map<String, Object> timeouts = new HashMap<>();
        timeouts.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        if (!operatorSets(kafka, CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG)
                && !operatorSets(kafka, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG)) {
            timeouts.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, DEFAULT_API_TIMEOUT_MS);
        }
        return timeouts;
    }

    /**
     * Sets {@code clientPrefix + key} unless the operator's kafka.* settings set the key for that client in any of the
     * ways Kafka Streams reads (plain, {@code consumer.}-prefixed or {@code clientPrefix}-prefixed): the prefixed
     * default would otherwise win over their plain setting.
     */
    private static void defaultUnlessSet(final Properties props, final Map<String, String> kafka,
                                         final String clientPrefix, final String key, final Object value) {
        if (!kafka.containsKey(key) && !kafka.containsKey(StreamsConfig.CONSUMER_PREFIX + key)
                && !kafka.containsKey(clientPrefix + key)) {
            props.put(clientPrefix + key, value);
        }
    }

    /** Whether the operator's kafka.* settings set {@code key} for any client, plain or prefixed for one. */
    private static boolean operatorSets(final Map<String, String> kafka, final String key) {
        return kafka.keySet().stream().anyMatch(k -> k.equals(key) || k.endsWith("." + key));
    }

    /** Whether the operator chose Kafka's streams rebalance protocol, whose heartbeats the broker paces. */
    private static boolean streamsGroupProtocol(final Map<String, String> kafka) {
        return "streams".equalsIgnoreCase(kafka.getOrDefault(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic").trim());
    }

    /**
     * The partitions this instance's active tasks read, of every topic; empty unless Kafka Streams is RUNNING, as the
     * tasks are being moved in a rebalance.
     */
    private static Optional<Set<TopicPartition>> activeInput(final KafkaStreams streams) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return Optional.empty();
        }
        final Set<TopicPartition> read = new HashSet<>();
        streams.metadataForLocalThreads()
                .forEach(thread -> thread.activeTasks().forEach(task -> read.addAll(task.topicPartitions())));
        return Optional.of(read);
    }

    /**
     * This instance's HTTP address as others should use it: the host and port of {@code http.peer_url}, or of
     * {@code http.external_url} where that is not set.
     */
    static HostInfo advertised(final VigilConfig config) {
        final java.net.URI uri = java.net.URI.create(config.peerAddress());
        return new HostInfo(uri.getHost() == null ? "localhost" : uri.getHost(),
                uri.getPort() > 0 ? uri.getPort() : config.httpPort());
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Where the HTTP API asks this instance's evaluation tasks about their series ({@code /api/series}). */
    public SeriesQuestions questions() {
        return questions;
    }

    /** Whether the HTTP API's read of the stores covers every task this instance holds. */
    StoreCoverage storeCoverage() {
        return coverage;
    }

    /**
     * How many evaluation tasks of this engine hold instants put off through a backlog, or run but not committed yet.
     * While any does, the engine still has output to make readable although every input offset may be committed: a
     * caller waiting for a catch-up to finish (vigil bench) waits for 0 too.
     */
    public int tasksHoldingDeferredInstants() {
        return CommitPacing.tasksHoldingDeferred(lag);
    }

    /** What adds a stream thread while behind, or empty if the configuration fixes the thread count. */
    Optional<CatchUpThreads> catchUpThreads() {
        return Optional.ofNullable(catchUpThreads);
    }

    /** What {@code /readyz} answers for this engine. */
    public Supplier<Readiness> readiness() {
        return readiness;
    }

    /**
     * Completed with the exception a stream thread died of, once the engine has shut itself down because of it (see
     * {@link StreamThreadFailure}); dependent actions run on that thread and should only signal.
     */
    public java.util.concurrent.CompletableFuture<Throwable> failure() {
        return failure.failure();
    }

    /**
     * Completed with the ERROR it logged once an input topic's partition count differs from what the engine was built
     * for: the engine must stop (see {@link InputPartitionWatch}); dependent actions run on the watch's thread and should
     * only signal. The engine goes on until stopped.
     */
    public java.util.concurrent.CompletableFuture<String> inputPartitionsChanged() {
        return partitionWatch.changed();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Stops processing: each stream thread finishes the record in hand, commits its transaction (input offsets,
     * state changes and the alert events they caused, together), flushes and closes its state stores, and the
     * instance leaves the group, so that a restart (or another instance) takes over exactly where this one stopped.
     *
     * @return false when Streams did not finish within 30 s; uncommitted work is then redone after a restart, which
     *         exactly-once makes safe but slower
     */
    public boolean stop() {
        partitionWatch.close();
        if (catchUpThreads != null) {
            catchUpThreads.close();
        }
        // Leave the group on a clean stop: a restarted engine then gets its partitions at once instead of waiting
        // out the old member's session timeout.
        final boolean stopped = streams.close(CloseOptions.groupMembershipOperation(
                CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLOSE_TIMEOUT));
        streamsMetrics.close();
        return stopped;
    }
}
