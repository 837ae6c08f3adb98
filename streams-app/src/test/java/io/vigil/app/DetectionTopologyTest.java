package io.vigil.app;

import static io.vigil.app.TopologyFixture.describe;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Deviation, outlier and absent rules through the whole topology, in Kafka Streams' test driver. */
class DetectionTopologyTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final long STEP = 10_000;
    /** The test driver's wall clock: a day after the data, so no datapoint is "in the future". */
    private static final Instant WALL = Instant.ofEpochMilli(T0).plus(Duration.ofDays(1));

    @TempDir
    Path stateDir;

    private static final String OUTLIER_RULES = """
            groups:
              - name: peers
                every: 10s
                rules:
                  - alert: NodeCpuFarBelowPeers
                    series: cpu{cluster=~".+"}
                    aggregate: avg
                    window: 1m
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                    for: 1m
                    annotations:
                      summary: "{{ $labels.instance }} at {{ $value }}, peers' median {{ $median }} (z {{ $z }})"
                  - alert: NodeTrafficFarBelowPeers
                    series: tx_bytes_total{cluster=~".+"}
                    aggregate: rate
                    window: 2m
                    outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                    for: 1m
            """;

    private static Map<String, String> node(final int i, final String cluster) {
        return Map.of("instance", String.format("node-%02d", i), "cluster", cluster);
    }

    @Test
    void theOneLowNodeAmongFiftyPeersPagesAndNobodyElse() {
        try (TopologyFixture f = new TopologyFixture(OUTLIER_RULES, stateDir, WALL)) {
            final Random random = new Random(1);
            for (int step = 0; step <= 60; step++) {
                for (int i = 0; i < 50; i++) {
                    final double cpu = i == 13 && step >= 20 ? 6 + random.nextDouble() : 45 + 10 * random.nextDouble();
                    f.send(TopologyFixture.point("cpu", node(i, "backend"), cpu, T0 + step * STEP));
                }
            }
            final List<AlertEvent> events = f.events();
            // node-13 drops at 200 s; its 1 m average is more than 50 % below the peers' median from 230 s; for 1 m.
            assertThat(describe(events)).containsExactly(
                    "PENDING NodeCpuFarBelowPeers node-13 @2022-06-21T06:03:50Z",
                    "FIRING NodeCpuFarBelowPeers node-13 @2022-06-21T06:04:50Z");
            final AlertEvent firing = events.get(1);
            assertThat(firing.annotations().get("summary")).matches("node-13 at 6\\.\\d+, peers' median 5\\d\\.\\d+ \\(z -\\d+\\.\\d+\\)");
        }
    }

    @Test
    void aGroupWithFewerThanMinPeersIsNotJudged() {
        try (TopologyFixture f = new TopologyFixture(OUTLIER_RULES, stateDir, WALL)) {
            for (int step = 0; step <= 40; step++) {
                for (int i = 0; i < 4; i++) {
                    f.send(TopologyFixture.point("cpu", node(i, "small"), i == 2 ? 1 : 50 + i, T0 + step * STEP));
                }
                for (int i = 0; i < 6; i++) {
                    f.send(TopologyFixture.point("cpu", node(10 + i, "big"), i == 2 ? 1 : 50 + i, T0 + step * STEP));
                }
            }
            assertThat(describe(f.events())).containsExactly(
                    "PENDING NodeCpuFarBelowPeers node-12 @2022-06-21T06:00:00Z",
                    "FIRING NodeCpuFarBelowPeers node-12 @2022-06-21T06:01:00Z");
        }
    }

    /**
     * Among peers with no errors, a node with a few is infinitely many robust deviations away, and min_change of a
     * median of 0 is 0: nothing but min_delta (Vigil's extension, in the series' units) tells a trickle from a flood.
     */
    @Test
    void minDeltaHoldsBackWhatIsFarInDeviationsButSmallInUnits() {
        final String rules = """
                groups:
                  - name: peers
                    every: 10s
                    rules:
                      - alert: NodeErrorsAbovePeers
                        series: errors{cluster=~".+"}
                        aggregate: last
                        window: 10s
                        outlier: {peers: [cluster], direction: high, z: 4, min_change: 0.5, min_delta: 1}
                """;
        try (TopologyFixture f = new TopologyFixture(rules, stateDir, WALL)) {
            for (int step = 0; step <= 10; step++) {
                for (int i = 0; i < 8; i++) {
                    final double errors = i == 3 ? 0.5 : i == 5 && step >= 5 ? 7 : 0;
                    f.send(TopologyFixture.point("errors", node(i, "backend"), errors, T0 + step * STEP));
                }
            }
            assertThat(describe(f.events())).containsExactly(
                    "FIRING NodeErrorsAbovePeers node-05 @2022-06-21T06:00:50Z");
        }
    }

    @Test
    void aCounterResetIsNotACollapseButATrafficCollapseIs() {
        try (TopologyFixture f = new TopologyFixture(OUTLIER_RULES, stateDir, WALL)) {
            final long[] counters = new long[10];
            for (int i = 0; i < counters.length; i++) {
                counters[i] = 1_000_000_000L * (i + 1);
            }
            for (int step = 0; step <= 90; step++) {
                for (int i = 0; i < counters.length; i++) {
                    long rate = 2_000_000 + 10_000L * i;
                    if (i == 3 && step == 30) {
                        counters[i] = 0; // node-03 restarts: its counter starts again from zero
                    }
                    if (i == 7 && step >= 50) {
                        rate = 1_000; // node-07 left the load balancer at 500 s; its 2 m rate is -50 % at 550 s
                    }
                    counters[i] += rate * 10;
                    f.send(TopologyFixture.point("tx_bytes_total", node(i, "backend"), counters[i], T0 + step * STEP));
                }
            }
            assertThat(describe(f.events())).containsExactly(
                    "PENDING NodeTrafficFarBelowPeers node-07 @2022-06-21T06:09:10Z",
                    "FIRING NodeTrafficFarBelowPeers node-07 @2022-06-21T06:10:10Z");
        }
    }

    private static final String DEVIATION_RULES = """
            groups:
              - name: db
                every: 1m
                rules:
                  - alert: ConnectionsAnomalous
                    series: db_connections
                    aggregate: avg
                    window: 5m
                    deviation: {baseline: 1h, direction: up, z: 6, min_change: 0.5}
                    annotations:
                      summary: "{{ $value }} connections, usually {{ $median }}"
            """;

    @Test
    void aDeviationThatPersistsDoesNotBecomeTheNewBaseline() {
        try (TopologyFixture f = new TopologyFixture(DEVIATION_RULES, stateDir, WALL)) {
            final Random random = new Random(3);
            final Map<String, String> db = Map.of("instance", "db-1");
            // 2 h at ~120 connections, then 2 h at ~480, then back: the surge stays firing for its whole length.
            for (int minute = 0; minute < 300; minute++) {
                final double base = minute >= 120 && minute < 240 ? 480 : 120;
                f.send(TopologyFixture.point("db_connections", db, base + 10 * random.nextDouble(), T0 + minute * 60_000L));
            }
            final List<AlertEvent> events = f.events();
            assertThat(events).extracting(AlertEvent::status).containsExactly(EventStatus.FIRING, EventStatus.RESOLVED);
            assertThat(events.get(0).startsAt()).contains(Instant.ofEpochMilli(T0 + 120 * 60_000L));
            // Resolved only when the surge ended (once the 5 m window's average is back within z of the median).
            assertThat(events.get(1).endsAt().orElseThrow()).isBetween(Instant.ofEpochMilli(T0 + 240 * 60_000L),
                    Instant.ofEpochMilli(T0 + 245 * 60_000L));
            assertThat(events.get(0).annotations().get("summary")).matches("\\d+(\\.\\d+)? connections, usually 12\\d(\\.\\d+)?");
        }
    }

    @Test
    void aSeriesBackFromASilenceLongerThanItsBaselineLearnsAfreshInsteadOfPaging() {
        try (TopologyFixture f = new TopologyFixture(DEVIATION_RULES, stateDir, WALL)) {
            final Random random = new Random(5);
            final Map<String, String> db = Map.of("instance", "db-1");
            // 2 h at ~120 connections, silent for 3 h (maintenance), back at ~480 (a new normal) for an hour:
            // nothing within the 1 h baseline says 480 is unusual, so nothing pages.
            for (int minute = 0; minute < 360; minute++) {
                if (minute < 120 || minute >= 300) {
                    final double base = minute < 120 ? 120 : 480;
                    f.send(TopologyFixture.point("db_connections", db, base + 10 * random.nextDouble(),
                            T0 + minute * 60_000L));
                }
            }
            assertThat(f.events()).isEmpty();
        }
    }

    private static final String ABSENT_RULES = """
            groups:
              - name: silence
                every: 10s
                rules:
                  - alert: DatabaseSilent
                    series: db_connections
                    absent: {after: 2m}
                    annotations:
                      summary: "{{ $labels.instance }} silent for {{ $value }}s"
            """;

    @Test
    void aSilenceSeenOnlyWhenTheSeriesComesBackStillFiresAndResolves() {
        try (TopologyFixture f = new TopologyFixture(ABSENT_RULES, stateDir, WALL)) {
            final Map<String, String> db = Map.of("instance", "db-1");
            for (int step = 0; step <= 10; step++) {
                f.send(TopologyFixture.point("db_connections", db, 100, T0 + step * STEP));
            }
            // Silent from 100 s to 400 s, then back; nothing else moves event time meanwhile.
            for (int step = 40; step <= 50; step++) {
                f.send(TopologyFixture.point("db_connections", db, 100, T0 + step * STEP));
            }
            assertThat(describe(f.events())).containsExactly(
                    "FIRING DatabaseSilent db-1 @2022-06-21T06:03:40Z",
                    "RESOLVED DatabaseSilent db-1 @2022-06-21T06:06:40Z");
        }
    }

    /**
     * rules.md: "A gap that is only seen when the series comes back still yields its firing and resolved events",
     * also one that no instant fell within: db-1 silent from 06:00:01 to 06:02:59 under `after: 2m`, evaluated each
     * minute (at 06:02:00 silent 119 s, at 06:03:00 back). A gap of `after` exactly is no silence: the point comes as
     * the silence would begin.
     */
    @ParameterizedTest
    @CsvSource({
        "0s, 0s, '', 'FIRING DatabaseSilent db-1 @2022-06-21T06:02:01Z', 'RESOLVED DatabaseSilent db-1 @2022-06-21T06:02:59Z'",
        "30s, 0s, 'PENDING DatabaseSilent db-1 @2022-06-21T06:02:01Z', 'FIRING DatabaseSilent db-1 @2022-06-21T06:02:31Z', 'RESOLVED DatabaseSilent db-1 @2022-06-21T06:02:59Z'",
        "58s, 0s, '', '', ''",
        "0s, 2m, '', 'FIRING DatabaseSilent db-1 @2022-06-21T06:02:01Z', 'RESOLVED DatabaseSilent db-1 @2022-06-21T06:05:00Z'",
    })
    void aSilenceBetweenTwoInstantsFiresAndResolvesAtItsOwnTimes(final String forDuration, final String keepFiringFor,
                                                                 final String pending, final String firing,
                                                                 final String resolved) {
        final String rules = """
                groups:
                  - name: silence
                    every: 1m
                    rules:
                      - alert: DatabaseSilent
                        series: db_connections
                        absent: {after: 2m}
                        for: %s
                        keep_firing_for: %s
                        annotations:
                          summary: "{{ $labels.instance }} silent for {{ $value }}s"
                """.formatted(forDuration, keepFiringFor);
        try (TopologyFixture f = new TopologyFixture(rules, stateDir, WALL)) {
            final long lastBefore = T0 + 1_000;
            final long back = T0 + 179_000;
            final long exactlyAfter = T0 + 600_000;
            for (long at = T0 - 120_000; at <= T0 + 900_000; at += 1_000) {
                final boolean db1 = at <= T0 && at % 15_000 == 0 || at == lastBefore
                        || at >= back && at <= exactlyAfter && (at - back) % 15_000 == 0 || at == exactlyAfter
                        || at >= exactlyAfter + 120_000 && at % 15_000 == 0;
                if (db1) {
                    f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-1"), 100, at));
                }
                if (at % 15_000 == 0) {
                    f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-2"), 100, at));
                }
            }
            final List<AlertEvent> events = f.events();
            assertThat(describe(events)).containsExactlyElementsOf(
                    Stream.of(pending, firing, resolved).filter(e -> !e.isEmpty()).toList());
            if (!resolved.isEmpty() && keepFiringFor.equals("0s")) {
                assertThat(events.get(events.size() - 1).annotations().get("summary")).isEqualTo("db-1 silent for 178s");
            }
        }
    }

    /**
     * Silences an instant saw only in part: one an instant left pending whose series came back before the next (184 s
     * under after 2m + for 30s, every 1m: it outlasted both, so it fires and resolves; it paged nothing where a 178 s
     * one between the same instants paged); two between the same instants with keep_firing_for (one alert, fired
     * once); one after a firing alert's series came back, before the next instant (paged, not lost). Under an
     * {@code after} shorter than {@code every}, an instant may find the series silent again after it came back: two
     * silences, each judged by its own length (they were one alert, paged though neither outlasted after + for); with
     * keep_firing_for, the second is part of the alert the first fired, which it keeps firing.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1m | 2m | 30s | 0s | 1000-185000 | PENDING @06:02:01, FIRING @06:02:31, RESOLVED @06:03:05",
        "5m | 1m | 0s | 2m | 310000-400000 410000-500000 | FIRING @06:06:10, RESOLVED @06:15:00",
        "5m | 1m | 0s | 0s | 10000-360000 360000-480000 | FIRING @06:01:10, RESOLVED @06:06:00, FIRING @06:07:00, RESOLVED @06:08:00",
        "1m | 30s | 0s | 0s | 29000-61000 85000-140000"
                + " | FIRING @06:00:59, RESOLVED @06:01:01, FIRING @06:01:55, RESOLVED @06:02:20",
        "1m | 30s | 30s | 0s | 29000-61000 85000-140000 | PENDING @06:00:59, PENDING @06:01:55",
        "1m | 30s | 30s | 0s | 29000-61000 85000-160000"
                + " | PENDING @06:00:59, PENDING @06:01:55, FIRING @06:02:25, RESOLVED @06:02:40",
        "1m | 30s | 5s | 15s | 355000-431000 434000-535000 | PENDING @06:06:25, FIRING @06:06:30, RESOLVED @06:10:00",
    })
    void aSilenceAnInstantSawInPartIsPagedOnceAtItsOwnTimes(final String every, final String after,
                                                           final String forDuration, final String keepFiringFor,
                                                           final String silences, final String expected) {
        final String rules = """
                groups:
                  - name: silence
                    every: %s
                    rules:
                      - alert: DatabaseSilent
                        series: db_connections
                        absent: {after: %s}
                        for: %s
                        keep_firing_for: %s
                """.formatted(every, after, forDuration, keepFiringFor);
        final List<long[]> spans = Stream.of(silences.split(" ")).map(span -> span.split("-"))
                .map(ends -> new long[] {T0 + Long.parseLong(ends[0]), T0 + Long.parseLong(ends[1])}).toList();
        try (TopologyFixture f = new TopologyFixture(rules, stateDir, WALL)) {
            for (long at = T0 - 120_000; at <= T0 + 1_200_000; at += 1_000) {
                final long now = at;
                final boolean inside = spans.stream().anyMatch(span -> now > span[0] && now < span[1]);
                final boolean edge = spans.stream().anyMatch(span -> now == span[0] || now == span[1]);
                if (edge || !inside && at % 15_000 == 0) {
                    f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-1"), 100, at));
                }
                if (at % 15_000 == 0) {
                    f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-2"), 100, at));
                }
            }
            assertThat(describe(f.events())).containsExactlyElementsOf(Stream.of(expected.split(", "))
                    .map(e -> e.replace(" @", " DatabaseSilent db-1 @2022-06-21T") + "Z").toList());
        }
    }

    /**
     * A point an evaluator drops as late is logged at WARN as ingest's are (the first of a task), not only counted:
     * here the stream fell silent, its event time followed the wall clock, and a point from before that came after.
     */
    @Test
    void aPointTheEvaluationDropsAsLateIsLoggedSayingWhy() {
        final Instant now = Instant.parse("2026-11-23T12:00:00Z");
        final String logged;
        try (TopologyFixture f = new TopologyFixture(ABSENT_RULES, stateDir, now); CapturedLogs logs = new CapturedLogs()) {
            final long start = now.toEpochMilli() - 300_000;
            for (int step = 0; step <= 30; step++) {
                f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-1"), 100, start + step * STEP));
            }
            for (int s = 0; s < 130; s += 5) {
                f.driver.advanceWallClockTime(Duration.ofSeconds(5));
            }
            f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-2"), 100, now.toEpochMilli() + 10_000));
            f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-3"), 100, now.toEpochMilli() + 11_000));
            assertThat(f.registry.get("vigil.evaluation.late.dropped").counter().count()).isEqualTo(2.0);
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isZero();
            logged = logs.text();
        }
        assertThat(logged).containsOnlyOnce("dropped as late").contains(": db_connections{instance=\"db-2\"} at"
                + " 2026-11-23T12:00:10Z dropped as late: its evaluation had run (event time over every input partition"
                + " reached 2026-11-23T12:02:");
    }

    /**
     * A fleet sending once a minute is silent as a whole between its sends, and event time follows the wall clock
     * then; its next points, stamped on an instant a few seconds before they come, still find that instant waiting
     * the grace. Event time ran a grace ahead of the wall clock from the idle timeout on, and such points were
     * dropped as late (a conformance audit, 2026-12-07: every point of a fleet stamping on the minute, as Telegraf's
     * round_interval does); now only once the silence has lasted the shortest absent rule's after.
     */
    @Test
    void aFleetSendingOnceAMinuteLosesNoPointToTheWallClock() {
        final String rules = ABSENT_RULES + """
                      - alert: Seen
                        series: db_connections
                        aggregate: count
                        window: 10s
                        threshold: {above: 0}
                """;
        final Instant now = Instant.parse("2026-11-23T12:00:00Z");
        try (TopologyFixture f = new TopologyFixture(rules, stateDir, now)) {
            f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-1"), 100, now.toEpochMilli()));
            // 65 s of silence: the partition is idle after 30 s, and event time follows the wall clock.
            for (int s = 0; s < 65; s += 5) {
                f.driver.advanceWallClockTime(Duration.ofSeconds(5));
            }
            // The next send, stamped on the minute, 5 s before it comes; then the one after moves event time on.
            final long minute = now.toEpochMilli() + 60_000;
            f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-2"), 100, minute));
            f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-1"), 100, minute + 30_000));
            assertThat(f.registry.get("vigil.evaluation.late.dropped").counter().count()).isZero();
            assertThat(describe(f.events())).contains("FIRING Seen db-2 @2026-11-23T12:01:00Z");
        }
    }

    @Test
    void aWholeClusterGoingSilentIsNoticedByTheWallClock() {
        final Instant now = Instant.parse("2026-11-23T12:00:00Z");
        try (TopologyFixture f = new TopologyFixture(ABSENT_RULES, stateDir, now)) {
            final long start = now.toEpochMilli() - 300_000;
            for (int step = 0; step <= 30; step++) {
                f.send(TopologyFixture.point("db_connections", Map.of("instance", "db-1"), 100, start + step * STEP));
            }
            // The last point is at `now`; then no record at all. The input partition is announced idle after the idle
            // timeout, and from then event time follows the wall clock.
            assertThat(f.events()).isEmpty();
            // rules.md: paged within after + every (2m and 10s) of the last point; it was a grace (15 s) later.
            for (int s = 0; s < 130; s += 5) {
                f.driver.advanceWallClockTime(Duration.ofSeconds(5));
            }
            final List<AlertEvent> events = f.events();
            assertThat(describe(events)).containsExactly("FIRING DatabaseSilent db-1 @2026-11-23T12:02:00Z");
            assertThat(events.get(0).annotations().get("summary")).isEqualTo("db-1 silent for 120s");
        }
    }
}
