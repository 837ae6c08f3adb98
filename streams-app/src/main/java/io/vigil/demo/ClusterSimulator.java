package io.vigil.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A small production cluster, deterministic: 14 backend nodes (CPU, a traffic counter) and a database (connections,
 * CPU), one point per series every 10 s, through a normal period with a daily-like load swing, noise, GC spikes, an
 * hourly job that saturates every node for two minutes at peak load, and a planned restart, then the incidents of
 * {@link #INCIDENTS}. Native JSON datapoints, one per record.
 */
public final class ClusterSimulator {

    public static final Duration STEP = Duration.ofSeconds(10);
    public static final Duration LENGTH = Duration.ofMinutes(95);
    public static final int NODES = 14;
    /**
     * How much of the database's past is sent before the scenario: its baseline rule (rules/database-baseline.yaml,
     * a day of history) judges once it has half of it.
     */
    public static final Duration HISTORY = Duration.ofHours(12);

    /** The scenario; the planned restart of node-03 at 35 min is not an incident and must not page. */
    public static final List<Incident> INCIDENTS = List.of(
            new Incident("node-07 silently leaves the load balancer", Duration.ofMinutes(60), "node-07"),
            new Incident("node-11's CPU drops far below its peers'", Duration.ofMinutes(70), "node-11"),
            new Incident("db-1's CPU and connections surge", Duration.ofMinutes(80), "db-1"),
            new Incident("db-1 goes silent", Duration.ofMinutes(86), "db-1"));

    private static final String CPU = "cpu_usage_percent";
    private static final String TRAFFIC = "net_transmit_bytes_total";
    private static final String CONNECTIONS = "db_connections";
    private static final String DB = "{\"instance\":\"db-1\",\"cluster\":\"db\",\"role\":\"primary\"}";
    /** The metrics the cluster sends. */
    public static final List<String> METRICS = List.of(CPU, TRAFFIC, CONNECTIONS);

    private static final Duration RESTART = Duration.ofMinutes(35);
    private static final Duration RESTART_GAP = Duration.ofSeconds(40);
    /** An hourly cron job's two minutes, at the load's peak: every node's CPU near 100 %, which must not page. */
    private static final double CRON_FROM_MINUTE = 12;
    private static final double CRON_MINUTES = 2;

    private final long startMs;
    private final Random random = new Random(20220621);
    private final long[] counters = new long[NODES];

    /** @param startMs the scenario's start in event time (epoch ms, a multiple of 10 s) */
    public ClusterSimulator(final long startMs) {
        this.startMs = startMs;
        for (int n = 0; n < NODES; n++) {
            counters[n] = 1_000_000_000L + 37_000_000L * n;
        }
    }

    public int steps() {
        return (int) (LENGTH.toMillis() / STEP.toMillis());
    }

    public long startMs() {
        return startMs;
    }

    /**
     * The database's datapoints of the {@link #HISTORY} before the scenario, in time order: an ordinary half day, the
     * same load swing and noise (from a random sequence of its own, so that the scenario is the same with or
     * without it).
     */
    public List<String> history() {
        final Random past = new Random(20220620);
        final int steps = (int) (HISTORY.toMillis() / STEP.toMillis());
        final List<String> out = new ArrayList<>(2 * steps);
        for (int i = -steps; i < 0; i++) {
            final long offset = i * STEP.toMillis();
            database(out, past, load(offset / 60_000.0), false, startMs + offset);
        }
        return out;
    }

    /** The database's connections and CPU at {@code ts}: following the load, or surging. */
    private static void database(final List<String> out, final Random random, final double load, final boolean surge,
                                 final long ts) {
        final double connections = surge ? 480 + 40 * random.nextDouble() : 120 * load + 8 * random.nextGaussian();
        out.add(point(CONNECTIONS, DB, connections, ts));
        out.add(point(CPU, DB, surge ? 94 + 3 * random.nextDouble() : 30 * load + 3 * random.nextGaussian(), ts));
    }

    /** A daily-like swing squeezed into the scenario: load between 0.75 and 1.25 of its mean. */
    private static double load(final double minute) {
        return 1 + 0.25 * Math.sin(2 * Math.PI * minute / 50);
    }

    /** The datapoints of step {@code i} (0-based), as JSON records. */
    public List<String> step(final int i) {
        final long offset = i * STEP.toMillis();
        final long ts = startMs + offset;
        final double minute = offset / 60_000.0;
        final double load = load(minute);
        final List<String> out = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            final String instance = String.format(Locale.ROOT, "node-%02d", n + 1);
            final boolean restarting = n == 2 && offset >= RESTART.toMillis() && offset < RESTART.plus(RESTART_GAP).toMillis();
            if (n == 2 && offset == RESTART.plus(RESTART_GAP).toMillis()) {
                counters[n] = 0;
            }
            final boolean leftLoadBalancer = n == 6 && minute >= 60;
            final boolean stuck = n == 10 && minute >= 70;
            double cpu = 45 * load + 6 * random.nextGaussian();
            if (random.nextInt(40) == 0) {
                cpu += 20; // a GC pause
            }
            if (minute >= CRON_FROM_MINUTE && minute < CRON_FROM_MINUTE + CRON_MINUTES) {
                cpu += 40;
            }
            long rate = (long) (2_000_000 * load * (0.9 + 0.2 * random.nextDouble()));
            if (leftLoadBalancer) {
                cpu = 4 + random.nextDouble();
                rate = 2_000 + random.nextInt(2_000); // health checks and cache traffic only
            } else if (stuck) {
                cpu = 8 + random.nextDouble();
            }
            counters[n] += rate * STEP.toSeconds();
            if (restarting) {
                continue;
            }
            final String labels = "{\"instance\":\"" + instance + "\",\"cluster\":\"backend\",\"role\":\""
                    + (n % 2 == 0 ? "web" : "api") + "\"}";
            out.add(point(CPU, labels, Math.min(100, Math.max(0.5, cpu)), ts));
            out.add(point(TRAFFIC, labels, counters[n], ts));
        }
        if (minute < 86) {
            database(out, random, load, minute >= 80, ts);
        }
        return out;
    }

    private static String point(final String name, final String labels, final double value, final long ts) {
        return "{\"name\":\"" + name + "\",\"labels\":" + labels + ",\"value\":"
                + String.format(Locale.ROOT, "%.3f", value) + ",\"timestamp\":" + ts + "}";
    }
}
