package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.alerts.EventStatus;
import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.Condition;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SeriesSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

/** The cardinality guard (evaluation.max_series_per_rule) in one evaluator task, stepped by hand. */
class SeriesLimitTest {

    private static final long S = 1_000;
    private static final long GRACE = 15 * S;
    private static final long FORGET = 24 * 3600 * S;

    /** cpu{instance=~"n.*"} above 90. */
    private static final Rule HIGH = rule("High", new SeriesSelector("cpu",
            List.of(LabelMatcher.of("instance", LabelMatcher.Type.REGEX, "n.*"))), new Condition.Threshold(true, 90,
            OptionalDouble.empty()));
    /** Any cpu series below 10. */
    private static final Rule LOW = rule("Low", new SeriesSelector("cpu", List.of()),
            new Condition.Threshold(false, 10, OptionalDouble.empty()));
    private static final Rule NOT_ZERO = rule("NotZero", new SeriesSelector("cpu", List.of()),
            new Condition.Threshold(true, 0, OptionalDouble.empty()));

    private final List<String> refusals = new ArrayList<>();
    /** What the task's store would hold: every outcome's changes applied, as the processor does. */
    private final Map<String, byte[]> store = new TreeMap<>();

    private static Rule rule(final String alert, final SeriesSelector selector, final Condition condition) {
        return new Rule("g", alert, selector, Aggregate.LAST, Duration.ofMinutes(1), Duration.ofSeconds(10), condition,
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
    }

    private static RuleIndex index(final Rule... rules) {
        return new RuleIndex(new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), List.of(rules), "test.yaml"))));
    }

    /** An evaluator whose rules may hold {@code limit} series each (one partition: the whole limit is this task's). */
    private TaskEvaluator evaluator(final int limit, final Rule... rules) {
        return new TaskEvaluator(index(rules), GRACE, FORGET, new EventClock(1),
                new SeriesBudget(limit, 1, 0, refusals::add));
    }

    private static Series node(final String instance) {
        return new Series("cpu", Labels.of("instance", instance));
    }

    private List<AlertTransition> accept(final TaskEvaluator e, final String instance, final double value,
                                         final long t) {
        e.accept(new Datapoint(node(instance), value, t));
        final List<AlertTransition> out = new ArrayList<>(persist(e, new TaskEvaluator.Outcome(List.of(), List.of(),
                e.drainChanged(), java.util.Set.of(), java.util.Set.of())));
        if (e.hasLimitAlerts()) {
            out.addAll(persist(e, e.drainLimitAlerts()));
        }
        return out;
    }

    private List<AlertTransition> advance(final TaskEvaluator e, final long watermark) {
        e.clock().onWatermark("p0", watermark);
        return persist(e, e.advance());
    }

    private List<AlertTransition> persist(final TaskEvaluator e, final TaskEvaluator.Outcome outcome) {
        for (SeriesState state : outcome.changed()) {
            store.put(state.key(), SeriesStateCodec.encode(state.key(), state));
        }
        for (String key : outcome.changedAlerts()) {
            final SeriesState state = e.state(key);
            if (state != null) {
                store.put(key, SeriesStateCodec.encode(key, state));
            }
        }
        outcome.removed().forEach(store::remove);
        return outcome.transitions();
    }

    /** A new task over the same store, as after a restart. */
    private TaskEvaluator restart(final int limit, final Rule... rules) {
        final TaskEvaluator e = evaluator(limit, rules);
        store.forEach((key, bytes) -> e.restore(key, SeriesStateCodec.decode(key, bytes)));
        return e;
    }

    private static List<String> describe(final List<AlertTransition> transitions) {
        return transitions.stream().map(t -> t.kind() + " " + t.rule().alert() + " "
                + (t.rule().alert().equals(SeriesBudget.ALERT) ? t.series().labels().get("rule")
                : t.series().labels().get("instance")) + "@" + t.time() / S).toList();
    }

    @Test
    void aRuleAtItsLimitTakesNoNewSeriesCountsThemAndAlertsOnce() {
        final TaskEvaluator e = evaluator(2, HIGH);
        assertThat(accept(e, "n1", 95, 10 * S)).isEmpty();
        assertThat(accept(e, "n2", 50, 10 * S)).isEmpty();
        final List<AlertTransition> limited = accept(e, "n3", 95, 10 * S);

        assertThat(e.seriesCount()).isEqualTo(2);
        assertThat(e.state(node("n3").key())).isNull();
        assertThat(refusals).containsExactly("g/High");
        assertThat(describe(limited)).containsExactly("FIRING VigilRuleSeriesLimit g/High@10");
        assertThat(store).containsKey(SeriesBudget.alertKey("g/High"));

        // Refused again at its next point (it is not held, so it is new again), but the alert is already firing.
        assertThat(accept(e, "n3", 95, 20 * S)).isEmpty();
        assertThat(accept(e, "n4", 95, 20 * S)).isEmpty();
        assertThat(refusals).hasSize(3);

        // The series held are evaluated as before: n1 fires, n3 (also above 90) is not evaluated.
        assertThat(describe(advance(e, 30 * S))).containsExactly("FIRING High n1@10");
    }

    @Test
    void theSelfAlertIsAnAlertLikeAnyOther() {
        final TaskEvaluator e = evaluator(1, HIGH);
        accept(e, "n1", 95, 10 * S);
        final AlertTransition fired = accept(e, "n2", 95, 10 * S).get(0);

        final AlertEvent event = new AlertEventFactory("http://vigil:8080").create(fired);
        assertThat(event.status()).isEqualTo(EventStatus.FIRING);
        assertThat(event.labels().toMap()).containsExactlyInAnyOrderEntriesOf(Map.of("alertname", "VigilRuleSeriesLimit",
                "rule", "g/High", "partition", "0", "severity", "warning"));
        assertThat(event.annotations().get("summary")).isEqualTo(
                "Rule g/High holds as many series as it may on partition 0: its new series are not evaluated");
        assertThat(event.annotations().get("description")).startsWith("The evaluator task of partition 0 holds 1 series of this rule, its share of evaluation.max_series_per_rule");
        assertThat(event.startsAt()).contains(java.time.Instant.ofEpochMilli(10 * S));
    }

    @Test
    void aRestartKeepsTheAlertFiringWithoutFiringItAgainAndHoldsTheSameSeries() {
        final TaskEvaluator before = evaluator(2, HIGH);
        accept(before, "n1", 95, 10 * S);
        accept(before, "n2", 50, 10 * S);
        assertThat(describe(accept(before, "n3", 95, 10 * S))).containsExactly("FIRING VigilRuleSeriesLimit g/High@10");
        advance(before, 30 * S);

        final TaskEvaluator after = restart(2, HIGH);
        assertThat(after.seriesCount()).isEqualTo(2);
        assertThat(after.budget().held(0)).isEqualTo(2);
        assertThat(after.budget().activeAlerts()).containsOnlyKeys("g/High");

        refusals.clear();
        assertThat(accept(after, "n3", 95, 40 * S)).isEmpty();
        assertThat(after.hasLimitAlerts()).isFalse();
        assertThat(refusals).containsExactly("g/High");
        assertThat(describe(advance(after, 60 * S))).isEmpty();
        assertThat(store).containsKey(SeriesBudget.alertKey("g/High"));
    }

    @Test
    void theAlertResolvesOnceTheRuleHasRoomAndHasRefusedNothingForTenMinutes() {
        final TaskEvaluator e = evaluator(2, HIGH);
        accept(e, "n1", 50, 10 * S);
        accept(e, "n2", 50, 10 * S);
        assertThat(describe(accept(e, "n3", 50, 10 * S))).containsExactly("FIRING VigilRuleSeriesLimit g/High@10");
        // n2 goes on; n1 stops, leaves the 1 m window after the evaluation of 60 s and is no longer held: room.
        // At 300 s n3 takes the room and n4 is refused: the alert, firing, does not fire again. n3 stops, leaving room
        // after 360 s, but the last refusal was at 300 s: the alert resolves ten minutes after it.
        final List<AlertTransition> out = new ArrayList<>();
        for (long t = 20 * S; t <= 940 * S; t += 10 * S) {
            out.addAll(accept(e, "n2", 50, t));
            if (t == 300 * S) {
                out.addAll(accept(e, "n3", 50, t));
                out.addAll(accept(e, "n4", 50, t));
                assertThat(e.state(node("n3").key())).isNotNull();
                assertThat(e.state(node("n4").key())).isNull();
            }
            out.addAll(advance(e, t));
            if (t == 100 * S) {
                assertThat(e.budget().held(0)).isEqualTo(1);
            }
        }
        assertThat(describe(out)).containsExactly("RESOLVED VigilRuleSeriesLimit g/High@900");
        assertThat(out.get(0).value()).isEqualTo(1);
        assertThat(refusals).hasSize(2);
        assertThat(store).doesNotContainKey(SeriesBudget.alertKey("g/High"));

        // A third series now fires it again.
        accept(e, "n5", 50, 950 * S);
        assertThat(describe(accept(e, "n6", 50, 950 * S))).containsExactly("FIRING VigilRuleSeriesLimit g/High@950");
    }

    /**
     * A quiet stream's time moves with the wall clock, off the evaluation grid: the alert still resolves at an
     * evaluation instant, as every alert does and as the same input replayed did (it resolved at the watermark's own
     * millisecond, less the grace).
     */
    @Test
    void theAlertResolvesAtAnEvaluationInstantWhateverTheWatermark() {
        final TaskEvaluator e = evaluator(1, HIGH);
        accept(e, "n1", 50, 10 * S);
        assertThat(describe(accept(e, "n2", 50, 10 * S))).containsExactly("FIRING VigilRuleSeriesLimit g/High@10");
        final List<AlertTransition> out = new ArrayList<>();
        for (long watermark = 23_700; watermark <= 700 * S; watermark += 10 * S) {
            out.addAll(advance(e, watermark));
        }
        assertThat(describe(out)).containsExactly("RESOLVED VigilRuleSeriesLimit g/High@610");
        assertThat(out.get(0).time()).isEqualTo(610 * S);
    }

    @Test
    void aRuleThatStaysFullKeepsItsAlertFiring() {
        final TaskEvaluator e = evaluator(1, HIGH);
        accept(e, "n1", 50, 10 * S);
        accept(e, "n2", 50, 10 * S);
        final List<AlertTransition> out = new ArrayList<>();
        for (long t = 20 * S; t <= 1200 * S; t += 10 * S) {
            out.addAll(accept(e, "n1", 50, t));
            out.addAll(advance(e, t));
        }
        assertThat(out).isEmpty();
        assertThat(e.budget().activeAlerts()).containsOnlyKeys("g/High");
    }

    @Test
    void aSeriesRefusedByOneRuleIsStillHeldForTheRulesWithRoom() {
        final TaskEvaluator e = evaluator(2, HIGH, LOW);
        accept(e, "x1", 5, 10 * S);   // Low only (High selects instance n.*)
        accept(e, "n1", 5, 10 * S);   // both; Low is now full
        final List<AlertTransition> limited = accept(e, "n2", 5, 10 * S);

        assertThat(describe(limited)).containsExactly("FIRING VigilRuleSeriesLimit g/Low@10");
        assertThat(e.state(node("n2").key()).ruleIndexes()).containsExactly(0);
        assertThat(refusals).containsExactly("g/Low");
        // Low fires for the two series it holds, not for n2, which is below 10 as well.
        assertThat(describe(advance(e, 30 * S))).containsExactly("FIRING Low n1@10", "FIRING Low x1@10");
    }

    @Test
    void aReloadCountsTheSeriesAgainUnderTheNewRuleIndexesAndResolvesTheAlertOfARemovedRule() {
        final TaskEvaluator e = evaluator(2, HIGH, LOW);
        accept(e, "n1", 50, 10 * S);
        accept(e, "n2", 50, 10 * S);
        assertThat(describe(accept(e, "n3", 50, 10 * S))).containsExactly(
                "FIRING VigilRuleSeriesLimit g/High@10", "FIRING VigilRuleSeriesLimit g/Low@10");
        advance(e, 30 * S);

        // High is removed; Low moves to index 1 behind a new rule that selects every cpu series.
        final TaskEvaluator.Outcome reloaded = e.reload(index(NOT_ZERO, LOW));
        persist(e, reloaded);
        assertThat(describe(reloaded.transitions())).containsExactly("RESOLVED VigilRuleSeriesLimit g/High@15");
        assertThat(reloaded.transitions().get(0).note()).contains(SeriesBudget.RULE_GONE);
        assertThat(e.budget().held(0)).isEqualTo(2);
        assertThat(e.budget().held(1)).isEqualTo(2);
        assertThat(e.budget().activeAlerts()).containsOnlyKeys("g/Low");
        assertThat(store).containsOnlyKeys(node("n1").key(), node("n2").key(), SeriesBudget.alertKey("g/Low"));

        // Both are full: a new series fires the new rule's alert, not Low's again.
        refusals.clear();
        assertThat(describe(accept(e, "n4", 50, 40 * S))).containsExactly("FIRING VigilRuleSeriesLimit g/NotZero@40");
        assertThat(refusals).containsExactlyInAnyOrder("g/NotZero", "g/Low");
    }

    @Test
    void theAlertsApiListsTheSelfAlertButNotItsRule() {
        final TaskEvaluator e = evaluator(1, HIGH);
        accept(e, "n1", 95, 10 * S);
        accept(e, "n2", 95, 10 * S);
        advance(e, 30 * S);
        // What the series store shows: the states with an alert, and the task's series per rule.
        final Map<String, byte[]> view = new TreeMap<>(store);
        view.put(SeriesStore.WATCHED_KEY, SeriesStore.encodeWatched(e.seriesPerRule()));
        final ReadOnlyKeyValueStore<String, byte[]> series = new MapStore(view);
        final ReadOnlyKeyValueStore<String, byte[]> empty = new MapStore(new TreeMap<>());

        final List<ActiveAlerts.ActiveAlert> active = ActiveAlerts.alerts(series, empty, e.rules());
        assertThat(active).extracting(a -> a.rule().alert() + " " + a.series().labels().get("rule")
                + a.series().labels().get("instance") + " " + a.numbers().value())
                .containsExactlyInAnyOrder("VigilRuleSeriesLimit g/High 1.0", "High n1 95.0");
        assertThat(ActiveAlerts.ruleStates(series, empty, active, e.rules(), GRACE))
                .containsOnlyKeys("g/High")
                .containsEntry("g/High", new ActiveAlerts.RuleState(1, 0, 1, Long.MIN_VALUE));
    }

    /** The store as {@code /api/alerts} reads it. */
    private record MapStore(Map<String, byte[]> map) implements ReadOnlyKeyValueStore<String, byte[]> {
        @Override
        public byte[] get(final String key) {
            return map.get(key);
        }

        @Override
        public KeyValueIterator<String, byte[]> range(final String from, final String to) {
            return SortedEntries.of(map, from, to);
        }

        @Override
        public KeyValueIterator<String, byte[]> all() {
            return range(null, null);
        }

        @Override
        public long approximateNumEntries() {
            return map.size();
        }
    }

    @Test
    void eachTaskHoldsItsShareOfTheLimitRoundedUp() {
        assertThat(new SeriesBudget(10, 4, 0, r -> { }).perTask()).isEqualTo(3);
        assertThat(new SeriesBudget(100_000, 6, 0, r -> { }).perTask()).isEqualTo(16_667);
        assertThat(new SeriesBudget(1, 6, 0, r -> { }).perTask()).isEqualTo(1);
        assertThat(new SeriesBudget(Integer.MAX_VALUE, 1, 0, r -> { }).perTask()).isEqualTo(Integer.MAX_VALUE);
    }
}
