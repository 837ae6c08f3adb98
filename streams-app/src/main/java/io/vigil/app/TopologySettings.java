package io.vigil.app;

import io.vigil.evaluation.InputSources;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the topology needs to know besides the rules.
 *
 * @param inputTopics       input topics, each with the format of its records
 * @param alertsTopic       where alert events go
 * @param deadLetterTopic   where unreadable input goes
 * @param grace             how long an evaluation waits for late points
 * @param forget            series not seen this long are forgotten
 * @param idleTimeout       after this long without records (wall clock) an input partition stops holding evaluation back
 * @param limits            what ingest accepts
 * @param externalUrl       the base of generatorURL
 * @param partitionsByTopic input partitions per topic; their sum is how many sources each evaluator waits for (see
 *                          {@link #sourcesOfTask})
 * @param maxSeriesPerRule  how many series one rule may hold in the whole engine ({@code evaluation.max_series_per_rule})
 * @param partitionedBySeries whether every series stays on one partition of one input topic
 *                          ({@code topics.partitioned_by_series}): evaluation then runs in the task that reads it
 * @param metricsLookback   how far back before now an input partition with no committed offset is read from; empty
 *                          for the start of its retention ({@link MetricsLookback})
 */
public record TopologySettings(
        List<InputTopic> inputTopics,
        String alertsTopic,
        String deadLetterTopic,
        Duration grace,
        Duration forget,
        Duration idleTimeout,
        IngestLimits limits,
        String externalUrl,
        Map<String, Integer> partitionsByTopic,
        int maxSeriesPerRule,
        boolean partitionedBySeries,
        Optional<Duration> metricsLookback) {

    /** The default of {@code evaluation.max_series_per_rule}. */
    public static final int DEFAULT_MAX_SERIES_PER_RULE = 100_000;

    public TopologySettings {
        inputTopics = List.copyOf(inputTopics);
        partitionsByTopic = Map.copyOf(partitionsByTopic);
        if (maxSeriesPerRule <= 0) {
            throw new IllegalArgumentException("evaluation.max_series_per_rule must be above 0");
        }
    }

    /** With the default series limit per rule. */
    public TopologySettings(final List<InputTopic> inputTopics, final String alertsTopic, final String deadLetterTopic,
                            final Duration grace, final Duration forget, final Duration idleTimeout,
                            final IngestLimits limits, final String externalUrl,
                            final Map<String, Integer> partitionsByTopic) {
        this(inputTopics, alertsTopic, deadLetterTopic, grace, forget, idleTimeout, limits, externalUrl,
                partitionsByTopic, DEFAULT_MAX_SERIES_PER_RULE, false, Optional.empty());
    }

    /** These settings with another series limit per rule. */
    public TopologySettings withMaxSeriesPerRule(final int max) {
        return new TopologySettings(inputTopics, alertsTopic, deadLetterTopic, grace, forget, idleTimeout, limits,
                externalUrl, partitionsByTopic, max, partitionedBySeries, metricsLookback);
    }

    /** These settings with {@code topics.partitioned_by_series} set to {@code bySeries}. */
    public TopologySettings withPartitionedBySeries(final boolean bySeries) {
        return new TopologySettings(inputTopics, alertsTopic, deadLetterTopic, grace, forget, idleTimeout, limits,
                externalUrl, partitionsByTopic, maxSeriesPerRule, bySeries, metricsLookback);
    }

    /** The input topics' names. */
    public List<String> metricsTopics() {
        return inputTopics.stream().map(InputTopic::name).toList();
    }

    /** How many input partitions feed the stream. */
    public int sourceCount() {
        return metricsTopics().stream().mapToInt(t -> partitionsByTopic.getOrDefault(t, 1)).sum();
    }

    /**
     * How many input partitions an evaluator waits to hear from: every one, or, when it runs in the task that reads
     * its series ({@link #partitionedBySeries}), that task's partition of each input topic that has one.
     */
    public int sourcesOfTask(final int partition) {
        if (!partitionedBySeries) {
            return sourceCount();
        }
        return (int) metricsTopics().stream().filter(t -> partitionsByTopic.getOrDefault(t, 1) > partition).count();
    }

    /** The input partitions an evaluation task waits to hear from: {@link #sourcesOfTask}, of the input topics. */
    public InputSources inputSources() {
        final Set<String> topics = Set.copyOf(metricsTopics());
        return new InputSources(this::sourcesOfTask, source -> topics.contains(InputSources.topicOf(source))
                && withinCount(InputSources.partitionOf(source), partitionsByTopic.get(InputSources.topicOf(source))));
    }

    /** A topic of no known count has every partition, as ingest takes it (each task reads its own of each topic). */
    private static boolean withinCount(final int partition, final Integer count) {
        return count == null || partition < count;
    }

    /** How many series tasks there are: Kafka Streams gives the repartition topic as many partitions as the widest input. */
    public int seriesPartitions() {
        return metricsTopics().stream().mapToInt(t -> partitionsByTopic.getOrDefault(t, 1)).max().orElse(1);
    }

    /**
     * The settings {@code vigil run} uses for a configuration, given the input topics' partition counts and where a
     * partition with no committed offset is read from ({@link MetricsLookback#span}).
     */
    public static TopologySettings of(final VigilConfig config, final Map<String, Integer> partitions,
                                      final Optional<Duration> metricsLookback) {
        return new TopologySettings(config.inputTopics(), config.alertsTopic(), config.dlqTopic(), config.grace(),
                config.forget(), config.idleTimeout(), config.limits(), config.externalUrl(), partitions,
                config.maxSeriesPerRule(), config.partitionedBySeries(), metricsLookback);
    }
}
