package io.vigil.app;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's configuration, typed and validated at start-up (cli.md, "Configuration"). See {@link ConfigLoader}
 * for where each value comes from.
 *
 * @param kafka         passed unchanged to every Kafka client ({@code kafka.*}); may hold secrets: never print
 * @param inputTopics   input topics, each with the format and line protocol precision of its records
 * @param alertsTopic   alert events
 * @param dlqTopic      dead letters
 * @param rulesPath     a rule file or a directory of them
 * @param grace         how long an evaluation waits for late points
 * @param forget        series not seen for this long are forgotten
 * @param limits        what ingest accepts: record size, labels, how far a timestamp may be in the future or past
 * @param idleTimeout   an input partition silent this long (wall clock) stops holding evaluation back
 * @param httpPort      HTTP port; 0 picks a free one
 * @param httpBind      HTTP bind address
 * @param externalUrl   the base of links Vigil hands out (generatorURL)
 * @param peerUrl       where the other instances reach this one's API ({@code http.peer_url}); empty: at
 *                      {@code externalUrl}
 * @param receivers     delivery receivers, as written (their schema belongs to delivery)
 * @param httpToken     when present, the bearer token the HTTP API, page and metrics require; a secret: never print
 * @param readyzMaxRebalance how long a rebalance may last before {@code /readyz} reports this instance not ready
 * @param logFormat     how log lines are written to stderr
 * @param maxSeriesPerRule how many series one rule may hold in the whole engine (the cardinality guard)
 * @param partitionedBySeries whether the producers keep every series on one partition of one input topic, so that
 *                      evaluation runs in the task that reads it ({@code topics.partitioned_by_series})
 * @param metricsLookback how far back a new application starts reading its input ({@code topics.metrics_lookback})
 */
public record VigilConfig(
        Map<String, String> kafka,
        List<InputTopic> inputTopics,
        String alertsTopic,
        String dlqTopic,
        Path rulesPath,
        Duration grace,
        Duration forget,
        IngestLimits limits,
        Duration idleTimeout,
        int httpPort,
        String httpBind,
        String externalUrl,
        Optional<String> peerUrl,
        List<Object> receivers,
        Optional<String> httpToken,
        Duration readyzMaxRebalance,
        LogFormat logFormat,
        int maxSeriesPerRule,
        boolean partitionedBySeries,
        MetricsLookback metricsLookback) {

    public VigilConfig {
        kafka = Map.copyOf(kafka);
        inputTopics = List.copyOf(inputTopics);
        receivers = List.copyOf(receivers);
    }

    /** The input topics' names, in configured order. */
    public List<String> metricsTopics() {
        return inputTopics.stream().map(InputTopic::name).toList();
    }

    public Optional<String> bootstrapServers() {
        return Optional.ofNullable(kafka.get("bootstrap.servers")).filter(s -> !s.isBlank());
    }

    /** This configuration reading {@code topics} instead. */
    public VigilConfig withInputTopics(final List<InputTopic> topics) {
        return new VigilConfig(kafka, topics, alertsTopic, dlqTopic, rulesPath, grace, forget, limits, idleTimeout,
                httpPort, httpBind, externalUrl, peerUrl, receivers, httpToken, readyzMaxRebalance, logFormat,
                maxSeriesPerRule, partitionedBySeries, metricsLookback);
    }

    public VigilConfig withKafka(final Map<String, String> newKafka) {
        return new VigilConfig(newKafka, inputTopics, alertsTopic, dlqTopic, rulesPath, grace, forget, limits,
                idleTimeout, httpPort, httpBind, externalUrl, peerUrl, receivers, httpToken, readyzMaxRebalance,
                logFormat, maxSeriesPerRule, partitionedBySeries, metricsLookback);
    }

    /** This configuration with {@code topics.partitioned_by_series} set to {@code bySeries}. */
    public VigilConfig withPartitionedBySeries(final boolean bySeries) {
        return new VigilConfig(kafka, inputTopics, alertsTopic, dlqTopic, rulesPath, grace, forget, limits,
                idleTimeout, httpPort, httpBind, externalUrl, peerUrl, receivers, httpToken, readyzMaxRebalance,
                logFormat, maxSeriesPerRule, bySeries, metricsLookback);
    }

    /** This configuration serving HTTP on {@code port}, its links based on {@code url}. */
    public VigilConfig withHttpPort(final int port, final String url) {
        return new VigilConfig(kafka, inputTopics, alertsTopic, dlqTopic, rulesPath, grace, forget, limits,
                idleTimeout, port, httpBind, url, peerUrl, receivers, httpToken, readyzMaxRebalance, logFormat,
                maxSeriesPerRule, partitionedBySeries, metricsLookback);
    }

    /** Where the other instances reach this one's API: {@code http.peer_url}, else {@code http.external_url}. */
    public String peerAddress() {
        return peerUrl.orElse(externalUrl);
    }

    /** Without {@code kafka.*} values (they may hold SASL passwords) and without the HTTP token. */
    @Override
    public String toString() {
        return "VigilConfig[kafka keys=" + kafka.keySet() + ", inputTopics=" + inputTopics + ", alertsTopic="
                + alertsTopic + ", dlqTopic=" + dlqTopic + ", rulesPath=" + rulesPath + ", grace=" + grace + ", forget="
                + forget + ", limits=" + limits + ", idleTimeout=" + idleTimeout + ", httpPort=" + httpPort
                + ", httpBind=" + httpBind + ", externalUrl=" + externalUrl + ", peerUrl=" + peerUrl.orElse("as externalUrl")
                + ", receivers=" + receivers.size()
                + ", httpToken=" + (httpToken.isPresent() ? "****" : "none") + ", readyzMaxRebalance=" + readyzMaxRebalance
                + ", logFormat=" + logFormat + ", maxSeriesPerRule=" + maxSeriesPerRule
                + ", partitionedBySeries=" + partitionedBySeries + ", metricsLookback=" + metricsLookback.describe() + "]";
    }
}
