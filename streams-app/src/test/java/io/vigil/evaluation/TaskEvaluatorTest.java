package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ingest.SeriesBundle;
import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.BaselineMethod;
import io.vigil.rules.Condition;
import io.vigil.rules.Direction;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SeriesSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The evaluator stepped by hand through event time: windows, recover, grace, lateness and gaps. */
class TaskEvaluatorTest {

    private static final long S = 1_000;
    private static final long GRACE = 15 * S;
    private static final long FORGET = 24 * 3600 * S;
    private static final Series NODE = new Series("cpu", Labels.of("instance", "n1"));
    private static final Series PROBE = new Series("probe", Labels.of("instance", "p1"));

    private static Rule threshold(final Aggregate aggregate, final Condition.Threshold condition, final Duration forDuration,
                                  final Duration keepFiringFor) {
        return new Rule("g", "High", new SeriesSelector("cpu", List.of(LabelMatcher.of("instance", LabelMatcher.Type.REGEX, "n.*"))),
                aggregate, Duration.ofMinutes(1), Duration.ofSeconds(10), condition, forDuration, keepFiringFor,
                Map.of(), Map.of(), "test.yaml", 1);
    }

    private static TaskEvaluator evaluator(final Rule rule) {
        final RuleSet rules = new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), List.of(rule), "test.yaml")));
        return new TaskEvaluator(new RuleIndex(rules), GRACE, FORGET, new EventClock(1));
    }

    /** Feeds one point per 10 s from t=10s with the given values, advancing the watermark after each. */
    private static List<AlertTransition> feed(final TaskEvaluator e, final double... values) {
        final List<AlertTransition> out = new ArrayList<>();
        long t = 10 * S;
        for (double v : values) {
            e.accept(new Datapoint(NODE, v, t));
            e.clock().onWatermark("p0", t);
            out.addAll(e.advance().transitions());
            t += 10 * S;
        }
        return out;
    }

    private static List<String> describe(final List<AlertTransition> transitions) {
        return transitions.stream().map(t -> t.kind() + "@" + switch (t.kind()) {
            case PENDING -> t.status().activeAt() / S;
            case FIRING -> t.status().firedAt() / S;
            case RESOLVED -> t.status().resolvedAt() / S;
        }).toList();
    }

    @Test
    void aPointKeyedByBytesFindsTheSeriesItsKeyStringFinds() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        final Series ascii = new Series("cpu", Labels.of("instance", "n1"));
        final Series accented = new Series("cpu", Labels.of("instance", "n\u00e9"));
        final Series unselected = new Series("mem", Labels.of("instance", "n1"));
        for (Series series : List.of(ascii, accented)) {
            final byte[] key = series.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final byte[] inBundle = new byte[key.length + 5];
            System.arraycopy(key, 0, inBundle, 3, key.length);
            // New to the task: made from the bytes, then found by them, in place and inside a larger array.
            final SeriesState first = e.take(key, 0, key.length, 10 * S, 1);
            assertThat(first).isNotNull();
            assertThat(first.key()).isEqualTo(series.key());
            assertThat(e.take(inBundle, 3, key.length, 20 * S, 2)).isSameAs(first);
            assertThat(e.take(series.key(), 30 * S, 3, null)).isSameAs(first);
            assertThat(first.size()).isEqualTo(3);
        }
        assertThat(e.seriesCount()).isEqualTo(2);
        final byte[] other = unselected.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(e.take(other, 0, other.length, 10 * S, 1)).isNull();
        // Too late for an instant already evaluated: not taken, by bytes as by string.
        e.clock().onWatermark("p0", 100 * S);
        e.advance();
        final byte[] key = ascii.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(e.take(key, 0, key.length, 40 * S, 4)).isNull();
        assertThat(e.take(ascii.key(), 40 * S, 4, null)).isNull();
    }

    /**
     * A series ingest keeps (made with its labels key) remembers its state's interned key at its first lookup and is
     * found by it after: also among keys of the same hash ("Aa" and "BB" hash alike), and by another object of the
     * same series, which has nothing to remember yet.
     */
    @Test
    void aSeriesHandedOverAgainIsFoundByTheInternedKeyItRemembers() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        final Labels aa = Labels.of("instance", "nAa");
        final Labels bb = Labels.of("instance", "nBB");
        final Series first = Series.withLabelsKey("cpu", aa, Series.labelsKey(aa));
        final Series second = Series.withLabelsKey("cpu", bb, Series.labelsKey(bb));
        assertThat(first.key().hashCode()).isEqualTo(second.key().hashCode());
        assertThat(first.internedKeyHead()).isNull();
        final SeriesState firstState = e.take(first, 10 * S, 1);
        final SeriesState secondState = e.take(second, 10 * S, 2);
        assertThat(firstState).isNotSameAs(secondState);
        assertThat(first.internedKeyHead() + first.internedKeyTail()).isEqualTo(first.key());
        for (int i = 2; i <= 3; i++) {
            assertThat(e.take(first, i * 10 * S, 1)).isSameAs(firstState);
            assertThat(e.take(second, i * 10 * S, 2)).isSameAs(secondState);
        }
        final Series again = Series.withLabelsKey("cpu", aa, Series.labelsKey(aa));
        assertThat(e.take(again, 40 * S, 1)).isSameAs(firstState);
        assertThat(e.take(first.key(), 50 * S, 1, null)).isSameAs(firstState);
        assertThat(firstState.size()).isEqualTo(5);
        assertThat(secondState.size()).isEqualTo(3);
        // A series made otherwise remembers nothing, and is found by its key.
        final Series plain = new Series("cpu", aa);
        assertThat(e.take(plain, 60 * S, 1)).isSameAs(firstState);
        assertThat(plain.internedKeyHead()).isNull();
    }

    @Test
    void aBundlesPointsFindTheirSeriesByTheHashesItCarriesOrWithoutThem() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        final List<Series> series = List.of(new Series("cpu", Labels.of("instance", "n1")),
                new Series("cpu", Labels.of("instance", "n\u00e9")));
        final SeriesBundle hashed = new SeriesBundle(0, 1);
        // The first kind of bundle, as ingest wrote it before it carried hashes.
        final java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(1_000);
        first.put(io.vigil.ingest.SeriesMessageCodec.BUNDLE).putInt(0).putInt(1).putInt(series.size());
        for (Series s : series) {
            final byte[] key = s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            hashed.add(key, s.keyHash(), 1, 10 * S, 10 * S);
            first.putInt(key.length).put(key).putDouble(2).putLong(20 * S).putLong(20 * S);
        }
        final List<SeriesState> taken = new java.util.ArrayList<>();
        for (byte[] bundle : List.of(hashed.take(), java.util.Arrays.copyOf(first.array(), first.position()))) {
            final SeriesBundle.Points points = new SeriesBundle.Points();
            points.read(bundle);
            final long[] hashes = new long[points.count()];
            e.lookAhead(bundle, points, hashes);
            for (int i = 0; i < points.count(); i++) {
                assertThat(hashes[i]).isIn(series.get(i).key().hashCode() & 0xFFFF_FFFFL, KeyBytes.NOT_ASCII);
                final SeriesState state = e.take(bundle, points.keyOffset(i), points.keyLength(i), hashes[i],
                        points.timestampMs(i), points.value(i));
                assertThat(state.key()).isEqualTo(series.get(i).key());
                taken.add(state);
            }
        }
        assertThat(taken.get(2)).isSameAs(taken.get(0));
        assertThat(taken.get(3)).isSameAs(taken.get(1));
        // A hash that is not the key's misses by the bytes and finds the series by its key: never a second state.
        final byte[] key = series.get(0).key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(e.take(key, 0, key.length, 12_345L, 30 * S, 3)).isSameAs(taken.get(0));
        assertThat(e.seriesCount()).isEqualTo(2);
        assertThat(taken.get(0).size()).isEqualTo(3);
    }

    @Test
    void everyChangedSeriesIsListedOnceAtEveryTakingAsTheListsGoRound() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        final Series other = new Series("cpu", Labels.of("instance", "n2"));
        // Lists are numbered 1 to 127 and go round: a series listed on one and changed again 127 lists later, when
        // the numbers have come round to its list's, must be listed again; the other series on every list, once.
        for (int k = 0; k < 600; k++) {
            e.accept(new Datapoint(NODE, 1, (k + 1) * S));
            final boolean both = k % 127 == 0;
            if (both) {
                e.accept(new Datapoint(other, 1, (k + 1) * S));
                e.accept(new Datapoint(other, 2, (k + 1) * S + 1));
            }
            final List<String> keys = e.drainChanged().stream().map(SeriesState::key).toList();
            assertThat(keys).as("taking %d", k)
                    .containsExactlyElementsOf(both ? List.of(NODE.key(), other.key()) : List.of(NODE.key()));
        }
        assertThat(e.drainChanged()).isEmpty();
    }

    @Test
    void evaluationWaitsForGraceAndUsesTheWindowsLastValue() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        // A value above 90 at 30 s fires at the evaluation of T=30 s, which runs once event time reaches 45 s.
        assertThat(describe(feed(e, 50, 50, 95, 95))).isEmpty();
        final List<AlertTransition> more = feed(e, 0, 0); // timestamps restart at 10 s: too late, dropped
        assertThat(more).isEmpty();
        e.accept(new Datapoint(NODE, 95, 50 * S));
        e.clock().onWatermark("p0", 50 * S);
        assertThat(describe(e.advance().transitions())).containsExactly("FIRING@30");
    }

    /**
     * The evaluator drops a point once its first instant has run (instant + grace at most the low watermark it acted
     * on), as ingest does: not merely for being grace behind, by bytes as by string as handed over in the task.
     */
    @Test
    void aPointIsTooLateOnceItsInstantHasRunNotForItsDistanceBehind() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.COUNT,
                new Condition.Threshold(true, 0, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        e.accept(new Datapoint(NODE, 1, 10 * S));
        e.clock().onWatermark("p0", 34 * S);
        e.advance(); // instants up to 19 s run: 10 s
        assertThat(e.evaluatedThrough()).isEqualTo(34 * S);
        // 19 s behind, unaligned: its instant, 20 s, runs at 35 s.
        assertThat(e.tooLate(15 * S)).isFalse();
        assertThat(e.tooLate(10 * S)).isTrue();
        final byte[] key = NODE.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(e.take(key, 0, key.length, 15 * S, 1)).isNotNull();
        assertThat(e.take(NODE.key(), 16 * S, 1, null)).isNotNull();
        assertThat(e.take(NODE, 17 * S, 1)).isNotNull();
        assertThat(e.take(key, 0, key.length, 10 * S, 1)).isNull();
        assertThat(e.take(NODE.key(), 9 * S, 1, null)).isNull();
        assertThat(e.take(NODE, 10 * S, 1)).isNull();
    }

    /**
     * A series no rule selects is remembered as such, so that its next points are not matched again (a costly
     * selector regex cost seconds a point), and forgotten with the rules: a reload that selects it takes its next
     * point.
     */
    @Test
    void aSeriesNoRuleSelectsIsTakenOnceANewRuleSelectsIt() {
        final Series other = new Series("cpu", Labels.of("instance", "x1"));
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST, new Condition.Threshold(true, 90,
                OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        assertThat(e.take(other, 10 * S, 1)).isNull();
        assertThat(e.take(other.key(), 20 * S, 1, null)).isNull();
        for (int i = 0; i <= TaskEvaluator.MAX_UNSELECTED; i++) {
            assertThat(e.take("cpu{instance=\"y" + i + "\"}", 20 * S, 1, null)).as("a full set fills again").isNull();
        }
        for (int i = 0; i < 3; i++) {
            final String longKey = "cpu{instance=\"z" + "z".repeat(TaskEvaluator.MAX_UNSELECTED_CHARS / 2) + i + "\"}";
            assertThat(e.take(longKey, 20 * S, 1, null)).as("long keys fill it by their characters").isNull();
        }
        assertThat(e.take(other.key(), 20 * S, 1, null)).isNull();
        assertThat(e.take(NODE, 20 * S, 1)).as("the rule's own series").isNotNull();

        e.reload(index(new Rule("g", "Any", new SeriesSelector("cpu", List.of()), Aggregate.LAST,
                Duration.ofMinutes(1), Duration.ofSeconds(10), new Condition.Threshold(true, 90,
                OptionalDouble.empty()), Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1)));
        assertThat(e.take(other, 30 * S, 1)).isNotNull();
    }

    private static Rule outlier(final String name, final String... peers) {
        return new Rule("g", name, new SeriesSelector("cpu", List.of()), Aggregate.LAST, Duration.ofMinutes(1),
                Duration.ofSeconds(10), new Condition.Outlier(List.of(peers), Direction.BOTH, 3, 0, 3), Duration.ZERO,
                Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
    }

    private static RuleIndex index(final Rule... rules) {
        return new RuleIndex(new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), List.of(rules),
                "test.yaml"))));
    }

    /** Each peer value's group, as PeerGroupEvaluator.groupKey names it from the series' labels. */
    private static List<String> groupsOf(final TaskEvaluator.Outcome outcome) {
        return outcome.peerValues().stream().map(v -> v.groupKey() + " " + v.seriesKey()).sorted().toList();
    }

    @Test
    void peerValuesNameTheGroupOfEachOutlierRuleAlsoAfterAReload() {
        // One, two and no outlier rules among a series' rules, with a threshold rule between them; then a reload that
        // changes which labels make the peers.
        final Series a = new Series("cpu", Labels.of("cluster", "c1", "instance", "n1", "role", "db"));
        final Series b = new Series("cpu", Labels.of("cluster", "c2", "instance", "n2", "role", "db"));
        final Rule byCluster = outlier("ByCluster", "cluster");
        final Rule byRole = outlier("ByRole", "role", "cluster");
        final Rule high = threshold(Aggregate.LAST, new Condition.Threshold(true, 90, OptionalDouble.empty()),
                Duration.ZERO, Duration.ZERO);
        final TaskEvaluator e = new TaskEvaluator(index(byCluster, high, byRole), GRACE, FORGET, new EventClock(1));
        e.accept(new Datapoint(a, 1, 10 * S));
        e.accept(new Datapoint(b, 2, 10 * S));
        e.clock().onWatermark("p0", 10 * S + GRACE);
        final List<String> expected = new ArrayList<>();
        for (Series s : List.of(a, b)) {
            for (Rule r : List.of(byCluster, byRole)) {
                expected.add(PeerGroupEvaluator.groupKey(r, (Condition.Outlier) r.condition(), s) + " " + s.key());
            }
        }
        assertThat(groupsOf(e.advance())).containsExactlyElementsOf(expected.stream().sorted().toList());

        final Rule byInstance = outlier("ByCluster", "instance");
        e.reload(index(high, byInstance));
        e.accept(new Datapoint(a, 1, 20 * S));
        e.accept(new Datapoint(b, 2, 20 * S));
        e.clock().onWatermark("p0", 20 * S + GRACE);
        assertThat(groupsOf(e.advance())).containsExactly(
                PeerGroupEvaluator.groupKey(byInstance, (Condition.Outlier) byInstance.condition(), a) + " " + a.key(),
                PeerGroupEvaluator.groupKey(byInstance, (Condition.Outlier) byInstance.condition(), b) + " " + b.key());
    }

    @Test
    void stddevMethodCountsTheSeriesUsualSpikesAsNormal() {
        // Ten minutes of a spiky series: 10, four times, then a spike of 50, over and over.
        final double[] history = new double[60];
        for (int i = 0; i < history.length; i++) {
            history[i] = i % 5 == 4 ? 50 : 10;
        }
        // Then one more spike at 650 s, and points up to 670 s that let the evaluation at 650 s run (grace 15 s).
        final double[] withUsualSpike = Arrays.copyOf(history, 67);
        Arrays.fill(withUsualSpike, 60, 67, 10);
        withUsualSpike[64] = 50;
        final double[] withBurst = withUsualSpike.clone();
        withBurst[64] = 200;

        // The robust z-score sees a median of 10 and a MAD of 0: the series' every spike pages.
        assertThat(describe(feed(evaluator(spikeRule(BaselineMethod.MAD)), withUsualSpike)))
                .contains("FIRING@350", "FIRING@400", "FIRING@650");
        // Mean 18 and standard deviation 16: the usual spike (z 2) is normal, a burst four times as high is not.
        assertThat(feed(evaluator(spikeRule(BaselineMethod.STDDEV)), withUsualSpike)).isEmpty();
        assertThat(describe(feed(evaluator(spikeRule(BaselineMethod.STDDEV)), withBurst)))
                .containsExactly("FIRING@650");
    }

    /**
     * Surge: the last value of cpu in {@code window}, every 10 s, up against its own {@code baseline} by {@code z} and
     * 50 %.
     */
    private static Rule surge(final Duration window, final Duration baseline, final double z) {
        return new Rule("g", "Surge", new SeriesSelector("cpu", List.of()), Aggregate.LAST, window,
                Duration.ofSeconds(10), new Condition.Deviation(baseline, Direction.HIGH, z, 0.5, BaselineMethod.MAD),
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
    }

    /**
     * A baseline of more evaluations than the ring's 180 that is not a multiple of its stride (31 min at 10 s: 186,
     * every second kept) judges against the last 31 min, once it has half of them: its ring held 180 samples, an hour,
     * and warmed up after 30 min.
     */
    @Test
    void aLongBaselineJudgesAgainstItsOwnSpanOnceHalfOfItIsThere() {
        final Rule rule = surge(Duration.ofSeconds(10), Duration.ofMinutes(31), 6);
        // 20 minutes of 10, 11, 12 (more than half of 31), then a surge to 100 at 1,210 s.
        final double[] warm = new double[124];
        for (int i = 0; i < warm.length; i++) {
            warm[i] = i == 120 ? 100 : 10 + i % 3;
        }
        assertThat(describe(feed(evaluator(rule), warm))).containsExactly("FIRING@1210", "RESOLVED@1220");

        // 31 minutes about 100, then 29 about 10: the last 31 minutes' median is about 10, so 50 is a surge.
        final double[] older = new double[364];
        for (int i = 0; i < older.length; i++) {
            older[i] = i == 360 ? 50 : (i < 186 ? 100 : 10) + i % 3;
        }
        assertThat(describe(feed(evaluator(rule), older))).containsExactly("FIRING@3610", "RESOLVED@3620");
    }

    /**
     * An evaluation whose window held no point takes its time in the baseline: a series sending once a minute to a
     * rule of a 10 s window and a 2 min baseline was judged against values six minutes old (a numeric edge-case
     * audit), where within the baseline it has two values of twelve evaluations, too few to judge. A series that
     * misses a point now and then still is judged.
     */
    @Test
    void aBaselineCountsTheEvaluationsWithoutAValueAsTime() {
        final Rule rule = surge(Duration.ofSeconds(10), Duration.ofMinutes(2), 3);
        final TaskEvaluator sparse = evaluator(rule);
        final List<AlertTransition> out = new ArrayList<>();
        for (int minute = 0; minute <= 13; minute++) {
            final long t = 60 * S + minute * 60 * S;
            sparse.accept(new Datapoint(NODE, minute < 7 ? 10 : minute < 12 ? 12 : 16, t));
            sparse.clock().onWatermark("p0", t);
            out.addAll(sparse.advance().transitions());
        }
        assertThat(out).isEmpty();

        // Every tenth point missing, then a surge: judged, against the last two minutes.
        final double[] gappy = new double[40];
        for (int i = 0; i < gappy.length; i++) {
            gappy[i] = i == 36 ? 100 : 10 + i % 3;
        }
        final TaskEvaluator e = evaluator(rule);
        final List<AlertTransition> fired = new ArrayList<>();
        long t = 10 * S;
        for (int i = 0; i < gappy.length; i++, t += 10 * S) {
            if (i % 10 != 5) {
                e.accept(new Datapoint(NODE, gappy[i], t));
            }
            e.clock().onWatermark("p0", t);
            fired.addAll(e.advance().transitions());
        }
        assertThat(describe(fired)).containsExactly("FIRING@370", "RESOLVED@380");
    }

    /**
     * A series sending every 40 s to a rule of a 30 s window: an empty window ends its alert, and the next point
     * pages again. The gap that follows began while the alert was firing, when the history stands still: counted as
     * time, each such flap pushed a value of the normal out, until too few were left to judge and a surge of 30
     * minutes paged for four of them only (a re-check of the change that counts gaps).
     */
    @Test
    void aGapThatBeganWhileTheAlertWasActiveIsNotCountedAsTime() {
        final TaskEvaluator e = evaluator(surge(Duration.ofSeconds(30), Duration.ofMinutes(2), 3));
        final List<AlertTransition> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            final long t = 40 * S + i * 40 * S;
            e.accept(new Datapoint(NODE, i < 15 ? 100 + i % 3 : 300, t));
            e.clock().onWatermark("p0", t);
            out.addAll(e.advance().transitions());
        }
        final List<Long> fired = out.stream().filter(t -> t.kind() == AlertTransition.Kind.FIRING)
                .map(t -> t.status().firedAt() / S).toList();
        assertThat(fired).as("the surge from 640 s to 2,400 s pages to its end").first().isEqualTo(640L);
        assertThat(fired).last().isEqualTo(2_360L);
    }

    /**
     * A reload that changes an absent rule but for its name and labels keeps its firing alert. One that removes it
     * resolves the alert; added back, the rule fires again from when its new definition found the series silent, not
     * from when the silence began (it came back with the resolved one's startsAt, so its events repeated that one's
     * Idempotency-Key and receivers dropping duplicates kept it resolved).
     */
    @Test
    void anAbsentAlertFiredAgainAfterAReloadStartsWhenItsNewDefinitionFoundTheSilence() {
        final Rule gone = absentRule(Duration.ZERO);
        final TaskEvaluator e = evaluator(gone);
        final List<AlertTransition> out = new ArrayList<>();
        for (long t = 10 * S; t <= 200 * S; t += 10 * S) {
            if (t <= 50 * S) {
                e.accept(new Datapoint(NODE, 1, t));
            }
            e.clock().onWatermark("p0", t);
            out.addAll(e.advance().transitions());
        }
        assertThat(describe(out)).containsExactly("FIRING@80"); // silent from 50 s, after 30 s
        assertThat(e.reload(index(absentRule(Duration.ofMinutes(5)))).transitions()).as("changed: kept").isEmpty();

        // Removed, the series kept by a rule that still watches it, then added back.
        final Rule keeper = new Rule("g", "Huge", new SeriesSelector("cpu", List.of()), Aggregate.LAST,
                Duration.ofSeconds(10), Duration.ofSeconds(10), new Condition.Threshold(true, 1e9, OptionalDouble.empty()),
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 9);
        final List<AlertTransition> reloaded = new ArrayList<>(e.reload(index(keeper)).transitions());
        reloaded.addAll(e.reload(index(keeper, gone)).transitions());
        for (long t = 210 * S; t <= 230 * S; t += 10 * S) {
            e.clock().onWatermark("p0", t);
            reloaded.addAll(e.advance().transitions());
        }
        assertThat(describe(reloaded)).containsExactly("RESOLVED@180", "FIRING@190");
        assertThat(reloaded.get(1).status().activeAt()).isEqualTo(190 * S);
    }

    private static Rule absentRule(final Duration keepFiringFor) {
        return new Rule("g", "Gone", new SeriesSelector("cpu", List.of()), Aggregate.LAST, Duration.ofMinutes(1),
                Duration.ofSeconds(10), new Condition.Absent(Duration.ofSeconds(30)), Duration.ZERO, keepFiringFor,
                Map.of(), Map.of(), "test.yaml", 1);
    }

    private static Rule spikeRule(final BaselineMethod method) {
        return new Rule("g", "Spike", new SeriesSelector("cpu", List.of()), Aggregate.LAST, Duration.ofSeconds(10),
                Duration.ofSeconds(10), new Condition.Deviation(Duration.ofMinutes(10), Direction.HIGH, 4, 0.5, method),
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
    }

    @Test
    void recoverKeepsAFiringAlertUntilTheValueFallsToIt() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.of(80)), Duration.ZERO, Duration.ZERO));
        // 95 fires at 30 s; 85 is above recover (still firing); 80 is at recover: resolves at 60 s.
        final List<AlertTransition> out = feed(e, 50, 50, 95, 85, 85, 80, 80, 80, 80);
        assertThat(describe(out)).containsExactly("FIRING@30", "RESOLVED@60");
    }

    @Test
    void forAndKeepFiringForFollowTheWindowAverage() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.AVG,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ofSeconds(20), Duration.ofSeconds(10)));
        final List<AlertTransition> out = feed(e, 100, 100, 100, 100, 100, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // avg over (T-60s, T]: above 90 from 10 s; pending at 10 s, firing at 30 s; the avg drops to <= 90 once
        // a 0 enters at 70 s (500/6 = 83.3 over (10 s, 70 s]), keep_firing_for 10 s -> resolved at 80 s.
        assertThat(describe(out)).containsExactly("PENDING@10", "FIRING@30", "RESOLVED@80");
    }

    @Test
    void aGapOfMonthsCostsNothingAndResolvesTheAlertAtTheFirstEmptyWindow() {
        final TaskEvaluator e = evaluator(threshold(Aggregate.MAX,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO));
        assertThat(describe(feed(e, 95, 95, 95, 95))).containsExactly("FIRING@10");
        final long later = 90L * 24 * 3600 * S;
        e.accept(new Datapoint(NODE, 10, later));
        e.clock().onWatermark("p0", later);
        final List<String> events = describe(e.advance().transitions());
        // The window (40 s, 100 s] no longer holds a point (the last was at 40 s): resolved there, not months later.
        assertThat(events).containsExactly("RESOLVED@100");
        assertThat(e.seriesCount()).isEqualTo(1);
    }

    @Test
    void waitsForEverySourceBeforeEvaluating() {
        final RuleSet rules = new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), List.of(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO)), "t.yaml")));
        final TaskEvaluator e = new TaskEvaluator(new RuleIndex(rules), GRACE, FORGET, new EventClock(2));
        e.accept(new Datapoint(NODE, 95, 10 * S));
        e.clock().onWatermark("p0", 100 * S);
        assertThat(e.advance().transitions()).isEmpty();
        e.clock().onWatermark("p1", 30 * S);
        assertThat(describe(e.advance().transitions())).containsExactly("FIRING@10");
    }

    @Test
    void anIdleSourceStopsHoldingEvaluationBack() {
        final RuleSet rules = new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), List.of(threshold(Aggregate.LAST,
                new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO, Duration.ZERO)), "t.yaml")));
        final TaskEvaluator e = new TaskEvaluator(new RuleIndex(rules), GRACE, FORGET, new EventClock(2));
        e.accept(new Datapoint(NODE, 95, 10 * S));
        e.clock().onWatermark("p0", 100 * S);
        e.clock().onIdle("p1");
        assertThat(describe(e.advance().transitions())).containsExactly("FIRING@10", "RESOLVED@70");
    }

    @Test
    void anInstantVisitsOnlyTheSeriesWithARuleDueThen() {
        final RuleSet rules = probeAndFleet();
        final TaskEvaluator e = new TaskEvaluator(new RuleIndex(rules), GRACE, FORGET, new EventClock(1));
        final List<String> fired = new ArrayList<>();
        for (int k = 1; k <= 300; k++) {
            // The probe above 50 at 100 s only; the node (3 s past each 10 s, so that its points leave the minute's
            // window between its group's instants) above 90 at 203 s only.
            e.accept(new Datapoint(PROBE, k == 100 ? 60 : 0, k * S));
            if (k % 10 == 3) {
                e.accept(new Datapoint(NODE, k == 203 ? 95 : 0, k * S));
            }
            e.drainChanged();
            e.clock().onWatermark("p0", k * S);
            final TaskEvaluator.Outcome outcome = e.advance();
            outcome.transitions().forEach(t -> fired.add(t.rule().alert() + " " + t.kind() + "@"
                    + (t.kind() == AlertTransition.Kind.FIRING ? t.status().firedAt() : t.status().resolvedAt()) / S));
            final long instant = k * S - GRACE;
            if (instant % (10 * S) != 0) {
                assertThat(outcome.changed()).as("the pass at %d s", instant / S).extracting(SeriesState::key)
                        .doesNotContain(NODE.key());
            }
        }
        assertThat(fired).containsExactly("Probe FIRING@100", "Probe RESOLVED@101", "High FIRING@210",
                "High RESOLVED@220");
        // Pruned at its own group's instants all the same: a minute's window of points every 10 s, plus those of the
        // grace's 15 s not yet evaluated.
        assertThat(e.state(NODE.key()).size()).isLessThanOrEqualTo(8);
    }

    @Test
    void theFastestGroupGoesFirstAndTheSlowerOnesAtTheNextAdvance() {
        final RuleSet rules = probeAndFleet();
        final TaskEvaluator together = new TaskEvaluator(new RuleIndex(rules), GRACE, FORGET, new EventClock(1));
        final TaskEvaluator split = new TaskEvaluator(new RuleIndex(rules), GRACE, FORGET, new EventClock(1));
        final List<String> all = new ArrayList<>();
        final List<String> first = new ArrayList<>();
        for (int k = 1; k <= 300; k++) {
            for (TaskEvaluator e : List.of(together, split)) {
                // Both above their thresholds for the instant 210 s, where both groups are due.
                e.accept(new Datapoint(PROBE, k == 210 ? 60 : 0, k * S));
                if (k % 10 == 3) {
                    e.accept(new Datapoint(NODE, k == 203 ? 95 : 0, k * S));
                }
                e.drainChanged();
                e.clock().onWatermark("p0", k * S);
            }
            final int at = k;
            together.advance().transitions().forEach(t -> all.add(describe(t)));
            final TaskEvaluator.Outcome fastOnly = split.advanceFastestFirst();
            fastOnly.transitions().forEach(t -> first.add(describe(t) + " at " + at));
            final long instant = k * S - GRACE;
            assertThat(split.heldBack()).as("at %d s", instant / S).isEqualTo(instant % (10 * S) == 0 && instant > 0);
            if (split.heldBack()) {
                // The peer stage may not take the instant as done before the slower groups' values are sent.
                assertThat(split.progressThrough()).isEqualTo(instant + GRACE - 1);
                final TaskEvaluator.Outcome rest = split.advanceFastestFirst();
                assertThat(rest.transitions()).allMatch(t -> t.rule().alert().equals("High"));
                rest.transitions().forEach(t -> first.add(describe(t) + " after " + at));
                assertThat(split.heldBack()).isFalse();
            }
            assertThat(split.progressThrough()).isEqualTo(together.evaluatedThrough());
        }
        assertThat(all).containsExactly("Probe FIRING@210", "High FIRING@210", "Probe RESOLVED@211", "High RESOLVED@220");
        // The same events; the probe's alert of 210 s first, the fleet group's after the next advance.
        assertThat(first).containsExactly("Probe FIRING@210 at 225", "High FIRING@210 after 225",
                "Probe RESOLVED@211 at 226", "High RESOLVED@220 after 235");
        assertThat(split.state(NODE.key()).size()).isEqualTo(together.state(NODE.key()).size());
    }

    /** A probe rule (above 50, every 1 s) and a fleet rule of {@link #NODE} (above 90, every 10 s), in two groups. */
    private static RuleSet probeAndFleet() {
        final Rule fast = new Rule("fast", "Probe", new SeriesSelector("probe", List.of()), Aggregate.LAST,
                Duration.ofSeconds(1), Duration.ofSeconds(1), new Condition.Threshold(true, 50, OptionalDouble.empty()),
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
        final Rule fleet = threshold(Aggregate.LAST, new Condition.Threshold(true, 90, OptionalDouble.empty()),
                Duration.ZERO, Duration.ZERO);
        return new RuleSet(List.of(
                new RuleGroup("fast", Duration.ofSeconds(1), List.of(fast), "test.yaml"),
                new RuleGroup("g", Duration.ofSeconds(10), List.of(fleet), "test.yaml")));
    }

    private static String describe(final AlertTransition t) {
        return t.rule().alert() + " " + t.kind() + "@"
                + (t.kind() == AlertTransition.Kind.FIRING ? t.status().firedAt() : t.status().resolvedAt()) / S;
    }
}
