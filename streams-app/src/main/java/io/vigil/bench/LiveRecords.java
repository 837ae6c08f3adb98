package io.vigil.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The live load's records as the bytes {@link FleetMetrics#key} and {@link FleetMetrics#datapoint} give, put together
 * from parts made once per node, per metric and per second. The load generator shares the engine's JVM and cores (as
 * the broker does, which a deployment's engine does not); making each record from strings cost it 2.7 KB of
 * allocation and 0.7 us per datapoint, this 0.4 KB (its two arrays and its value's text) and 0.12 us. Not thread-safe:
 * one per generating thread.
 */
final class LiveRecords {

    private static final byte[] LABELS = ascii("{\"labels\":{\"__name__\":\"");
    private static final byte[] AFTER_NAME_LABEL = ascii("\",");
    private static final byte[] NAME = ascii("},\"name\":\"");
    private static final byte[] TIMESTAMP = ascii("\",\"timestamp\":\"");
    private static final byte[] VALUE = ascii("\",\"value\":\"");
    private static final byte[] END = ascii("\"}");

    private final FleetMetrics fleet;
    /** Each metric's name, by its place among a node's metrics. */
    private final byte[][] metricNames;
    /** Each node's labels as its series keys end: {@code {cluster="...",...}}. */
    private final byte[][] keyLabels;
    /** Each node's labels as the adapter's JSON has them after {@code __name__}: {@code "cluster":"...",...}. */
    private final byte[][] jsonLabels;
    private long timestampSecond = Long.MIN_VALUE;
    private byte[] timestamp;

    LiveRecords(final FleetMetrics fleet) {
        this.fleet = fleet;
        final int perNode = fleet.metricsPerNode();
        final int nodes = (fleet.series() + perNode - 1) / perNode;
        this.metricNames = new byte[perNode][];
        for (int m = 0; m < perNode; m++) {
            metricNames[m] = ascii(fleet.metric(m));
        }
        this.keyLabels = new byte[nodes][];
        this.jsonLabels = new byte[nodes][];
        for (int node = 0; node < nodes; node++) {
            final int first = node * perNode;
            keyLabels[node] = ascii(fleet.key(first).substring(fleet.metric(first).length()));
            jsonLabels[node] = ascii(FleetMetrics.labelsJson(node));
        }
    }

    /** {@link FleetMetrics#key} of series {@code s}, as UTF-8. */
    byte[] key(final int s) {
        final byte[] name = metricNames[s % metricNames.length];
        final byte[] labels = keyLabels[s / metricNames.length];
        final byte[] key = new byte[name.length + labels.length];
        put(labels, key, put(name, key, 0));
        return key;
    }

    /** {@link FleetMetrics#datapoint} of series {@code s} at {@code timestampMs}, not running hot, as UTF-8. */
    byte[] datapoint(final int s, final long timestampMs) {
        final byte[] name = metricNames[s % metricNames.length];
        final byte[] labels = jsonLabels[s / metricNames.length];
        final byte[] time = timestamp(timestampMs);
        final String value = fleet.value(s, timestampMs, false);
        final byte[] json = new byte[LABELS.length + 2 * name.length + AFTER_NAME_LABEL.length + labels.length
                + NAME.length + TIMESTAMP.length + time.length + VALUE.length + value.length() + END.length];
        int at = put(LABELS, json, 0);
        at = put(name, json, at);
        at = put(AFTER_NAME_LABEL, json, at);
        at = put(labels, json, at);
        at = put(NAME, json, at);
        at = put(name, json, at);
        at = put(TIMESTAMP, json, at);
        at = put(time, json, at);
        at = put(VALUE, json, at);
        for (int i = 0; i < value.length(); i++) {
            json[at++] = (byte) value.charAt(i); // ASCII: digits, a point, a sign, an exponent
        }
        put(END, json, at);
        return json;
    }

    /** The adapter's timestamp text of {@code timestampMs}, to the second: the same for a second's datapoints. */
    private byte[] timestamp(final long timestampMs) {
        final long second = Math.floorDiv(timestampMs, 1000);
        if (second != timestampSecond) {
            timestampSecond = second;
            timestamp = ascii(Instant.ofEpochSecond(second).toString());
        }
        return timestamp;
    }

    private static int put(final byte[] part, final byte[] into, final int at) {
        System.arraycopy(part, 0, into, at, part.length);
        return at + part.length;
    }

    private static byte[] ascii(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
