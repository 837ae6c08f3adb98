package io.vigil.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rule set the bench runs: what a fleet team would write for {@link FleetMetrics} (thresholds, an outlier rule
 * judging each node against its cluster, a deviation rule against each series' own hour, absence), plus, for the
 * latency measurement only, a probe rule evaluated every second.
 */
public final class BenchRules {

    /** The probe series' name and the probe rule's alert name. */
    public static final String PROBE_SERIES = "vigil_bench_probe";
    public static final String PROBE_ALERT = "BenchProbe";

    static final String FLEET = """
            groups:
              - name: fleet
                every: 10s
                rules:
                  - alert: NodeCpuSaturated
                    series: cpu_usage_percent
                    aggregate: avg
                    window: 1m
                    threshold: {above: 90, recover: 80}
                    for: 1m
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} CPU at {{ $value }}% for over a minute"
                  - alert: NodeMemoryAlmostFull
                    series: memory_used_percent
                    aggregate: max
                    window: 2m
                    threshold: {above: 95}
                    for: 2m
                    labels: {severity: ticket}
                  - alert: NodeDiskAlmostFull
                    series: disk_used_percent
                    aggregate: last
                    window: 1m
                    threshold: {above: 90}
                    for: 5m
                    labels: {severity: ticket}
                  - alert: NodeTrafficCollapsed
                    series: net_transmit_bytes_total
                    aggregate: rate
                    window: 2m
                    threshold: {below: 1000}
                    for: 2m
                    labels: {severity: page}
                  - alert: NodeCpuFarBelowPeers
                    series: cpu_usage_percent
                    aggregate: avg
                    window: 2m
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                    for: 2m
                    labels: {severity: page}
                  - alert: NodeSilent
                    series: cpu_usage_percent
                    absent: {after: 3m}
                    labels: {severity: page}
              - name: fleet-baseline
                every: 1m
                rules:
                  - alert: RequestRateAnomalous
                    series: http_requests_total
                    aggregate: rate
                    window: 2m
                    deviation: {baseline: 1h, z: 6, min_change: 0.5}
                    labels: {severity: ticket}
            """;

    /**
     * Every second, so that an alert's delay can be measured at each second: a probe point above 50 at an evaluation
     * instant T fires at evaluation T, no sooner than when every input partition has reached T + grace.
     */
    static final String PROBE = """
            groups:
              - name: bench-probe
                every: 1s
                rules:
                  - alert: %s
                    series: %s
                    aggregate: last
                    window: 1s
                    threshold: {above: 50}
            """.formatted(PROBE_ALERT, PROBE_SERIES);

    private BenchRules() {
    }

    /** Writes the fleet rules into {@code dir}; returns the file. */
    public static Path writeFleet(final Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("fleet.yaml"), FLEET);
    }

    /** Writes the fleet rules and the probe rule into {@code dir}; returns the directory. */
    public static Path writeFleetAndProbe(final Path dir) throws IOException {
        writeFleet(dir);
        Files.writeString(dir.resolve("probe.yaml"), PROBE);
        return dir;
    }
}
