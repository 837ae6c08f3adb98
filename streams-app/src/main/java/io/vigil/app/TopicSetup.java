package io.vigil.app;

import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.model.DurationSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Creates the topics Vigil needs when they are missing, and tells how many partitions the input topics have.
 *
 * <p>Every topic Vigil creates uses the broker's append time as record timestamp: Vigil reads event time from the
 * datapoints themselves, and a capture of last year's metrics replayed today must be neither refused for its age
 * nor deleted by time-based retention (formats.md).
 */
final class TopicSetup {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopicSetup.class);

    static final int DEFAULT_INPUT_PARTITIONS = 4;
    private static final Map<String, String> APPEND_TIME = Map.of("message.timestamp.type", "LogAppendTime");
    /** How long {@link #awaitLeaders} waits before it asks again a broker that did not know a topic yet. */
    private static final long LEADERS_ASKED_AGAIN_MS = 50;

    private TopicSetup() {
    }

    /** Where delivery puts the alert events a receiver refused for good (formats.md: {@code alerts.dlq}). */
    static String alertsDeadLetterTopic(final VigilConfig config) {
        return config.alertsTopic() + ".dlq";
    }

    /**
     * Refuses to start placing series the other way from the evaluation state the application has in Kafka: a
     * changed {@code topics.partitioned_by_series} would restore states on tasks that never see their series' points
     * again, and alerts firing in them would never resolve. The series repartition topic exists once the application
     * has evaluated through it, and only then; the series store's changelog once it has evaluated at all. (Each task
     * also checks the placement its state records, for what this cannot see.)
     */
    static void checkPlacement(final Set<String> topics, final String applicationId, final boolean bySeries) {
        final String repartition = applicationId + "-" + VigilTopology.SERIES_REPARTITION + "-repartition";
        final String states = applicationId + "-" + SeriesEvaluationProcessor.SERIES_STORE + "-changelog";
        final boolean evaluatedBySeriesKey = topics.contains(repartition);
        final boolean evaluatedInTask = topics.contains(states) && !evaluatedBySeriesKey;
        if (bySeries && evaluatedBySeriesKey || !bySeries && evaluatedInTask) {
            throw new ConfigException("topics.partitioned_by_series: " + bySeries + ", but application " + applicationId
                    + " has evaluated with it " + !bySeries + " (topic " + (bySeries ? repartition : states)
                    + "), and its evaluation state is placed that way: set it back, or start afresh with a new"
                    + " kafka.application.id (the evaluation state, windows and firing alerts, is not carried over)"
                    // Also what a reset that deleted some internal topics but not this one leaves (--internal-topics).
                    + (bySeries ? "" : "; or, if the application was reset with some of its internal topics deleted,"
                            + " delete this one too"));
        }
    }

    /**
     * The internal topics of {@code applicationId} whose partition count Kafka Streams derives from the input topics:
     * its repartition topics, made with as many partitions as the widest input topic had when they were created.
     */
    static List<String> repartitionTopics(final String applicationId) {
        return List.of(applicationId + "-" + VigilTopology.SERIES_REPARTITION + "-repartition",
                applicationId + "-" + VigilTopology.PEERS_REPARTITION + "-repartition");
    }

    /**
     * Refuses to start on input topics whose partitions changed since the application's internal topics were made for
     * them. Kafka Streams would refuse the repartition topics at its first assignment ("Existing internal topic ... has
     * invalid partitions", a stream thread failure at every restart), and before that the series would move to tasks
     * that do not hold their state. Kafka cannot take partitions away from a topic, so the way out is a new
     * application or a reset of this one, which the message names.
     *
     * @param inputPartitions    partitions per input topic, now
     * @param internalPartitions partitions per existing repartition topic of the application (none on a first start)
     */
    static void checkPartitions(final Map<String, Integer> inputPartitions,
                                final Map<String, Integer> internalPartitions, final String applicationId) {
        final int widest = inputPartitions.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        final Map<String, Integer> other = new java.util.TreeMap<>();
        internalPartitions.forEach((topic, partitions) -> {
            if (partitions != widest) {
                other.put(topic, partitions);
            }
        });
        if (widest == 0 || other.isEmpty()) {
            return;
        }
        throw new ConfigException("the input topics have " + widest + " partitions at the widest ("
                + counts(inputPartitions) + "), but the internal topics of application " + applicationId + " were made for "
                + String.join(" and ", other.values().stream().map(String::valueOf).distinct().toList())
                + " (" + counts(other) + "): Kafka Streams would refuse it, and series would move to tasks that do not"
                + " hold their state. A topic's partitions cannot be taken back in Kafka: " + WAY_OUT);
    }

    /** What to do when the input partitions changed under an application: the start-up refusal and the watch say it. */
    static final String WAY_OUT = "start afresh with a new kafka.application.id (windows, baselines and pending"
            + " alerts are relearned from the input; alerts firing now are not resolved by the new application),"
            + " or reset this one with Kafka's kafka-streams-application-reset and an empty state directory"
            + " (docs/reliability.md, \"Input partitions\")";

    /** {@code topic: partitions, ...}, sorted by topic. */
    static String counts(final Map<String, Integer> partitions) {
        return String.join(", ", new java.util.TreeMap<>(partitions).entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).toList());
    }

    /**
     * Waits until the leader of every partition of {@code topics} serves it. A new topic's leader is named in the
     * metadata a moment before it can take records. An idempotent producer with several requests in flight that
     * writes in that moment can have its first request refused, a later one appended as the partition's first, and
     * the first then refused as out of order at every retry until it expires: its records lost (KAFKA-15591, fixed
     * in Kafka 4.5; it cost a bench run its fill here). A ListOffsets request meets the same check as a produce
     * request. The admin client retries it while the leader is not ready, but not while the broker it asks does not
     * know the topic yet: that is asked again here, until {@code timeout}.
     */
    static void awaitLeaders(final Admin admin, final Collection<String> topics, final Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            final long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(topics).allTopicNames().get(leftMs, TimeUnit.MILLISECONDS).values()
                        .forEach(d -> d.partitions().forEach(p ->
                                latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(latest, new ListOffsetsOptions().timeoutMs((int) leftMs)).all()
                        .get(leftMs, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
                last = (Exception) e.getCause();
            } catch (TimeoutException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(LEADERS_ASKED_AGAIN_MS);
        }
        throw new TimeoutException("the partitions of " + topics + " had no leader that answered within "
                + DurationSyntax.format(timeout) + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /**
     * The topics Vigil reads and writes that {@code existing} lacks, as it creates them: replicated as Kafka Streams
     * replicates its own ({@code kafka.replication.factor}), the broker's default where that is not given (or -1).
     * They took the broker's default whatever it said: a cluster left at Kafka's default of 1 held the alerts topic on
     * one broker, while the changelogs beside it had 3 (a three-broker audit).
     */
    static List<NewTopic> missing(final Set<String> existing, final VigilConfig config) {
        final Optional<Short> replicas = replicationFactor(config);
        final List<NewTopic> missing = new ArrayList<>();
        for (String topic : config.metricsTopics()) {
            if (!existing.contains(topic)) {
                missing.add(new NewTopic(topic, Optional.of(DEFAULT_INPUT_PARTITIONS), replicas).configs(APPEND_TIME));
            }
        }
        for (String topic : List.of(config.alertsTopic(), config.dlqTopic(), alertsDeadLetterTopic(config))) {
            if (!existing.contains(topic)) {
                missing.add(new NewTopic(topic, Optional.empty(), replicas).configs(APPEND_TIME));
            }
        }
        return missing;
    }

    /** The topics Vigil reads and writes, as {@link #missing} creates them. */
    static List<String> vigilTopics(final VigilConfig config) {
        final List<String> topics = new ArrayList<>(config.metricsTopics());
        topics.addAll(List.of(config.alertsTopic(), config.dlqTopic(), alertsDeadLetterTopic(config)));
        return topics;
    }

    /**
     * A WARN for each of Vigil's topics with fewer replicas than {@code kafka.replication.factor}: made before it was
     * set (or by another tool), it is left as it is, and said nothing while its partitions lived on fewer brokers
     * than the operator asked for (a re-check on the jar).
     */
    private static void warnOfFewerReplicas(final Collection<TopicDescription> topics, final VigilConfig config) {
        final Optional<Short> wanted = replicationFactor(config);
        if (wanted.isEmpty()) {
            return;
        }
        for (TopicDescription d : topics) {
            final int replicas = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(wanted.get());
            if (replicas < wanted.get()) {
                LOG.warn("topic {} has {} replica(s) a partition, fewer than kafka.replication.factor ({}): Vigil does"
                        + " not change a topic that exists; kafka-reassign-partitions.sh adds replicas", d.name(),
                        replicas, wanted.get());
            }
        }
    }

    /** {@code kafka.replication.factor}, checked as a number when the configuration loaded; empty for the broker's. */
    private static Optional<Short> replicationFactor(final VigilConfig config) {
        final Object given = config.kafka().get(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        if (given == null) {
            return Optional.empty();
        }
        final int factor = Integer.parseInt(given.toString().trim());
        return factor < 1 ? Optional.empty() : Optional.of((short) factor);
    }

    /**
     * @param bootstrapServers where {@code admin} connects, for the error message
     * @param applicationId    the engine's, whose internal topics tell how it placed its series
     * @return partitions per input topic
     */
    static Map<String, Integer> ensure(final Admin admin, final VigilConfig config, final String bootstrapServers,
                                       final String applicationId) {
        return ensure(admin, config, bootstrapServers, applicationId, Duration.ofSeconds(30));
    }

    /** @param firstAnswer how long the cluster may take to list its topics, its first answer */
    static Map<String, Integer> ensure(final Admin admin, final VigilConfig config, final String bootstrapServers,
                                       final String applicationId, final Duration firstAnswer) {
        try {
            final Set<String> existing;
            try {
                existing = admin.listTopics().names().get(firstAnswer.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new KafkaUnanswered("cannot set up topics at " + bootstrapServers + ": no answer within "
                        + DurationSyntax.format(firstAnswer) + " (is a Kafka broker listening there, reachable from"
                        + " here, and are kafka.security.protocol and its settings the cluster's?)");
            }
            checkPlacement(existing, applicationId, config.partitionedBySeries());
            final List<NewTopic> missing = missing(existing, config);
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof InvalidReplicationFactorException
                            && replicationFactor(config).isPresent()) {
                        throw new ConfigException("kafka." + StreamsConfig.REPLICATION_FACTOR_CONFIG
                                + ": cannot create " + missing.stream().map(NewTopic::name).toList() + " at "
                                + bootstrapServers + " with " + replicationFactor(config).get() + " replicas: "
                                + e.getCause().getMessage());
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList(), Duration.ofSeconds(30));
            }
            final Map<String, TopicDescription> described = admin.describeTopics(vigilTopics(config)).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            warnOfFewerReplicas(described.values(), config);
            final Map<String, Integer> partitions = new HashMap<>();
            described.forEach((name, d) -> {
                if (config.metricsTopics().contains(name)) {
                    partitions.put(name, d.partitions().size());
                }
            });
            final List<String> internal = repartitionTopics(applicationId).stream().filter(existing::contains).toList();
            final Map<String, Integer> internalPartitions = new HashMap<>();
            if (!internal.isEmpty()) {
                admin.describeTopics(internal).allTopicNames().get(30, TimeUnit.SECONDS)
                        .forEach((name, d) -> internalPartitions.put(name, d.partitions().size()));
            }
            checkPartitions(partitions, internalPartitions, applicationId);
            return partitions;
        } catch (ExecutionException | TimeoutException e) {
            final Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ConfigException("cannot set up topics at " + bootstrapServers + ": "
                    + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while setting up topics");
        }
    }
}
