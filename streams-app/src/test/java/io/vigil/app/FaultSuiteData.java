package io.vigil.app;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The input and rules of the fault-injection suite ({@link FaultInjectionIT}): a fleet of 12 nodes and a database,
 * at 10 s steps, in cycles of two hours, with incidents that fire every rule kind (threshold, deviation, outlier,
 * absent), a counter reset that must not page, and a few unreadable records.
 *
 * <p>Every step's records are written in timestamp order, so spread round-robin over partitions each partition is in
 * timestamp order too: no point is late anywhere, and every partition ends at the same event time. The events a run
 * writes then depend on the records alone, which is what lets the suite demand exact equality with a replay.
 *
 * <p>The rules are the suite's own rather than {@code rules/}, so that the "equivalent" and "changed" versions the
 * reload scenario writes stay exactly that when the repository's rules are edited.
 */
final class FaultSuiteData {

    static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    static final long STEP_MS = 10_000;
    /** Two hours at 10 s. */
    static final int STEPS_PER_CYCLE = 720;
    static final int NODES = 12;

    /** Minutes into each cycle where {@code NodeCpuSaturated} is inactive under both its versions (see the incidents). */
    static final int QUIET_FROM_MINUTE = 27;
    static final int QUIET_UNTIL_MINUTE = 39;

    /** Node rules, as first written. */
    static final String NODE_RULES = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: NodeCpuSaturated
                    series: cpu_usage_percent{cluster="backend"}
                    aggregate: avg
                    window: 1m
                    threshold: {above: 90, recover: 80}
                    for: 1m
                    keep_firing_for: 30s
                    labels: {severity: page, team: sre}
                    annotations:
                      summary: "{{ $labels.instance }} CPU at {{ $value }}%"
                  - alert: NodeTrafficCollapsed
                    series: net_transmit_bytes_total{cluster="backend"}
                    aggregate: rate
                    window: 2m
                    threshold: {below: 10000}
                    for: 2m
                    labels: {severity: page}
                  - alert: NodeCpuFarBelowPeers
                    series: cpu_usage_percent{cluster="backend"}
                    aggregate: avg
                    window: 2m
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                    for: 1m
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} at {{ $value }}%, peers at {{ $median }}%"
                  - alert: NodeTrafficFarBelowPeers
                    series: net_transmit_bytes_total{cluster="backend"}
                    aggregate: rate
                    window: 2m
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                    for: 1m
                    labels: {severity: page}
                  - alert: NodeSilent
                    series: cpu_usage_percent{cluster="backend"}
                    absent: {after: 3m}
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} silent for {{ $value }}s"
            """;

    /**
     * The same rules, written differently: rules and label keys in another order, block instead of flow style,
     * other quoting, comments. A reload to this version must change nothing at all.
     */
    static final String NODE_RULES_REWRITTEN = """
            # Rewritten by a config tool: same rules, other order and style.
            groups:
              - name: nodes
                every: 10s
                rules:
                  # Silence first now.
                  - alert: NodeSilent
                    series: 'cpu_usage_percent{cluster="backend"}'
                    absent:
                      after: 3m
                    labels:
                      severity: page
                    annotations:
                      summary: '{{ $labels.instance }} silent for {{ $value }}s'
                  - alert: NodeTrafficFarBelowPeers
                    series: net_transmit_bytes_total{cluster="backend"}
                    window: 2m
                    aggregate: rate
                    for: 1m
                    outlier:
                      min_peers: 5
                      min_change: 0.5
                      z: 4
                      direction: low
                      peers: [cluster]
                    labels: {severity: page}
                  - alert: NodeCpuSaturated   # unchanged
                    series: cpu_usage_percent{cluster="backend"}
                    aggregate: avg
                    window: 1m
                    for: 1m
                    keep_firing_for: 30s
                    threshold:
                      recover: 80
                      above: 90
                    labels: {team: sre, severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} CPU at {{ $value }}%"
                  - alert: NodeCpuFarBelowPeers
                    series: cpu_usage_percent{cluster="backend"}
                    aggregate: avg
                    window: 2m
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                    for: 1m
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} at {{ $value }}%, peers at {{ $median }}%"
                  - alert: NodeTrafficCollapsed
                    series: net_transmit_bytes_total{cluster="backend"}
                    aggregate: rate
                    window: 2m
                    threshold: {below: 10000}
                    for: 2m
                    labels: {severity: page}
            """;

    /** The rewritten rules with one rule changed: {@code NodeCpuSaturated} pages from 85 % instead of 90 %. */
    static final String NODE_RULES_CHANGED = NODE_RULES_REWRITTEN.replace("above: 90", "above: 85");

    static final String DATABASE_RULES = """
            groups:
              - name: database
                every: 10s
                rules:
                  - alert: DatabaseConnectionsSurge
                    series: db_connections{role="primary"}
                    aggregate: max
                    window: 1m
                    threshold: {above: 400, recover: 300}
                    for: 30s
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} holds {{ $value }} connections"
                  - alert: DatabaseSilent
                    series: db_connections{role="primary"}
                    absent: {after: 2m}
                    labels: {severity: page}
              - name: database-baseline
                every: 1m
                rules:
                  - alert: DatabaseConnectionsAnomalous
                    series: db_connections{role="primary"}
                    aggregate: avg
                    window: 2m
                    deviation: {baseline: 1h, direction: up, z: 6, min_change: 0.5}
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $value }} connections; usually {{ $median }}"
            """;

    private FaultSuiteData() {
    }

    /** The event time of a step. */
    static long time(final int step) {
        return T0 + step * STEP_MS;
    }

    /**
     * The records, one JSON datapoint (or one unreadable record) a line, in timestamp order. Incidents, in minutes into
     * each two-hour cycle:
     * <ul>
     *   <li>2-4.5 of every 10 (not in 22-40): node-03 at 96 % CPU ({@code NodeCpuSaturated}, often);</li>
     *   <li>15-16.5 of every 30: the database's connections burst to 450 ({@code DatabaseConnectionsSurge});</li>
     *   <li>20-24: node-11 at 95 % CPU ({@code NodeCpuSaturated} under both versions);</li>
     *   <li>33: node-02's traffic counter resets (a restart; nothing must page);</li>
     *   <li>40-46: node-06 at 87-89 % CPU (only the changed {@code NodeCpuSaturated}, above 85, pages);</li>
     *   <li>50-54: node-07 sends nothing ({@code NodeSilent});</li>
     *   <li>60-80: node-04's CPU far below its peers' ({@code NodeCpuFarBelowPeers});</li>
     *   <li>70-76: the database's connections surge ({@code DatabaseConnectionsSurge},
     *       {@code DatabaseConnectionsAnomalous});</li>
     *   <li>90-110: node-09's traffic collapses ({@code NodeTrafficCollapsed}, {@code NodeTrafficFarBelowPeers});</li>
     *   <li>100-106: the database sends nothing ({@code DatabaseSilent}).</li>
     * </ul>
     *
     * @param steps how many 10 s steps; the suite's default is one cycle
     */
    static List<String> records(final int steps) {
        final Random random = new Random(17);
        final List<String> lines = new ArrayList<>();
        final long[] counters = new long[NODES];
        for (int step = 0; step < steps; step++) {
            final long ts = time(step);
            final double minute = (step % STEPS_PER_CYCLE) / 6.0;
            for (int n = 0; n < NODES; n++) {
                final Map<String, String> labels = Map.of("instance", String.format("node-%02d", n), "cluster", "backend");
                double cpu = 40 + 10 * random.nextDouble();
                long rate = 2_000_000 + random.nextInt(200_000);
                if (n == 3 && spike(minute)) {
                    cpu = 96 + random.nextDouble();
                } else if (n == 11 && minute >= 20 && minute < 24) {
                    cpu = 95 + random.nextDouble();
                } else if (n == 6 && minute >= 40 && minute < 46) {
                    cpu = 87 + 2 * random.nextDouble();
                } else if (n == 4 && minute >= 60 && minute < 80) {
                    cpu = 5 + random.nextDouble();
                }
                if (n == 9 && minute >= 90 && minute < 110) {
                    rate = random.nextInt(100);
                }
                if (n == 2 && step % STEPS_PER_CYCLE == 200) {
                    counters[n] = 0;
                }
                counters[n] += rate * 10;
                if (n == 7 && minute >= 50 && minute < 54) {
                    continue;
                }
                lines.add(TopologyFixture.point("cpu_usage_percent", labels, Math.round(cpu * 100) / 100.0, ts));
                lines.add(TopologyFixture.point("net_transmit_bytes_total", labels, counters[n], ts));
            }
            if (!(minute >= 100 && minute < 106)) {
                final boolean surge = minute >= 70 && minute < 76;
                final boolean burst = minute % 30 >= 15 && minute % 30 < 16.5;
                lines.add(TopologyFixture.point("db_connections", Map.of("instance", "db-1", "role", "primary"),
                        (surge ? 480 : burst ? 450 : 110) + random.nextInt(20), ts));
            }
            if (step % 150 == 7) {
                lines.add("{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-01\"},\"value\":\"n/a\","
                        + "\"timestamp\":" + ts + "}");
            }
        }
        return lines;
    }

    /** node-03's short CPU spikes: 2.5 minutes from minute 2 of every 10, outside the quiet stretch. */
    private static boolean spike(final double minute) {
        final boolean quiet = minute >= QUIET_FROM_MINUTE - 5 && minute < QUIET_UNTIL_MINUTE + 1;
        return !quiet && minute % 10 >= 2 && minute % 10 < 4.5;
    }

    /** How many of {@code lines} come before the first record at or after {@code timestampMs}. */
    static int countBefore(final List<String> lines, final long timestampMs) {
        final String needle = "\"timestamp\":";
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i);
            final int at = line.lastIndexOf(needle);
            if (at >= 0 && Long.parseLong(line.substring(at + needle.length(), line.length() - 1)) >= timestampMs) {
                return i;
            }
        }
        return lines.size();
    }
}
