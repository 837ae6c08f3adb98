package io.vigil.evaluation;

import io.vigil.model.Datapoint;
import io.vigil.model.Series;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Evaluates the rules over the series one stream task owns, in event time (rules.md, "Evaluation"). Free of Kafka:
 * {@link SeriesEvaluationProcessor} feeds it and persists what it reports as changed, so it can be tested by
 * stepping time by hand.
 *
 * <p>Evaluation instants are the epoch-aligned multiples of each group's {@code every}; instant {@code T} sees the
 * points in {@code (T - window, T]} and runs once the low watermark reaches {@code T + grace}. Instants where nothing
 * can happen (no point in any window, no alert pending or firing) are skipped, so a replay across a gap of months
 * costs nothing.
 */
public final class TaskEvaluator {

    /** What an evaluation pass changed: transitions to emit, series to persist or delete. */
    public record Outcome(List<AlertTransition> transitions, Set<String> changed, Set<String> removed) {
    }

    private static final Comparator<AlertTransition> EMIT_ORDER = Comparator
            .comparingLong((AlertTransition t) -> evaluationTime(t))
            .thenComparing(t -> t.rule().id())
            .thenComparing(t -> t.series().key());

    private final RuleIndex rules;
    private final long graceMs;
    private final long[] everyMs;
    private final long[] windowMs;
    private final long[] forMs;
    private final long[] keepFiringForMs;
    private final EventClock clock;
    private final Map<String, SeriesState> series = new HashMap<>();
    /** Everything at or before this event time has been evaluated (the low watermark last acted on). */
    private long evaluatedThrough = Long.MIN_VALUE;
    /** Per group, the next evaluation instant; Long.MIN_VALUE until the first evaluation. */
    private final long[] nextEvaluation;
    private long earliestPoint = Long.MAX_VALUE;
    private int activeAlerts;
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> removed = new HashSet<>();

    public TaskEvaluator(final RuleIndex rules, final long graceMs, final EventClock clock) {
        this.rules = rules;
        this.graceMs = graceMs;
        this.clock = clock;
        final int n = rules.ruleCount();
        this.windowMs = new long[n];
        this.forMs = new long[n];
        this.keepFiringForMs = new long[n];
        for (int i = 0; i < n; i++) {
            final Rule r = rules.rule(i);
            windowMs[i] = r.window().toMillis();
            forMs[i] = r.forDuration().toMillis();
            keepFiringForMs[i] = r.keepFiringFor().toMillis();
        }
        this.everyMs = rules.groups().stream().mapToLong(g -> g.every().toMillis()).toArray();
        this.nextEvaluation = new long[everyMs.length];
        java.util.Arrays.fill(nextEvaluation, Long.MIN_VALUE);
    }

    public EventClock clock() {
        return clock;
    }

    public long evaluatedThrough() {
        return evaluatedThrough;
    }

    /** Puts back state read from the store when a task starts. */
    void restore(final String key, final SeriesState state) {
        state.setRuleIndexes(rules.match(state.series()));
        series.put(key, state);
        earliestPoint = Math.min(earliestPoint, state.earliestTimestamp());
        activeAlerts += state.alerts().size();
    }

    void restoreProgress(final long evaluatedThrough, final long[] nextEvaluation) {
        this.evaluatedThrough = evaluatedThrough;
        if (nextEvaluation.length == this.nextEvaluation.length) {
            System.arraycopy(nextEvaluation, 0, this.nextEvaluation, 0, nextEvaluation.length);
        }
    }

    long[] nextEvaluation() {
        return nextEvaluation.clone();
    }

    /**
     * Takes a datapoint into its series' windows.
     *
     * @return false when it is too late to be seen by any evaluation (its instant has already run), or no rule
     *         selects its series
     */
    public boolean accept(final Datapoint point) {
        if (evaluatedThrough != Long.MIN_VALUE && point.timestampMs() <= evaluatedThrough - graceMs) {
            return false;
        }
        final Series s = point.series();
        final String key = s.key();
        SeriesState state = series.get(key);
        if (state == null) {
            final int[] matched = rules.match(s);
            if (matched.length == 0) {
                return false;
            }
            state = new SeriesState(s);
            state.setRuleIndexes(matched);
            series.put(key, state);
            removed.remove(key);
        }
        state.add(point.timestampMs(), point.value());
        earliestPoint = Math.min(earliestPoint, point.timestampMs());
        dirty.add(key);
        return true;
    }

    public int seriesCount() {
        return series.size();
    }

    /** Runs every evaluation instant the current low watermark allows. */
    public Outcome advance() {
        final List<AlertTransition> transitions = new ArrayList<>();
        final OptionalLong low = clock.lowWatermark();
        if (low.isPresent() && low.getAsLong() > evaluatedThrough) {
            evaluateThrough(low.getAsLong() - graceMs, transitions);
            evaluatedThrough = low.getAsLong();
        }
        transitions.sort(EMIT_ORDER);
        final Outcome outcome = new Outcome(transitions, Set.copyOf(dirty), Set.copyOf(removed));
        dirty.clear();
        removed.clear();
        return outcome;
    }

    /** Changes made by {@link #accept} that the caller has to persist. */
    public Set<String> drainChanged() {
        final Set<String> changed = Set.copyOf(dirty);
        dirty.clear();
        return changed;
    }

    SeriesState state(final String key) {
        return series.get(key);
    }

    private void evaluateThrough(final long limit, final List<AlertTransition> out) {
        if (everyMs.length == 0 || series.isEmpty() && activeAlerts == 0) {
            return;
        }
        for (int g = 0; g < everyMs.length; g++) {
            if (nextEvaluation[g] == Long.MIN_VALUE) {
                nextEvaluation[g] = alignUp(earliestPoint == Long.MAX_VALUE ? limit : earliestPoint, everyMs[g]);
            }
        }
        final boolean[] due = new boolean[everyMs.length];
        while (true) {
            long t = Long.MAX_VALUE;
            for (long next : nextEvaluation) {
                t = Math.min(t, next);
            }
            if (t > limit) {
                return;
            }
            if (activeAlerts == 0 && earliestPoint > t) {
                // Nothing can change before the earliest buffered point: jump over the gap.
                if (earliestPoint == Long.MAX_VALUE || earliestPoint > limit) {
                    skipTo(Math.min(earliestPoint, limit));
                    return;
                }
                skipTo(earliestPoint);
                continue;
            }
            for (int g = 0; g < due.length; g++) {
                due[g] = nextEvaluation[g] == t;
                if (due[g]) {
                    nextEvaluation[g] += everyMs[g];
                }
            }
            evaluateAt(t, due, out);
        }
    }

    /** Moves every group's next instant to the first one at or after {@code t} (never backwards). */
    private void skipTo(final long t) {
        for (int g = 0; g < everyMs.length; g++) {
            nextEvaluation[g] = Math.max(nextEvaluation[g], alignUp(t, everyMs[g]));
        }
    }

    private void evaluateAt(final long t, final boolean[] due, final List<AlertTransition> out) {
        long nextT = Long.MAX_VALUE;
        for (long next : nextEvaluation) {
            nextT = Math.min(nextT, next);
        }
        final long keepAfter = nextT - rules.maxWindowMs();
        long earliest = Long.MAX_VALUE;
        int active = 0;
        final var it = series.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<String, SeriesState> e = it.next();
            final SeriesState state = e.getValue();
            if (evaluateSeries(state, t, due, out)) {
                dirty.add(e.getKey());
            }
            if (state.pruneThrough(keepAfter)) {
                dirty.add(e.getKey());
            }
            if (state.isEmpty()) {
                it.remove();
                dirty.remove(e.getKey());
                removed.add(e.getKey());
                continue;
            }
            earliest = Math.min(earliest, state.earliestTimestamp());
            active += state.alerts().size();
        }
        earliestPoint = earliest;
        activeAlerts = active;
    }

    /** Returns whether the series' alert state changed. */
    private boolean evaluateSeries(final SeriesState state, final long t, final boolean[] due,
                                   final List<AlertTransition> out) {
        boolean changed = false;
        for (int i : state.ruleIndexes()) {
            if (!due[rules.groupOf(i)]) {
                continue;
            }
            final Rule rule = rules.rule(i);
            // The one place rule kinds branch; deviation, outlier and absent join here.
            if (!(rule.condition() instanceof Condition.Threshold threshold)) {
                continue;
            }
            final int from = state.firstIndexAfter(t - windowMs[i]);
            final int to = state.firstIndexAfter(t);
            final double value = from < to
                    ? WindowAggregator.compute(rule.aggregate(), state.timestamps(), state.values(), from, to)
                    : Double.NaN;
            final AlertStatus prev = state.alert(rule.id());
            final boolean holds = !Double.isNaN(value) && threshold.holds(value, prev.isFiring());
            final AlertLifecycle.Step step = AlertLifecycle.next(prev, holds, t, forMs[i], keepFiringForMs[i]);
            if (!step.status().equals(prev)) {
                state.setAlert(rule.id(), step.status());
                changed = true;
            }
            step.event().ifPresent(kind -> out.add(
                    new AlertTransition(rule, state.series(), kind, step.status(), value, Double.NaN, Double.NaN)));
        }
        return changed;
    }

    private static long evaluationTime(final AlertTransition t) {
        final AlertStatus s = t.status();
        return switch (t.kind()) {
            case PENDING -> s.activeAt();
            case FIRING -> s.firedAt();
            case RESOLVED -> s.resolvedAt();
        };
    }

    static long alignUp(final long t, final long step) {
        final long down = Math.floorDiv(t, step) * step;
        return down == t ? t : down + step;
    }
}
