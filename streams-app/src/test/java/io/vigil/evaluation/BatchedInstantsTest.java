package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An advance over many instants evaluates them series by series ({@link TaskEvaluator#BATCH_INSTANTS} at a time), an
 * advance over one instant every due series at it: the alerts, peer values and states must be the same either way.
 */
class BatchedInstantsTest {

    private static final long S = 1_000;
    private static final long GRACE = 5 * S;
    /** Short, so that series silent for a while are forgotten within the test's hour. */
    private static final long FORGET = 10 * 60 * S;
    private static final long START = 1_000 * S;
    private static final long END = START + 3_600 * S;

    /** Every kind of rule, in groups of three `every`s: instants where one, two or all three are due. */
    private static final String RULES = """
            groups:
              - name: probe
                every: 1s
                rules:
                  - alert: ProbeHigh
                    series: probe
                    aggregate: last
                    window: 1s
                    threshold: {above: 50}
              - name: fleet
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: avg
                    window: 1m
                    threshold: {above: 80, recover: 70}
                    for: 30s
                  - alert: CpuMaxHigh
                    series: cpu
                    aggregate: max
                    window: 2m
                    threshold: {above: 95}
                    keep_firing_for: 20s
                  - alert: CpuFarBelowPeers
                    series: cpu
                    aggregate: avg
                    window: 2m
                    outlier: {peers: [cluster], direction: low, z: 3, min_change: 0.3, min_peers: 3}
                  - alert: CpuSilent
                    series: cpu
                    absent: {after: 2m}
                  - alert: TrafficLow
                    series: net
                    aggregate: rate
                    window: 1m
                    threshold: {below: 5}
                    keep_firing_for: 3m
              - name: baseline
                every: 1m
                rules:
                  - alert: RequestsAnomalous
                    series: http
                    aggregate: rate
                    window: 2m
                    deviation: {baseline: 30m, z: 4, min_change: 0.3}
            """;

    @Test
    void manyInstantsInOneAdvanceGiveWhatOneInstantPerAdvanceGives() {
        final List<Datapoint> points = fleet(new Random(7));
        final Run oneByOne = run(points, S);
        final Run batched = run(points, 97 * S);
        final Run atOnce = run(points, END - START);

        assertThat(oneByOne.transitions).hasSizeGreaterThan(20);
        assertThat(oneByOne.transitions).anyMatch(t -> t.contains("CpuSilent FIRING"))
                .anyMatch(t -> t.contains("RequestsAnomalous FIRING")).anyMatch(t -> t.contains("ProbeHigh FIRING"))
                .anyMatch(t -> t.contains("TrafficLow FIRING")).anyMatch(t -> t.endsWith(TaskEvaluator.FORGOTTEN));
        assertThat(oneByOne.peers).hasSizeGreaterThan(1_000);
        assertThat(oneByOne.removed).isNotEmpty();
        for (Run other : List.of(batched, atOnce)) {
            assertThat(other.transitions).isEqualTo(oneByOne.transitions);
            assertThat(other.peers).isEqualTo(oneByOne.peers);
            assertThat(other.removed).isEqualTo(oneByOne.removed);
            assertThat(other.states).isEqualTo(oneByOne.states);
        }
    }

    /** What an evaluator put out over the whole run, and the states it holds at its end. */
    private record Run(List<String> transitions, List<String> peers, List<String> removed, Map<String, String> states) {
    }

    /**
     * Takes each point when the watermark reaches it, advancing the watermark by {@code step} at a time: a step of one
     * second makes at most one instant due per advance.
     */
    private static Run run(final List<Datapoint> points, final long step) {
        final LoadResult loaded = RuleLoader.parse("batch.yaml", RULES);
        assertThat(loaded.problems()).isEmpty();
        final TaskEvaluator e = new TaskEvaluator(new RuleIndex(loaded.ruleSet()), GRACE, FORGET, new EventClock(1));
        final List<String> transitions = new ArrayList<>();
        final List<String> peers = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        int next = 0;
        for (long watermark = START; ; watermark = Math.min(watermark + step, END + FORGET)) {
            // Points up to a step ahead of the watermark, as a source that has read past it holds them.
            while (next < points.size() && points.get(next).timestampMs() <= watermark + step) {
                e.accept(points.get(next++));
            }
            e.clock().onWatermark("p0", watermark);
            final TaskEvaluator.Outcome outcome = e.advance();
            outcome.transitions().forEach(t -> transitions.add(describe(t)));
            outcome.peerValues().forEach(v -> peers.add(v.groupKey() + " " + v.seriesKey() + " @" + v.time() + " = "
                    + v.value()));
            removed.addAll(outcome.removed().stream().sorted().toList());
            if (watermark == END + FORGET) {
                break;
            }
        }
        // Absent alerts carry exact times, not instants: the order within one advance is by time, across them by advance.
        transitions.sort(null);
        removed.sort(null);
        final Map<String, String> states = new TreeMap<>();
        e.storedStates().forEach((key, state) -> states.put(key,
                HexFormat.of().formatHex(SeriesStateCodec.encode(key, state))));
        return new Run(transitions, peers, removed, states);
    }

    private static String describe(final AlertTransition t) {
        return t.time() + " " + t.rule().alert() + " " + t.kind() + " " + t.series().key() + " " + t.status() + " "
                + t.value() + " " + t.median() + " " + t.z() + " " + t.note().orElse("");
    }

    /**
     * Two clusters of cpu series (one node running low from the half hour, one falling silent, one stopping for good),
     * traffic counters (one stalling), request counters (one surging), a probe going above 50 now and then: scraped
     * every 10 s with some jitter, the probe every second.
     */
    private static List<Datapoint> fleet(final Random random) {
        final List<Datapoint> points = new ArrayList<>();
        final double[] counters = new double[16];
        for (long t = START; t <= END; t += S) {
            points.add(new Datapoint(new Series("probe", Labels.of("instance", "p")),
                    random.nextInt(20) == 0 ? 60 + random.nextInt(10) : random.nextInt(40), t));
            if ((t - START) % (10 * S) != 0) {
                continue;
            }
            for (int n = 0; n < 16; n++) {
                final long at = t + random.nextInt(3) * 100L;
                final Labels labels = Labels.of("cluster", "c" + n % 2, "instance", "n" + n);
                final boolean silent = n == 3 && t > START + 900 * S && t < START + 1_500 * S;
                final boolean stopped = n == 5 && t > START + 1_200 * S;
                if (!silent && !stopped) {
                    final double low = n == 2 && t > START + 1_800 * S ? 5 : 50;
                    final double hot = n == 7 && t % (600 * S) < 150 * S ? 40 : 0;
                    points.add(new Datapoint(new Series("cpu", labels), low + hot + random.nextInt(10) + 0.25, at));
                }
                counters[n] += n == 9 && t > START + 2_400 * S ? 0.5 : 100 + random.nextInt(20);
                points.add(new Datapoint(new Series("net", labels), counters[n], at));
                final double surge = n == 11 && t > START + 3_000 * S ? 10 : 1;
                points.add(new Datapoint(new Series("http", labels), Math.floor(counters[n] * surge), at));
            }
        }
        points.sort((a, b) -> Long.compare(a.timestampMs(), b.timestampMs()));
        return points;
    }
}
