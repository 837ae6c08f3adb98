package io.vigil.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Recorded datapoints of a fleet like the one rules/ is written for, with one incident of each kind the rules
 * detect: a node whose CPU drops far below its peers, a node whose traffic collapses (and a node restart whose counter
 * reset must not page), a database surge, and a database that falls silent for a while.
 */
final class FleetRecords {

    static final long T0 = java.time.Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final long STEP = 10_000;

    private FleetRecords() {
    }

    /**
     * {@link #generate()} after the database's last 12 hours, so that rules/' DatabaseConnectionsAnomalous, which
     * judges once it has half a day of history, judges its surge.
     */
    static List<String> withDatabaseHistory() {
        final Random random = new Random(12);
        final List<String> lines = new ArrayList<>();
        final Map<String, String> db = Map.of("instance", "db-1", "cluster", "db", "role", "primary");
        final int steps = 12 * 360;
        for (int step = 0; step < steps; step++) {
            final long ts = T0 - (steps - step) * STEP;
            lines.add(TopologyFixture.point("db_connections", db, 110 + random.nextInt(20), ts));
            lines.add(TopologyFixture.point("cpu_usage_percent", db, 30 + random.nextInt(5), ts));
        }
        lines.addAll(generate());
        return lines;
    }

    /** About 2 hours at 10 s: 12 nodes x (CPU, traffic counter) + the database's two series. */
    static List<String> generate() {
        final Random random = new Random(11);
        final List<String> lines = new ArrayList<>();
        final long[] counters = new long[12];
        for (int step = 0; step < 720; step++) {
            final long ts = T0 + step * STEP;
            final double minute = step / 6.0;
            for (int n = 0; n < counters.length; n++) {
                final Map<String, String> labels = Map.of("instance", String.format("node-%02d", n), "cluster", "backend");
                double cpu = 40 + 10 * random.nextDouble();
                long rate = 2_000_000 + random.nextInt(200_000);
                if (n == 4 && minute >= 60 && minute < 80) {
                    cpu = 5 + random.nextDouble();
                }
                if (n == 9 && minute >= 90) {
                    rate = random.nextInt(100);
                }
                if (n == 2 && step == 200) {
                    counters[n] = 0;
                }
                counters[n] += rate * 10;
                lines.add(TopologyFixture.point("cpu_usage_percent", labels, Math.round(cpu * 100) / 100.0, ts));
                lines.add(TopologyFixture.point("net_transmit_bytes_total", labels, counters[n], ts));
            }
            final boolean silent = minute >= 100 && minute < 106;
            if (!silent) {
                final boolean surge = minute >= 70 && minute < 76;
                final Map<String, String> db = Map.of("instance", "db-1", "cluster", "db", "role", "primary");
                lines.add(TopologyFixture.point("db_connections", db, (surge ? 480 : 110) + random.nextInt(20), ts));
                lines.add(TopologyFixture.point("cpu_usage_percent", db, (surge ? 93 : 30) + random.nextInt(5), ts));
            }
            if (step % 150 == 7) {
                lines.add("{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-01\"},\"value\":\"n/a\",\"timestamp\":" + ts + "}");
            }
        }
        return lines;
    }
}
