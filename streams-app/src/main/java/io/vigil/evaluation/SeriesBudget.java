package io.vigil.evaluation;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import io.vigil.rules.SeriesSelector;
import io.vigil.rules.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The cardinality guard of one evaluator task ({@code evaluation.max_series_per_rule}): how many series each rule
 * holds here, which new series a rule may still take, and the alert about Vigil itself that says a rule is full.
 *
 * <p>A task holds one share of the limit, {@code ceil(limit / series partitions)}: tasks cannot see each other's
 * counts, and series are spread evenly over the partitions by the hash of their key, so the whole engine holds about
 * the limit, never more than a partition's rounding above it.
 *
 * <p>Only a new series asks: {@link #admit} keeps the rules that have room and counts it for them. Series that are
 * already held (restored from the store, or re-matched after a rule reload) are counted without asking, so a restart
 * holds exactly the series held before it; a rule can then be above its share until series leave.
 *
 * <p>The first refusal of a rule fires {@code VigilRuleSeriesLimit} for it. It resolves once the rule has room again
 * and has refused nothing for {@link #QUIET_MS} of event time, or when the rule is gone: room alone would make it
 * flap, since series that arrive together leave together, and the next ones fill the room at once. The alert's status
 * is kept in the task's series store under a key no series can have, so a restart neither fires it again nor forgets
 * it.
 */
public final class SeriesBudget {

    /** The self-alert's name. */
    public static final String ALERT = "VigilRuleSeriesLimit";
    /** The metric name of the series the self-alert is about (with labels {@code rule} and {@code partition}). */
    public static final String METRIC = "vigil_series_limit";
    /**
     * Prefix of the store keys of the self-alerts. Series keys start with a metric name, which never holds a control
     * character (ingest refuses it).
     */
    static final String KEY_PREFIX = "\u0001" + METRIC + "/";

    static final String RULE_GONE = "the rule was removed or renamed by a rule reload";
    /** How long (event time) a rule with room must have refused nothing before its alert resolves. */
    static final long QUIET_MS = Duration.ofMinutes(10).toMillis();
    /** A restored alert's last refusal is not stored: its quiet period starts at the first evaluation after. */
    private static final long UNKNOWN = Long.MAX_VALUE;

    /**
     * The rule of the self-alerts, built in: it is no rule of the user's, is never evaluated, and is left out of
     * {@code /api/rules}. Its {@code $value} is the number of series the rule holds in the task: its share when it
     * fires.
     */
    public static final Rule ALERT_RULE = new Rule("vigil", ALERT, new SeriesSelector(METRIC, List.of()), Aggregate.LAST,
            Duration.ofSeconds(1), Duration.ofSeconds(1), new Condition.Threshold(true, 0, OptionalDouble.empty()),
            Duration.ZERO, Duration.ZERO, Map.of("severity", Template.literal("warning")), Map.of(
                    "summary", Template.parse("Rule {{ $labels.rule }} holds as many series as it may on partition "
                            + "{{ $labels.partition }}: its new series are not evaluated", false),
                    "description", Template.parse("The evaluator task of partition {{ $labels.partition }} holds "
                            + "{{ $value }} series of this rule, its share of evaluation.max_series_per_rule (the limit"
                            + " divided by the partitions of the evaluation stage, rounded up). Series beyond it are"
                            + " neither held nor evaluated, and are counted in vigil_series_limited_total. Raise"
                            + " evaluation.max_series_per_rule if the series are real, or narrow the rule's selector if"
                            + " a label is exploding.", false)),
            "(built in)", 0);

    private final int perTask;
    private final int partition;
    private final Consumer<String> onRefused;
    private RuleIndex rules;
    /** Series held per rule index of {@link #rules}. */
    private int[] held = new int[0];
    private final Map<String, Integer> indexById = new HashMap<>();
    /** The self-alerts firing, by the id of the rule they are about. */
    private final Map<String, LimitAlert> alerts = new HashMap<>();
    /** Fired by {@link #admit}, to be emitted by the caller. */
    private final List<AlertTransition> fired = new ArrayList<>();

    /**
     * @param maxSeriesPerRule the configured limit for the whole engine
     * @param partitions       how many evaluator tasks share it (partitions of the series repartition topic)
     * @param partition        this task's partition, a label of its self-alerts
     * @param onRefused        told the rule id each time a series is refused by it
     */
    public SeriesBudget(final int maxSeriesPerRule, final int partitions, final int partition,
                        final Consumer<String> onRefused) {
        if (maxSeriesPerRule <= 0 || partitions <= 0) {
            throw new IllegalArgumentException("the series limit and the partitions must be above 0");
        }
        this.perTask = (int) ((maxSeriesPerRule + (long) partitions - 1) / partitions);
        this.partition = partition;
        this.onRefused = onRefused;
    }

    /** No limit worth the name: for tests and tools that build an evaluator by hand. */
    static SeriesBudget unlimited() {
        return new SeriesBudget(Integer.MAX_VALUE, 1, 0, ruleId -> { });
    }

    /** How many series each rule may hold in this task. */
    public int perTask() {
        return perTask;
    }

    /** Moves to a new rule list; the caller then {@link #hold}s every series it keeps. */
    void useRules(final RuleIndex index) {
        this.rules = index;
        this.held = new int[index.ruleCount()];
        indexById.clear();
        for (int i = 0; i < index.ruleCount(); i++) {
            indexById.put(index.rule(i).id(), i);
        }
    }

    /**
     * The rules of {@code matched} that may take the new series {@code series}, counted for them; the others
     * refuse it (counted, and their self-alert fires if it is not already active). Returns {@code matched} itself
     * when every rule has room.
     */
    int[] admit(final int[] matched, final Series series, final long timestampMs) {
        int refused = 0;
        for (int i : matched) {
            if (held[i] >= perTask) {
                refused++;
            }
        }
        if (refused == 0) {
            hold(matched);
            return matched;
        }
        final int[] kept = new int[matched.length - refused];
        int n = 0;
        for (int i : matched) {
            if (held[i] < perTask) {
                kept[n++] = i;
                held[i]++;
            } else {
                refuse(rules.rule(i), timestampMs);
            }
        }
        return kept;
    }

    private void refuse(final Rule rule, final long timestampMs) {
        onRefused.accept(rule.id());
        final LimitAlert active = alerts.get(rule.id());
        if (active != null) {
            active.refusedAt(timestampMs);
            return;
        }
        final SeriesState state = new SeriesState(new Series(METRIC,
                Labels.of("partition", Integer.toString(partition), "rule", rule.id())));
        final AlertStatus status = new AlertStatus(AlertState.FIRING, timestampMs, timestampMs, AlertStatus.NONE,
                AlertStatus.NONE);
        state.setAlert(ALERT_RULE.id(), status);
        state.setNumbers(ALERT_RULE.id(), new AlertNumbers(perTask, Double.NaN, Double.NaN));
        alerts.put(rule.id(), new LimitAlert(state, timestampMs));
        fired.add(new AlertTransition(ALERT_RULE, state.series(), AlertTransition.Kind.FIRING, status, perTask,
                Double.NaN, Double.NaN));
    }

    /** Counts a series held for these rules. */
    void hold(final int[] ruleIndexes) {
        for (int i : ruleIndexes) {
            held[i]++;
        }
    }

    /** A series no longer held for these rules. */
    void release(final int[] ruleIndexes) {
        for (int i : ruleIndexes) {
            held[i]--;
        }
    }

    int held(final int ruleIndex) {
        return held[ruleIndex];
    }

    static boolean isAlertKey(final String key) {
        return key.startsWith(KEY_PREFIX);
    }

    static String alertKey(final String ruleId) {
        return KEY_PREFIX + ruleId;
    }

    /** Puts back a self-alert read from the store. */
    void restoreAlert(final SeriesState state) {
        final String ruleId = state.series().labels().get("rule");
        if (ruleId != null && !state.alert(ALERT_RULE.id()).isInactive()) {
            alerts.put(ruleId, new LimitAlert(state, UNKNOWN));
        }
    }

    /** The stored state of a self-alert, by its store key; null if it is not active. */
    SeriesState alertState(final String key) {
        final LimitAlert alert = isAlertKey(key) ? alerts.get(key.substring(KEY_PREFIX.length())) : null;
        return alert == null ? null : alert.state;
    }

    boolean hasFired() {
        return !fired.isEmpty();
    }

    /** Whether any self-alert is active, which {@link #settle} may resolve. */
    boolean hasActive() {
        return !alerts.isEmpty();
    }

    /** The self-alerts {@link #admit} fired since the last call, marking their states changed. */
    List<AlertTransition> drainFired(final Set<String> changed) {
        final List<AlertTransition> out = List.copyOf(fired);
        fired.clear();
        for (AlertTransition t : out) {
            changed.add(alertKey(t.series().labels().get("rule")));
        }
        return out;
    }

    /**
     * Resolves the self-alerts whose rule has room again and has refused nothing for {@link #QUIET_MS}, or is gone, at
     * event time {@code now} (Long.MIN_VALUE when nothing was evaluated yet).
     */
    void settle(final long now, final List<AlertTransition> out, final Set<String> removed) {
        if (alerts.isEmpty() || now == Long.MIN_VALUE) {
            return;
        }
        final var it = alerts.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<String, LimitAlert> e = it.next();
            final LimitAlert alert = e.getValue();
            if (alert.lastRefusedAt == UNKNOWN) {
                alert.lastRefusedAt = now;
            }
            final int index = indexById.getOrDefault(e.getKey(), -1);
            if (index >= 0 && (held[index] >= perTask || now - alert.lastRefusedAt < QUIET_MS)) {
                continue;
            }
            final AlertStatus prev = alert.state.alert(ALERT_RULE.id());
            final AlertStatus resolved = prev.resolved(now);
            out.add(new AlertTransition(ALERT_RULE, alert.state.series(), AlertTransition.Kind.RESOLVED, resolved,
                    index >= 0 ? held[index] : Double.NaN, Double.NaN, Double.NaN,
                    index >= 0 ? Optional.empty() : Optional.of(RULE_GONE)));
            it.remove();
            removed.add(alertKey(e.getKey()));
        }
    }

    /** The self-alerts active in this task, for tests and the alerts API. */
    Map<String, SeriesState> activeAlerts() {
        final Map<String, SeriesState> out = new HashMap<>();
        alerts.forEach((rule, alert) -> out.put(rule, alert.state));
        return out;
    }

    /** A rule's firing self-alert, as stored, and when the rule last refused a series. */
    private static final class LimitAlert {
        private final SeriesState state;
        private long lastRefusedAt;

        LimitAlert(final SeriesState state, final long lastRefusedAt) {
            this.state = state;
            this.lastRefusedAt = lastRefusedAt;
        }

        void refusedAt(final long timestampMs) {
            lastRefusedAt = lastRefusedAt == UNKNOWN ? timestampMs : Math.max(lastRefusedAt, timestampMs);
        }
    }

    @Override
    public String toString() {
        return "SeriesBudget[perTask=" + perTask + ", held=" + Arrays.toString(held) + ", alerts=" + alerts.keySet() + "]";
    }
}
