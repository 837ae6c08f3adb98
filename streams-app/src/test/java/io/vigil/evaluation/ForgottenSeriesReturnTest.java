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
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A series back after a silence longer than {@code forget} (rules.md, "absent"): the points of its return may be
 * taken before the instants of its silence run (a point comes before the watermark that makes them due, and a batch
 * of one partition before the watermark of another), and must not be forgotten with the silence. The audit's case:
 * run, with the return's points held back by a second partition, dropped them, held neither series, and b's later
 * silence never paged, where replay paged it.
 */
class ForgottenSeriesReturnTest {

    private static final long S = 1_000;
    private static final long M = 60 * S;
    private static final long GRACE = 15 * S;
    private static final long FORGET = 10 * M;
    private static final long START = 1_000_000 * S;
    /** The first point back, after three hours without one. */
    private static final long BACK = START + 5 * M + 3 * 60 * M;
    private static final Series A = new Series("up", Labels.of("instance", "a"));
    private static final Series B = new Series("up", Labels.of("instance", "b"));

    private static final String RULES = """
            groups:
              - name: hosts
                every: 10s
                rules:
                  - alert: HostSilent
                    series: up
                    absent: {after: 1m}
            """;

    /**
     * @param oneInstantAtATime run's advances one instant at a time ({@link TaskEvaluator#advanceFastestFirst}, what
     *                          live data gets), or many at once, series by series (a catch-up's)
     */
    @ParameterizedTest(name = "one instant at a time: {0}")
    @ValueSource(booleans = {false, true})
    void aSeriesBackAfterItWasForgottenIsKeptWithItsPointsBackAsReplayKeepsIt(final boolean oneInstantAtATime) {
        final List<Datapoint> before = points(START, List.of(A, B));
        final List<Datapoint> back = points(BACK, List.of(A, B));
        final List<Datapoint> aAlone = points(BACK + 5 * M, List.of(A));

        // Replay: one source, each point then the watermark it moves.
        final TaskEvaluator replay = evaluator(1);
        final List<String> replayed = new ArrayList<>();
        for (List<Datapoint> batch : List.of(before, back, aAlone)) {
            for (Datapoint p : batch) {
                take(replay, "file", p, replayed, false);
            }
        }

        // Run: a and b keyed to two partitions, each batch read partition by partition, each partition's points handed
        // over in one bundle before the watermark they move; b's partition idle through the last batch.
        final TaskEvaluator run = evaluator(2);
        final List<String> ran = new ArrayList<>();
        for (List<Datapoint> batch : List.of(before, back)) {
            for (Series partition : List.of(A, B)) {
                takeAll(run, partition, batch, ran, oneInstantAtATime);
            }
        }
        final int heldOnceBack = run.seriesCount();
        run.clock().onIdle("b");
        takeAll(run, A, aAlone, ran, oneInstantAtATime);

        final long lastBefore = START + 5 * M - 10 * S;
        final long lastOfB = BACK + 5 * M - 10 * S;
        assertThat(replayed).containsExactly(
                (lastBefore + M) + " FIRING " + A.key(),
                (lastBefore + M) + " FIRING " + B.key(),
                (lastBefore + FORGET) + " RESOLVED " + A.key() + " " + TaskEvaluator.FORGOTTEN,
                (lastBefore + FORGET) + " RESOLVED " + B.key() + " " + TaskEvaluator.FORGOTTEN,
                (lastOfB + M) + " FIRING " + B.key());
        assertThat(ran).isEqualTo(replayed);
        assertThat(heldOnceBack).as("series held once both were back").isEqualTo(2);
        assertThat(states(run)).isEqualTo(states(replay));
    }

    private static TaskEvaluator evaluator(final int sources) {
        final LoadResult loaded = RuleLoader.parse("hosts.yaml", RULES);
        assertThat(loaded.problems()).isEmpty();
        return new TaskEvaluator(new RuleIndex(loaded.ruleSet()), GRACE, FORGET, new EventClock(sources));
    }

    /** Five minutes of points every 10 s from {@code from}, of each series in turn. */
    private static List<Datapoint> points(final long from, final List<Series> series) {
        final List<Datapoint> out = new ArrayList<>();
        for (long t = from; t < from + 5 * M; t += 10 * S) {
            for (Series s : series) {
                out.add(new Datapoint(s, 1, t));
            }
        }
        return out;
    }

    /** Takes a point, as the evaluation is handed it, then its source's watermark, and runs what that makes due. */
    private static void take(final TaskEvaluator e, final String source, final Datapoint p, final List<String> out,
                             final boolean oneInstantAtATime) {
        assertThat(e.accept(p)).as("%s taken", p).isTrue();
        e.clock().onWatermark(source, p.timestampMs());
        advance(e, out, oneInstantAtATime);
    }

    /** Takes the points of {@code series}, then moves its partition's watermark to the last and runs what is due. */
    private static void takeAll(final TaskEvaluator e, final Series series, final List<Datapoint> batch,
                                final List<String> out, final boolean oneInstantAtATime) {
        final List<Datapoint> bundle = batch.stream().filter(p -> p.series().equals(series)).toList();
        for (Datapoint p : bundle) {
            assertThat(e.accept(p)).as("%s taken", p).isTrue();
        }
        e.clock().onWatermark(series.labels().get("instance"), bundle.get(bundle.size() - 1).timestampMs());
        advance(e, out, oneInstantAtATime);
    }

    private static void advance(final TaskEvaluator e, final List<String> out, final boolean oneInstantAtATime) {
        final TaskEvaluator.Outcome outcome = oneInstantAtATime ? e.advanceFastestFirst() : e.advance();
        outcome.transitions().forEach(t -> out.add(t.time() + " " + t.kind() + " " + t.series().key()
                + t.note().map(n -> " " + n).orElse("")));
    }

    private static Map<String, String> states(final TaskEvaluator e) {
        final Map<String, String> states = new TreeMap<>();
        e.storedStates().forEach((key, state) -> states.put(key,
                HexFormat.of().formatHex(SeriesStateCodec.encode(key, state))));
        return states;
    }
}
