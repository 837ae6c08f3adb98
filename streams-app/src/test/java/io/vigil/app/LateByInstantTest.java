package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A point is late when the first evaluation instant that would see it has run (rules.md: instant {@code T} runs once
 * event time reaches {@code T + grace}), not when it is {@code grace} behind its partition's newest timestamp: one
 * 16 s behind, whose instant is still 1 s short of due, was dropped (an audit's example, 2026-12-06). In the
 * topology (the points of a task's own series handed over in the task, or all sent through the series repartition),
 * and the same in {@code vigil replay}.
 */
class LateByInstantTest {

    /** 2001-09-09T01:46:40Z, a multiple of the rules' 10 s. */
    private static final long T0 = 1_000_000_000_000L;
    private static final String RULES = """
            groups:
              - name: w
                every: 10s
                rules:
                  - alert: C
                    series: m
                    aggregate: count
                    window: 30s
                    threshold: {above: 0}
            """;

    @TempDir
    Path dir;

    private static String m(final String i, final long ts) {
        return TopologyFixture.point("m", Map.of("i", i), 1, ts);
    }

    /** A point of another metric, no rule's: it moves its partition's event time only. */
    private static String tick(final long ts) {
        return TopologyFixture.point("z", Map.of("i", "1"), 1, ts);
    }

    /**
     * The audit's example: m{i=2} at 01:46:44 comes 16 s behind the newest (01:47:00), but its instant 01:46:50 runs
     * only once event time reaches 01:47:05: kept, and it fires.
     */
    private static final List<String> AUDIT = List.of(m("1", T0), tick(T0 + 20_000), m("2", T0 + 4_000),
            tick(T0 + 100_000));

    @ParameterizedTest(name = "through the repartition: {0}")
    @ValueSource(booleans = {false, true})
    void aPointMoreThanGraceBehindWhoseInstantHasNotRunIsKept(final boolean throughTheRepartition) {
        try (TopologyFixture f = fixture(throughTheRepartition)) {
            AUDIT.forEach(f::send);
            assertThat(firing(f.events())).containsExactly("1 @2001-09-09T01:46:40Z", "2 @2001-09-09T01:46:50Z");
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isZero();
            assertThat(f.registry.get("vigil.evaluation.late.dropped").counter().count()).isZero();
        }
    }

    /** A point whose instant has run is still dropped, counted, and logged saying so. */
    @ParameterizedTest(name = "through the repartition: {0}")
    @ValueSource(booleans = {false, true})
    void aPointWhoseInstantHasRunIsDroppedCountedAndLoggedSayingSo(final boolean throughTheRepartition) {
        final String logged;
        try (TopologyFixture f = fixture(throughTheRepartition); CapturedLogs logs = new CapturedLogs()) {
            f.send(m("1", T0));
            f.send(tick(T0 + 30_000));
            // Its instant, 01:46:50, ran when event time reached 01:47:05.
            f.send(m("2", T0 + 6_000));
            f.send(tick(T0 + 100_000));
            logged = logs.text();
            assertThat(firing(f.events())).containsExactly("1 @2001-09-09T01:46:40Z");
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
            assertThat(f.registry.get("vigil.evaluation.late.dropped").counter().count()).isZero();
        }
        assertThat(logged).containsOnlyOnce("dropped as late").contains("input metrics/0: m{i=\"2\"} at"
                + " 2001-09-09T01:46:46Z dropped as late: its evaluation instant 2001-09-09T01:46:50Z has run (this"
                + " partition's event time reached 2001-09-09T01:47:10Z, at least the instant + grace (15s))");
    }

    /**
     * At exactly {@code grace} behind the newest: an aligned point's instant is itself, due at that very newest, so it
     * is late; an unaligned one's instant is up to a step later, not due yet, so it is kept.
     */
    @ParameterizedTest(name = "through the repartition: {0}")
    @ValueSource(booleans = {false, true})
    void exactlyGraceBehindAnAlignedPointIsLateAndAnUnalignedOneIsNot(final boolean throughTheRepartition) {
        try (TopologyFixture f = fixture(throughTheRepartition)) {
            f.send(m("1", T0));
            f.send(tick(T0 + 25_000));
            f.send(m("2", T0 + 10_000));  // aligned, 15 s behind: its instant 01:46:50 is due at 01:47:05, the newest
            f.send(tick(T0 + 26_000));
            f.send(m("3", T0 + 11_000));  // 15 s behind, its instant 01:47:00 due at 01:47:15 only
            f.send(tick(T0 + 100_000));
            assertThat(firing(f.events())).containsExactly("1 @2001-09-09T01:46:40Z", "3 @2001-09-09T01:47:00Z");
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
        }
    }

    /** {@code vigil replay} of the same records gives the same events, and counts the same points late. */
    @Test
    void replayJudgesLatenessAsTheTopologyDoes() throws Exception {
        final List<String> records = new ArrayList<>(AUDIT);
        records.add(m("3", T0 + 40_000));          // instant 01:47:20, run at 01:47:35, before the newest: late
        records.add(m("4", T0 + 89_000));          // 11 s behind, instant 01:48:10: kept
        records.add(tick(T0 + 200_000));
        final List<String> run;
        try (TopologyFixture f = fixture(false)) {
            records.forEach(f::send);
            run = f.alerts.readValuesToList().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
        }
        final Path input = Files.write(dir.resolve("late.jsonl"), records);
        final List<String> replayed = new ArrayList<>();
        final VigilConfig config = ConfigLoader.load(null, Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://vigil:8080"));
        final Replay.Summary summary = Replay.run(TopologyFixture.parse(RULES), config, List.of(input),
                json -> replayed.add(new String(json, StandardCharsets.UTF_8)));

        assertThat(firing(run.stream().map(json -> AlertEventJson.read(json.getBytes(StandardCharsets.UTF_8))).toList()))
                .contains("2 @2001-09-09T01:46:50Z", "4 @2001-09-09T01:48:10Z").noneMatch(s -> s.startsWith("3 "));
        assertThat(replayed).containsExactlyElementsOf(run);
        assertThat(summary.rejectedByReason()).containsExactly(Map.entry("late", 1L));
    }

    /**
     * A point is late by the instants of the rules that could take it, not by another group's: with a group every 10 s
     * on another metric, m's point 20 s behind was dropped although its own group's instant, each minute, had not run
     * (a rules conformance audit, 2026-12-07: adding a group changed another rule's alerts).
     */
    @ParameterizedTest(name = "through the repartition: {0}")
    @ValueSource(booleans = {false, true})
    void aPointIsLateByTheInstantsOfItsOwnRulesNotByAFasterGroupsOfAnotherMetric(final boolean throughTheRepartition) {
        final String rules = """
                groups:
                  - name: fast
                    every: 10s
                    rules:
                      - alert: Z
                        series: z
                        threshold: {above: 1000000}
                  - name: slow
                    every: 1m
                    rules:
                      - alert: C
                        series: m{i=~"[23]"}
                        aggregate: count
                        window: 1m
                        threshold: {above: 0}
                """;
        final long minute = T0 + 20_000;  // 01:47:00
        try (TopologyFixture f = fixture(rules, throughTheRepartition)) {
            f.send(tick(minute + 25_000));
            f.send(m("2", minute + 5_000));   // the fast group's instant 01:47:10 has run, its own 01:48:00 has not
            f.send(m("9", minute + 6_000));   // as late, of a series no rule selects: not taken, and not late
            f.send(tick(minute + 80_000));    // 01:48:00 runs
            f.send(m("3", minute + 35_000));  // its instant 01:48:00 has run: late
            f.send(tick(minute + 300_000));
            assertThat(firing(f.events())).containsExactly("2 @2001-09-09T01:48:00Z");
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
            assertThat(f.registry.get("vigil.evaluation.late.dropped").counter().count()).isZero();
        }
    }

    /**
     * With two groups on one metric, a point is late for a series once the first instant that would see it has run in
     * each of its own rules' groups: a faster group's instants do not take it from a slower one whose instant has not
     * run. Ingest, which knows the metric and not the series' rules, keeps a point for the slower group that a series
     * of the faster group's rule alone is then refused by its evaluator, and counted (rules.md: a point later than its
     * evaluation is dropped and counted). Before, the steps' greatest common divisor made m{i=2}'s point late too.
     */
    @ParameterizedTest(name = "through the repartition: {0}")
    @ValueSource(booleans = {false, true})
    void aPointIsLateForASeriesOnceEachOfItsRulesGroupsHasRunItsInstant(final boolean throughTheRepartition) {
        final String rules = """
                groups:
                  - name: fast
                    every: 10s
                    rules:
                      - alert: F
                        series: m{i="1"}
                        aggregate: count
                        window: 1m
                        threshold: {above: 1}
                  - name: slow
                    every: 1m
                    rules:
                      - alert: C
                        series: m{i=~"[23]"}
                        aggregate: count
                        window: 1m
                        threshold: {above: 0}
                """;
        final long minute = T0 + 20_000;  // 01:47:00
        try (TopologyFixture f = fixture(rules, throughTheRepartition)) {
            f.send(m("1", minute));
            f.send(tick(minute + 25_000));    // the fast group's instants through 01:47:10 have run
            f.send(m("2", minute + 5_000));   // the slow group's 01:48:00 has not: kept, and C fires
            f.send(m("1", minute + 5_000));   // kept by ingest for the slow group, late for F's own: refused there
            f.send(tick(minute + 80_000));    // 01:48:00 runs
            f.send(m("3", minute + 35_000));  // 01:47:40 and 01:48:00 have run: late at ingest
            f.send(tick(minute + 300_000));
            assertThat(firing(f.events())).containsExactly("2 @2001-09-09T01:48:00Z");
            assertThat(f.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
            assertThat(f.registry.get("vigil.evaluation.late.dropped").counter().count()).isEqualTo(1.0);
        }
    }

    private TopologyFixture fixture(final boolean throughTheRepartition) {
        return fixture(RULES, throughTheRepartition);
    }

    private TopologyFixture fixture(final String ruleYaml, final boolean throughTheRepartition) {
        final RuleSet rules = TopologyFixture.parse(ruleYaml);
        return new TopologyFixture(new LiveRules(rules), dir.resolve(throughTheRepartition ? "repartition" : "in-task"),
                Instant.ofEpochMilli(T0 + 3_600_000),
                TopologyFixture.settings(List.of(InputTopic.auto("metrics")), IngestLimits.defaults()),
                throughTheRepartition ? SeriesBundleTopologyTest.THROUGH_THE_REPARTITION : Map.of());
    }

    /** "i @startsAt" of each firing event. */
    private static List<String> firing(final List<AlertEvent> events) {
        return events.stream().filter(e -> e.status() == EventStatus.FIRING)
                .map(e -> e.labels().get("i") + " @" + e.startsAt().orElseThrow()).toList();
    }
}
