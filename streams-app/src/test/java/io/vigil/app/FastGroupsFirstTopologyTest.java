package io.vigil.app;

import static io.vigil.app.TopologyFixture.describe;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On live data, when groups of different {@code every} come due at the same instant, the fastest group's alerts
 * leave in a commit of their own and the slower groups run after it (the test driver commits after every record).
 */
class FastGroupsFirstTopologyTest {

    private static final String RULES = """
            groups:
              - name: probes
                every: 1s
                rules:
                  - alert: ProbeHigh
                    series: probe
                    aggregate: last
                    window: 1s
                    threshold: {above: 50}
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 1m
                    threshold: {above: 90}
            """;

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    /** Both above their thresholds for this instant, where both groups are due. */
    private static final long INSTANT = NOW.toEpochMilli() - 20_000;
    private static final long FIRST = NOW.toEpochMilli() - 40_000;
    /** The record after which the instant is due: the probe's point stamped with it + the grace (15 s). */
    private static final int DUE_AT = (int) (2 * (INSTANT + 15_000 - FIRST) / 1000);

    @TempDir
    Path stateDir;

    @Test
    void theFastGroupsAlertIsWrittenBeforeTheSlowGroupRuns() {
        final List<List<String>> seen = run(NOW);
        // The probe's point stamped with the instant + grace makes it due: the probe's alert goes out with it...
        assertThat(seen.get(DUE_AT)).containsExactly("FIRING ProbeHigh p1 @2026-11-23T11:59:40Z");
        // ... and the node's with the next record, after the commit that carried the probe's.
        assertThat(seen.get(DUE_AT + 1)).containsExactly("FIRING CpuHigh n1 @2026-11-23T11:59:40Z");
    }

    @Test
    void dataFromThePastRunsEveryGroupOfAnInstantAtOnce() {
        // A backlog is not live: nobody waits for its alerts, and committing between groups would only cost.
        final List<List<String>> seen = run(NOW.plusSeconds(3600));
        assertThat(seen.get(DUE_AT)).containsExactly("FIRING CpuHigh n1 @2026-11-23T11:59:40Z",
                "FIRING ProbeHigh p1 @2026-11-23T11:59:40Z");
        assertThat(seen.get(DUE_AT + 1)).isEmpty();
    }

    /**
     * A probe's point and then a node's every second from 40 s before {@link #NOW} to it, with the driver's wall clock
     * at {@code wallClock}; the events after each record.
     */
    private List<List<String>> run(final Instant wallClock) {
        final List<List<String>> seen = new ArrayList<>();
        try (TopologyFixture f = new TopologyFixture(RULES, stateDir, wallClock)) {
            for (long ts = FIRST; ts <= NOW.toEpochMilli(); ts += 1000) {
                final boolean high = ts == INSTANT;
                f.send(TopologyFixture.point("probe", Map.of("instance", "p1"), high ? 60 : 0, ts));
                seen.add(describe(f.events()));
                f.send(TopologyFixture.point("cpu", Map.of("instance", "n1"), high ? 95 : 0, ts));
                seen.add(describe(f.events()));
            }
        }
        return seen;
    }

    @Test
    void peersHeldBackAreJudgedAsWhenEveryGroupRunsAtOnce() {
        // An outlier rule in the slower group: the peer stage must wait for its values, not judge the instant
        // without them when the fast group's progress arrives first.
        final String rules = RULES + """
                  - alert: NodeCpuFarBelowPeers
                    series: cpu{cluster=~".+"}
                    aggregate: avg
                    window: 30s
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
            """;
        final List<String> live = peers(rules, NOW);
        final List<String> backlog = peers(rules, NOW.plusSeconds(3600));
        assertThat(live).contains("FIRING NodeCpuFarBelowPeers node-7 @2026-11-23T11:59:00Z");
        assertThat(live).containsExactlyInAnyOrderElementsOf(backlog);
    }

    /** Eight nodes of one cluster and a probe, every second for a minute; node-7 far below the others. */
    private List<String> peers(final String rules, final Instant wallClock) {
        final List<String> seen = new ArrayList<>();
        try (TopologyFixture f = new TopologyFixture(rules, stateDir, wallClock)) {
            for (long ts = NOW.toEpochMilli() - 60_000; ts <= NOW.toEpochMilli(); ts += 1000) {
                f.send(TopologyFixture.point("probe", Map.of("instance", "p1"), 0, ts));
                for (int n = 0; n < 8; n++) {
                    f.send(TopologyFixture.point("cpu", Map.of("instance", "node-" + n, "cluster", "a"),
                            n == 7 ? 5 : 48 + 2 * (n % 3), ts));
                }
                seen.addAll(describe(f.events()));
            }
        }
        return seen;
    }
}
