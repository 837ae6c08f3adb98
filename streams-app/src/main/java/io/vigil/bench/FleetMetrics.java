package io.vigil.bench;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.time.Instant;

/**
 * A fleet's metrics as the bench plays them: {@code series} series, node by node, five metrics per node (two CPU and
 * memory gauges, a disk gauge, two traffic counters) and, if asked, gauges no rule names after them, nodes in
 * clusters of {@link #NODES_PER_CLUSTER}. Each datapoint
 * is native JSON as prometheus-kafka-adapter writes it, about 210 bytes. Deterministic: the same series, time and
 * step always give the same record, so runs on different commits read the same data.
 *
 * <p>A few nodes (one in 500) run hot in the middle of a recorded period, so the rules have something to fire on.
 */
public final class FleetMetrics {

    public static final String[] METRICS = {
        "cpu_usage_percent", "memory_used_percent", "disk_used_percent", "net_transmit_bytes_total", "http_requests_total"};
    public static final int NODES_PER_CLUSTER = 40;
    /** One point per series per scrape, as Prometheus scrapes. */
    public static final long SCRAPE_MS = 10_000;

    private final int series;
    /** Metrics per node that no rule names, after {@link #METRICS}: an exporter sends more than the rules use. */
    private final int unselectedPerNode;

    public FleetMetrics(final int series) {
        this(series, 0);
    }

    /** @param unselectedPerNode metrics per node besides {@link #METRICS}, named {@code node_unselected_metric_K} */
    public FleetMetrics(final int series, final int unselectedPerNode) {
        if (series < 1) {
            throw new IllegalArgumentException("a fleet needs at least one series, not " + series);
        }
        if (unselectedPerNode < 0) {
            throw new IllegalArgumentException("unselected metrics per node: at least 0, not " + unselectedPerNode);
        }
        this.series = series;
        this.unselectedPerNode = unselectedPerNode;
    }

    int metricsPerNode() {
        return METRICS.length + unselectedPerNode;
    }

    String metric(final int s) {
        final int m = s % metricsPerNode();
        return m < METRICS.length ? METRICS[m] : "node_unselected_metric_" + (m - METRICS.length);
    }

    public int series() {
        return series;
    }

    /**
     * The record key: the series as Prometheus writes it, {@code name{label="value",...}} with the labels sorted, so
     * that one series' points stay in order on one partition, the one Kafka's partitioner gives that key: where Vigil
     * evaluates the series, so no point of it crosses the series repartition.
     */
    public String key(final int s) {
        return new Series(metric(s), Labels.of(labels(s / metricsPerNode()))).key();
    }

    /** A node's labels but {@code __name__}, names and values, sorted by name. */
    private static String[] labels(final int node) {
        return new String[] {"cluster", "cluster-" + node / NODES_PER_CLUSTER, "instance", instance(node),
            "region", "eu-west-" + (node % 3 + 1), "role", node % 3 == 0 ? "api" : "web"};
    }

    /** Node {@code node}'s labels but {@code __name__} as the members of a JSON object: {@code "n1":"v1",...}. */
    static String labelsJson(final int node) {
        return jsonMembers(labels(node));
    }

    /** {@link #labels} as the members of a JSON object: {@code "n1":"v1",...}. */
    private static String jsonMembers(final String[] namesAndValues) {
        final StringBuilder sb = new StringBuilder(96);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            sb.append(i > 0 ? "," : "").append('"').append(namesAndValues[i]).append("\":\"")
                    .append(namesAndValues[i + 1]).append('"');
        }
        return sb.toString();
    }

    /**
     * @param s           the series, 0 to {@link #series()} - 1
     * @param timestampMs the datapoint's timestamp (epoch ms)
     * @param hot         whether this series' node is in its incident (CPU pinned)
     */
    public String datapoint(final int s, final long timestampMs, final boolean hot) {
        return adapterJson(metric(s), labelsJson(s / metricsPerNode()), timestampMs, value(s, timestampMs, hot));
    }

    /** The value of {@link #datapoint}, as the adapter prints it. */
    String value(final int s, final long timestampMs, final boolean hot) {
        final int node = s / metricsPerNode();
        final String metric = metric(s);
        final double t = timestampMs / 1000.0;
        final double noise = noise(s, timestampMs);
        final String value;
        switch (metric) {
            case "cpu_usage_percent" -> value = gauge(hot ? 96 + 3 * noise
                    : 40 + 15 * Math.sin(t / 3600 + node % 7) + 8 * (noise - 0.5));
            case "memory_used_percent" -> value = gauge(55 + (node % 30) + 2 * noise);
            case "disk_used_percent" -> value = gauge(30 + (node % 50) + t / 86_400 % 1);
            // Counters only grow: a steady rate, slightly swinging, from a per-node start.
            case "net_transmit_bytes_total" -> value = Long.toString(
                    1_000_000_000L * (node % 9 + 1) + (long) (2_000_000 * (t + 300 * Math.sin(t / 3000))));
            case "http_requests_total" ->
                value = Long.toString(50_000L * (node % 13) + (long) (400 * (t + 300 * Math.sin(t / 3000 + node))));
            default -> value = gauge(10 + (s % 80) + 5 * noise);
        }
        return value;
    }

    /**
     * A sample exactly as prometheus-kafka-adapter writes it: Go's {@code json.Marshal} of a map, so the fields and
     * labels sorted by name, the labels repeating {@code __name__}, the timestamp RFC 3339 to the second
     * ({@code time.RFC3339}) and the value a string ({@code strconv.FormatFloat(v, 'f', -1, 64)}).
     *
     * @param otherLabels the labels but {@code __name__}, sorted by name, as JSON members ({@code "a":"1","b":"2"})
     * @param value       the value as the adapter prints it
     */
    public static String adapterJson(final String name, final String otherLabels, final long timestampMs,
                                     final String value) {
        return new StringBuilder(220).append("{\"labels\":{\"__name__\":\"").append(name).append("\",").append(otherLabels)
                .append("},\"name\":\"").append(name)
                .append("\",\"timestamp\":\"").append(Instant.ofEpochSecond(Math.floorDiv(timestampMs, 1000)))
                .append("\",\"value\":\"").append(value).append("\"}").toString();
    }

    /** What {@link #record} hands on: a datapoint's series index, record key and JSON. */
    @FunctionalInterface
    public interface Sink {
        void accept(int series, String key, String json) throws java.io.IOException;
    }

    /**
     * A recorded period: scrape after scrape, every series once per scrape, until {@code datapoints} are given; the
     * last scrape is at {@code endMs} minus one scrape interval.
     */
    public void record(final long datapoints, final long endMs, final Sink sink) throws java.io.IOException {
        final long steps = (datapoints + series - 1) / series;
        final long startMs = endMs - steps * SCRAPE_MS;
        long given = 0;
        for (long step = 0; step < steps; step++) {
            for (int s = 0; s < series && given < datapoints; s++, given++) {
                final boolean hot = hotNode(s / metricsPerNode(), step, steps);
                sink.accept(s, key(s), datapoint(s, startMs + step * SCRAPE_MS, hot));
            }
        }
    }

    /**
     * Where recordings end: an hour ago, on a whole scrape. Old enough that the engine takes them as history, not as a
     * live fleet that has just gone silent (which would page for every series once the recording ends).
     */
    public static long historyEndMs() {
        return Math.floorDiv(System.currentTimeMillis() - 3_600_000L, SCRAPE_MS) * SCRAPE_MS;
    }

    /** Whether node {@code node} is one of the few that run hot, during the middle of a recording. */
    static boolean hotNode(final int node, final long step, final long steps) {
        return node % 500 == 7 && step >= steps / 2 && step < steps * 3 / 4;
    }

    private static String instance(final int node) {
        final String n = Integer.toString(node);
        return "node-" + "00000".substring(Math.min(5, n.length())) + n;
    }

    /** Two decimals, as exporters print percentages, in Go's shortest form ({@code 48}, not {@code 48.0}). */
    private static String gauge(final double v) {
        final String text = Double.toString(Math.round(Math.max(0, v) * 100) / 100.0);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    /** A uniform [0, 1) from the series and time, without a shared Random (the producers run in parallel). */
    private static double noise(final int s, final long timestampMs) {
        long z = s * 0x9E3779B97F4A7C15L + timestampMs;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }
}
