package io.vigil.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.alerts.AlertEventJson;
import io.vigil.evaluation.AlertTransition;
import io.vigil.evaluation.Changelogs;
import io.vigil.evaluation.EvaluationMetrics;
import io.vigil.evaluation.EvaluationOutput;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.PeerGroupProcessor;
import io.vigil.evaluation.PeerMessageCodec;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.evaluation.SeriesQuestions;
import io.vigil.evaluation.WriteBehindStore;
import io.vigil.ingest.CommitFlushStore;
import io.vigil.ingest.DeadLetter;
import io.vigil.ingest.DeadLetterLog;
import io.vigil.ingest.IngestMetrics;
import io.vigil.ingest.IngestOutput;
import io.vigil.ingest.InTaskEvaluation;
import io.vigil.ingest.KnownLabels;
import io.vigil.ingest.LatePoints;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.RememberedSelection;
import io.vigil.ingest.SeriesBundle;
import io.vigil.ingest.SeriesRecord;
import io.vigil.ingest.TopicDecoders;
import io.vigil.ingest.SeriesMessageCodec;
import io.vigil.ingest.SourceLag;
import io.vigil.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole Vigil topology, in the order data meets it. {@code run}, {@code replay}, the demo and the tests all build
 * it here.
 *
 * <pre>
 * metrics topics -> ingest -+-> dead letters -> metrics.dlq
 *                           +-> the task's own series' datapoints ----------------------> evaluate -+-> transitions ----+
 *                           +-> other datapoints + watermarks -> repartition by series --^           |                   |
 *                  outlier rules: members' aggregates + progress -> repartition by peer group -> judge peers -+-> alert events -> alerts
 * </pre>
 *
 * A series is evaluated in the task of its partition of the series repartition. Ingest hands the evaluation of its own
 * task the points of that task's series directly (on input keyed by series, every point); the others cross the
 * repartition in bundles, many points bound for one evaluator to a record. Where the producers keep every series on
 * one input partition ({@code topics.partitioned_by_series}), whatever the key, there is no series repartition: a
 * series is evaluated where it is read.
 */
public final class VigilTopology {

    static final String SERIES_REPARTITION = "series";
    static final String PEERS_REPARTITION = "peers";
    /** Ingest's stores, and the evaluation's, which ingest feeds in its task. */
    private static final String[] INGEST_AND_EVALUATION_STORES = {IngestProcessor.PROGRESS_STORE,
        IngestProcessor.FLUSH_STORE, SeriesEvaluationProcessor.SERIES_STORE, SeriesEvaluationProcessor.PROGRESS_STORE};

    private VigilTopology() {
    }

    public static Topology build(final RuleSet ruleSet, final TopologySettings settings, final MeterRegistry registry) {
        return build(new LiveRules(ruleSet), settings, registry);
    }

    /** @param rules the rules in force; replacing them later takes effect in the running topology (hot reload) */
    public static Topology build(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry) {
        return build(rules, settings, registry, SourceLag.CAUGHT_UP);
    }

    /** @param lag how far the running instance is behind on each input partition (see {@link IngestProcessor}) */
    public static Topology build(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry,
                                 final SourceLag lag) {
        return build(rules, settings, registry, lag, new SeriesQuestions());
    }

    /** @param questions where the HTTP API asks the evaluation tasks about their series */
    public static Topology build(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry,
                                 final SourceLag lag, final SeriesQuestions questions) {
        final StreamsBuilder builder = new StreamsBuilder();

        final Stages stages = new Stages(rules, settings, registry, lag, questions);
        stages.storeBuilders(true).forEach(builder::addStateStore);

        // Only the input's sources get the lookback: the repartition topics' sources, with no policy of their own,
        // keep Kafka Streams' earliest, so that nothing written to them is skipped.
        final KStream<byte[], byte[]> input = builder.stream(settings.metricsTopics(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("metrics")
                        .withOffsetResetPolicy(settings.metricsLookback().map(AutoOffsetReset::byDuration)
                                .orElseGet(AutoOffsetReset::earliest)));
        final KStream<byte[], IngestOutput> deadLetters;
        final KStream<String, EvaluationOutput> evaluated;
        if (settings.partitionedBySeries()) {
            // Every series stays on one input partition: it is evaluated in the task that reads it, by the node that
            // ingests it, and what that node emits is sorted by kind.
            final Map<String, KStream<Object, Object>> routes = input
                    .process(stages::ingestThenEvaluate, Named.as("ingest"), INGEST_AND_EVALUATION_STORES)
                    .split(Named.as("ingested-"))
                    .branch((key, out) -> out instanceof DeadLetter, Branched.as("dead-letters"))
                    .defaultBranch(Branched.as("evaluated"));
            deadLetters = narrow(routes.get("ingested-dead-letters"));
            evaluated = narrow(routes.get("ingested-evaluated"));
        } else {
            // All points of a series meet in one evaluator, the task of the series repartition's partition for it.
            // Ingest evaluates in its own task the points whose series that is (every point, where the producers key
            // the records by series: Kafka's partitioner then puts a series where the repartition would), and bundles
            // the others for the repartition, many points to a record (sent before each commit and each watermark;
            // watermarks reach every evaluator). The repartition's records come back to the evaluation of the same
            // task: its two nodes share the evaluation's stores, which makes ingest, evaluation and the repartition's
            // reading one subtopology.
            final Map<String, KStream<Object, Object>> routes = input
                    .process(stages::ingestThenEvaluate, Named.as("ingest"), INGEST_AND_EVALUATION_STORES)
                    .split(Named.as("ingested-"))
                    .branch((key, out) -> out instanceof DeadLetter, Branched.as("dead-letters"))
                    .branch((key, out) -> out instanceof SeriesRecord, Branched.as("series"))
                    .defaultBranch(Branched.as("evaluated"));
            deadLetters = narrow(routes.get("ingested-dead-letters"));
            final KStream<String, EvaluationOutput> repartitioned = VigilTopology.<byte[], SeriesRecord>narrow(
                            routes.get("ingested-series"))
                    .mapValues(SeriesRecord::value, Named.as("series-bytes"))
                    .repartition(Repartitioned.<byte[], byte[]>as(SERIES_REPARTITION)
                            .withKeySerde(Serdes.ByteArray()).withValueSerde(Serdes.ByteArray())
                            .withStreamPartitioner(BundlePartitioner.series()))
                    .process(stages::evaluateRepartitioned, Named.as("evaluate"),
                            SeriesEvaluationProcessor.SERIES_STORE, SeriesEvaluationProcessor.PROGRESS_STORE);
            evaluated = VigilTopology.<String, EvaluationOutput>narrow(routes.get("ingested-evaluated"))
                    .merge(repartitioned, Named.as("evaluated"));
        }

        // Dead letters keep their original key, value and headers, plus vigil.* headers with the reason. Logged here,
        // not in ingest, which `vigil replay` runs too: it skips such lines and sums them up by reason itself.
        final DeadLetterLog deadLetterLog = new DeadLetterLog(settings.deadLetterTopic(), System::currentTimeMillis);
        deadLetters
                .mapValues(out -> {
                    deadLetterLog.written((DeadLetter) out);
                    return ((DeadLetter) out).value();
                }, Named.as("dead-letter-bytes"))
                .to(settings.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letter-sink"));

        final Map<String, KStream<String, EvaluationOutput>> outputs = evaluated.split(Named.as("evaluated-"))
                .branch((key, out) -> out instanceof AlertTransition, Branched.as("transitions"))
                .defaultBranch(Branched.as("peers"));

        // All members of a peer group meet in one task; progress reports reach every such task.
        final KStream<String, EvaluationOutput> peerTransitions = outputs.get("evaluated-peers")
                .mapValues(PeerMessageCodec::encode, Named.as("peer-bytes"))
                .repartition(Repartitioned.<String, byte[]>as(PEERS_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray())
                        .withStreamPartitioner(BundlePartitioner.peers()))
                .process(stages::judgePeers, Named.as("judge-peers"), PeerGroupProcessor.VALUES_STORE,
                        PeerGroupProcessor.ALERTS_STORE, PeerGroupProcessor.PROGRESS_STORE)
                .mapValues(t -> (EvaluationOutput) t, Named.as("peer-transitions"));

        outputs.get("evaluated-transitions")
                .merge(peerTransitions, Named.as("all-transitions"))
                // Keyed by fingerprint so that the events of one alert stay in order on one partition.
                .map((seriesKey, transition) -> {
                    final AlertEvent event = stages.events().create((AlertTransition) transition);
                    return KeyValue.pair(event.fingerprint(), AlertEventJson.write(event));
                }, Named.as("alert-events"))
                .to(settings.alertsTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("alerts-sink"));

        return builder.build();
    }

    /** A branch of a node that emits several kinds of output, as the kind its split let through. */
    @SuppressWarnings("unchecked")
    private static <K, V> KStream<K, V> narrow(final KStream<Object, Object> branch) {
        return (KStream<K, V>) (KStream<?, ?>) branch;
    }

    /**
     * The processors and stores of each stage, made the one way both the Streams topology and the in-process replay
     * pipeline use them.
     */
    static final class Stages {
        private final LiveRules rules;
        private final TopologySettings settings;
        private final IngestMetrics ingestMetrics;
        /** One for every ingest task the topology runs: the tasks of a thread share its label sets. */
        private final KnownLabels.ByThread knownLabels;
        private final EvaluationMetrics evaluationMetrics;
        private final AlertEventFactory events;
        private final TopicDecoders decoders;
        private final SourceLag lag;
        private final TaskEvaluations evaluations = new TaskEvaluations();
        private final SeriesQuestions questions;

        Stages(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry) {
            this(rules, settings, registry, SourceLag.CAUGHT_UP, new SeriesQuestions());
        }

        Stages(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry,
               final SourceLag lag, final SeriesQuestions questions) {
            this.lag = lag;
            this.questions = questions;
            this.rules = rules;
            this.settings = settings;
            this.decoders = new TopicDecoders(settings.inputTopics(), settings.limits());
            this.ingestMetrics = new IngestMetrics(registry);
            this.knownLabels = new KnownLabels.ByThread();
            this.evaluationMetrics = new EvaluationMetrics(registry);
            this.events = AlertEventFactory.loggingCuts(settings.externalUrl(), System::currentTimeMillis);
        }

        /**
         * Ingest handing {@code inTask}, the evaluation of its own task, the points of the series that task evaluates
         * (every point and notice, where the input is partitioned by series), bundling the others.
         */
        IngestProcessor ingest(final InTaskEvaluation inTask) {
            return ingest(inTask, null);
        }

        /** {@link #ingest(InTaskEvaluation)} telling {@code latePoints} of the points it drops as late, not the log. */
        IngestProcessor ingest(final InTaskEvaluation inTask, final LatePoints latePoints) {
            // The decoder of a record depends on the topic it came from (its format and precision).
            return new IngestProcessor(decoders, settings.metricsTopics(), settings.partitionsByTopic(),
                    settings.grace().toMillis(), settings.limits().maxAge(), () -> rules.current().everyGcdMs(),
                    settings.idleTimeout(), ingestMetrics, lag, settings.seriesPartitions(),
                    new RememberedSelection(rules::current), inTask, settings.partitionedBySeries(), knownLabels,
                    latePoints);
        }

        SeriesEvaluationProcessor evaluate() {
            return new SeriesEvaluationProcessor(rules, settings.grace().toMillis(), settings.forget().toMillis(),
                    settings.inputSources(), settings.partitionedBySeries(), settings.maxSeriesPerRule(),
                    settings.seriesPartitions(), evaluationMetrics, lag, questions);
        }

        /** Ingest and the evaluation of its task as one node. */
        IngestThenEvaluate ingestThenEvaluate() {
            return new IngestThenEvaluate(this::ingest, evaluate(), evaluations);
        }

        /** The series repartition's records, into the evaluation of the same task's ingest node. */
        RepartitionedEvaluation evaluateRepartitioned() {
            return new RepartitionedEvaluation(evaluations);
        }

        PeerGroupProcessor judgePeers() {
            return new PeerGroupProcessor(rules, settings.grace().toMillis(), settings.seriesPartitions(),
                    evaluationMetrics, lag, questions);
        }

        AlertEventFactory events() {
            return events;
        }

        /** In-memory stores; changelogged in the topology so state survives restarts, not in replay. */
        List<StoreBuilder<? extends StateStore>> storeBuilders(final boolean changelogged) {
            final List<StoreBuilder<? extends StateStore>> builders = new ArrayList<>();
            builders.add(logged(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(IngestProcessor.PROGRESS_STORE),
                    Serdes.String(), Serdes.Long()), changelogged));
            // Ingest writes its progress once per commit, from this store's pre-commit flush (never, in a replay).
            builders.add(CommitFlushStore.builder(IngestProcessor.FLUSH_STORE));
            builders.add(SeriesEvaluationProcessor.seriesStore(changelogged));
            builders.add(PeerGroupProcessor.valuesStore(logged(bytesStore(PeerGroupProcessor.VALUES_STORE), changelogged)));
            // Progress and alerts change many times per commit (progress on every evaluation pass): written behind,
            // once per commit.
            for (String store : new String[] {SeriesEvaluationProcessor.PROGRESS_STORE, PeerGroupProcessor.ALERTS_STORE,
                    PeerGroupProcessor.PROGRESS_STORE}) {
                builders.add(WriteBehindStore.ofBytes(logged(bytesStore(store), changelogged)));
            }
            return builders;
        }

        private static StoreBuilder<KeyValueStore<String, byte[]>> bytesStore(final String name) {
            return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray());
        }

        private static <V> StoreBuilder<KeyValueStore<String, V>> logged(final StoreBuilder<KeyValueStore<String, V>> b,
                                                                        final boolean changelogged) {
            return changelogged ? b.withLoggingEnabled(Changelogs.TOPIC_CONFIG) : b.withLoggingDisabled();
        }
    }

    /** Kafka Streams settings every way of running the topology shares. */
    static java.util.Properties streamsDefaults(final String applicationId) {
        final java.util.Properties props = new java.util.Properties();
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        // Kafka 5.0's default, taken now: the same exception handling for global state as for tasks.
        props.put(org.apache.kafka.streams.StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // No task waits for data on one of its partitions before processing another's (Kafka's default, 0, waits
        // while a partition has records on the broker not fetched yet). That wait only orders records by timestamp
        // across a task's partitions, which Vigil never needs: ingest judges each source partition by itself, the
        // evaluation takes points from its input partitions and the series repartition alike and waits for every
        // source's watermark, not for timestamps, and the peer repartition feeds a separate processor whose outputs are
        // alerts of other fingerprints. And Kafka Streams 4.3 checks it at a price: for every task without
        // buffered records, on every processing pass, it String.format()s a trace message it then discards, which
        // was ~10 % of the stream thread's time in catch-up (docs/performance.md). kafka.max.task.idle.ms overrides.
        props.put(org.apache.kafka.streams.StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        return props;
    }

    /**
     * Bundles (series points or peer values) go to the partition they name, which must be one of this many (it was
     * computed for the topic's partition count); the broadcasts (watermarks, idle notices, progress reports) go to
     * every partition; anything else (single points, values written before bundles) to its key's partition, by the
     * producer's default partitioner.
     */
    static final class BundlePartitioner<K> implements StreamPartitioner<K, byte[]> {
        private final String what;
        private final java.util.function.Predicate<byte[]> isBundle;
        private final java.util.function.ToIntFunction<byte[]> partitionOf;
        private final java.util.function.ToIntFunction<byte[]> partitionsOf;
        private final BroadcastingPartitioner<K> broadcasting;

        private BundlePartitioner(final String what, final java.util.function.Predicate<byte[]> isBundle,
                                  final java.util.function.ToIntFunction<byte[]> partitionOf,
                                  final java.util.function.ToIntFunction<byte[]> partitionsOf,
                                  final java.util.function.Predicate<byte[]> isBroadcast) {
            this.what = what;
            this.isBundle = isBundle;
            this.partitionOf = partitionOf;
            this.partitionsOf = partitionsOf;
            this.broadcasting = new BroadcastingPartitioner<>(isBroadcast);
        }

        /** The series repartition's: points bundled by ingest. */
        static BundlePartitioner<byte[]> series() {
            return new BundlePartitioner<>("series", SeriesBundle::isBundle, SeriesBundle::partitionOf,
                    SeriesBundle::partitionsOf, SeriesMessageCodec::isBroadcast);
        }

        /** The peers repartition's: peer values bundled by evaluation. */
        static BundlePartitioner<String> peers() {
            return new BundlePartitioner<>("peer", PeerMessageCodec::isBundle, PeerMessageCodec::partitionOf,
                    PeerMessageCodec::partitionsOf, PeerMessageCodec::isBroadcast);
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final K key, final byte[] value,
                                                 final int numPartitions) {
            if (isBundle.test(value)) {
                final int partition = partitionOf.applyAsInt(value);
                final int partitions = partitionsOf.applyAsInt(value);
                if (partitions != numPartitions) {
                    // What it carries would land on other tasks than their states: a bug, never to be sent.
                    throw new IllegalStateException("a " + what + " bundle for partition " + partition + " of "
                            + partitions + ", but " + topic + " has " + numPartitions + " partitions");
                }
                return Optional.of(Set.of(partition));
            }
            return broadcasting.partitions(topic, key, value, numPartitions);
        }
    }

    /**
     * Keyed records go to their key's partition (the producer's default, murmur2 of the key); the records a
     * predicate picks (watermarks, idle notices, progress reports) go to every partition.
     */
    static final class BroadcastingPartitioner<K> implements StreamPartitioner<K, byte[]> {
        private final java.util.function.Predicate<byte[]> broadcast;

        BroadcastingPartitioner(final java.util.function.Predicate<byte[]> broadcast) {
            this.broadcast = broadcast;
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final K key, final byte[] value,
                                                 final int numPartitions) {
            if (broadcast.test(value)) {
                return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
            }
            return Optional.empty();
        }
    }
}
