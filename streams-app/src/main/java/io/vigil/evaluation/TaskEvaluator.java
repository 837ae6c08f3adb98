package io.vigil.evaluation;

import io.vigil.ingest.SeriesBundle;
import io.vigil.model.Datapoint;
import io.vigil.model.DurationSyntax;
import io.vigil.model.EvaluationInstants;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Evaluates the rules over the series one stream task owns, in event time (rules.md, "Evaluation"). Free of Kafka:
 * {@link SeriesEvaluationProcessor} feeds it and persists what it reports as changed, so it can be tested by
 * stepping time by hand.
 *
 * <p>Evaluation instants are the epoch-aligned multiples of each group's {@code every}; instant {@code T} sees the
 * points in {@code (T - window, T]} and runs once the low watermark reaches {@code T + grace}. Instants where nothing
 * can happen (no point in any window, no alert pending or firing, no silence coming due) are skipped, so a replay
 * across a gap of months costs nothing.
 *
 * <p>Threshold, deviation and absent rules are decided here, per series. Outlier rules need the series' peers, which
 * other tasks hold: for those this task only computes each member's aggregate and hands it on as a
 * {@link PeerValue} to {@link PeerGroupEvaluator}.
 */
public final class TaskEvaluator {

    /**
     * What an evaluation pass produced: transitions to emit, peer values to send, series to persist or delete. Changed
     * series are named by their states, each stored under its own key (a state holds its key in pieces, and building
     * the string of every series a pass changed cost more than the pass), Vigil's self-alerts by their store keys.
     */
    public record Outcome(List<AlertTransition> transitions, List<PeerValue> peerValues, List<SeriesState> changed,
                          Set<String> changedAlerts, Set<String> removed) {
    }

    static final String FORGOTTEN = "series not seen for the `forget` period (evaluation.forget); Vigil stopped tracking it";

    private static final Comparator<AlertTransition> EMIT_ORDER = Comparator
            .comparingLong(AlertTransition::time)
            .thenComparing(t -> t.rule().id())
            .thenComparing(t -> t.series().key());

    /**
     * Most instants one pass evaluates series by series ({@link #evaluateBatch}): each series' instants in a row, its
     * state read once for them rather than once per instant.
     */
    static final int BATCH_INSTANTS = 16;
    /** The most keys of series no rule selects a task remembers ({@link #unselected}): about a megabyte. */
    static final int MAX_UNSELECTED = 10_000;
    /** The most characters those keys take: a key may be long (64 labels of 2,048 characters pass ingest). */
    static final int MAX_UNSELECTED_CHARS = 2_000_000;

    private static final byte KIND_THRESHOLD = 1;
    private static final byte KIND_DEVIATION = 2;
    private static final byte KIND_ABSENT = 3;
    private static final byte KIND_OUTLIER = 4;

    private RuleIndex rules;
    /** The rules' evaluation step ({@link RuleIndex#everyGcdMs()}), which lateness rounds a point's timestamp up to. */
    private long stepMs;
    private final long graceMs;
    private final long forgetMs;
    private long[] everyMs;
    private long[] windowMs;
    private long[] forMs;
    private long[] keepFiringForMs;
    /** For deviation rules, how many evaluations their baseline spans. */
    private long[] baselineEvaluations;
    /** Rule.id() of each rule: it builds a new string on every call, and evaluation asks per series and rule. */
    private String[] ruleIds;
    // Per rule, what the evaluation pass asks of it for every series at every instant, read from arrays rather than
    // through the rule's records (a type switch over its condition, a Duration per call).
    /** Which kind of condition: one of the KIND_ constants (0 for none of them). */
    private byte[] kinds;
    private int[] groupOfRule;
    private Aggregate[] aggregates;
    /** Whether the aggregate reads the window's timestamps as well as its values. */
    private boolean[] readsTimes;
    /** For absent rules, their {@code after}. */
    private long[] absentAfterMs;
    /**
     * For each rule, the last instant evaluated before a rule reload brought it in its present definition (new or
     * changed), {@link Long#MIN_VALUE} for a rule in force since the task started. An absent rule's alert is active
     * from when its series fell silent, but not from before its definition watched: a changed absent rule's alert
     * came back with the startsAt of the one the reload resolved, so its events repeated that one's Idempotency-Key
     * (formats.md: FINGERPRINT-STATUS-STARTSAT) and a receiver dropping duplicates kept it resolved.
     */
    private long[] definedSinceMs;
    /** The shortest {@code after} of the absent rules, none: {@link Long#MAX_VALUE} ({@link #advanceOnWallClock}). */
    private long shortestAbsentAfterMs = Long.MAX_VALUE;
    private final EventClock clock;
    private final SeriesTable series = new SeriesTable();
    /** The rule indexes' arrays in use, one per distinct set of rules; emptied when the rules change. */
    private final Map<RuleIndexes, int[]> sharedIndexes = new HashMap<>();
    /** Room for a window's timestamps as whole milliseconds, which {@link SeriesState} keeps as offsets. */
    private long[] timeScratch = new long[64];
    /** And for its values, which it may keep as decimal digits. */
    private double[] valueScratch = new double[64];
    /** Everything at or before this event time has been evaluated (the low watermark last acted on). */
    private long evaluatedThrough = Long.MIN_VALUE;
    /** Set by a take that refused its point as late ({@link #lastRefusedAsLate}). */
    private boolean lastRefusedAsLate;
    /** Per group, the next evaluation instant; Long.MIN_VALUE until the first evaluation. */
    private long[] nextEvaluation;
    /**
     * Whether {@link #nextEvaluation} is still the first schedule, set from the earliest point then held and nothing
     * evaluated since: a point earlier than that one, arriving within the grace, moves the first instants back to its
     * own, so that which instants are evaluated does not depend on the order the first points came in.
     */
    private boolean firstSchedule;
    /** What {@link #lookAhead} read, kept only so that its reads happen. */
    private int lookedAhead;
    private long earliestPoint = Long.MAX_VALUE;
    /** The earliest time a silence may become an absent alert, or a quiet series may be forgotten. */
    private long nextDeadline = Long.MAX_VALUE;
    private int activeAlerts;
    /**
     * Whether the last advance left groups due at an instant unevaluated ({@link #advanceFastestFirst}): their
     * {@link #nextEvaluation} is still that instant, and the next advance of any kind starts there.
     */
    private boolean heldBack;
    /** Moves whenever {@link #evaluatedThrough} or the schedule does: what the caller persists and reports. */
    private long progressVersion;
    /** Of the active alerts, those firing; counted with them, for the task's gauges. */
    private int firingAlerts;
    /**
     * The series by the rule groups they have rules in (their visit class): a pass visits only the classes with a group
     * due. With groups of different {@code every} (a fleet's every 10 s, a few series' every 1 s), visiting every
     * series at every instant of the fastest group was most of the pass: 200,000 series read and pruned every second
     * for 8 probes' rule. Class 0 is visited at every instant: the series of tasks with more groups than a mask holds.
     */
    private final VisitClasses classes = new VisitClasses();
    /** The states changed since the caller last took them, each once; swapped when taken. */
    private List<SeriesState> dirty = new ArrayList<>();
    /**
     * The number of the current `dirty` list, 1 to {@link Byte#MAX_VALUE}: a state is on it if its
     * {@link SeriesState#listedIn()} is this number. The numbers go round; before one is used again every held state is
     * marked as on no list.
     */
    private byte dirtyList = 1;
    /** The store keys of the self-alerts changed since. */
    private Set<String> dirtyAlerts = new HashSet<>();
    private final Set<String> removed = new HashSet<>();
    /**
     * Keys of series no rule selects, so that their next points are not matched again: a series no rule holds has no
     * state to remember that by, and a selector's regex can cost seconds a point on long labels (RE2/J's time is
     * linear in the label's length times the regex's size; a hostile-input audit: 2 s a point of a series the rule
     * did not select). Bounded by count and characters: a full set is emptied and fills again. Emptied with new rules,
     * which may select them.
     */
    private final Set<String> unselected = new HashSet<>();
    private long unselectedChars;
    /** How many series each rule holds, and which new ones it may take (evaluation.max_series_per_rule). */
    private final SeriesBudget budget;
    /** Where a deviation rule's baseline is reordered to find its median, for every series in turn. */
    private final double[] baselineWork = new double[Baseline.MAX_SAMPLES];
    /**
     * The baselines whose alert an empty window ended: the gap that followed began while the alert was active, when
     * the history stands still, so it is not counted as time at the next point. Counted, each such flap pushed a
     * value of the normal before the anomaly out, until too few were left to judge and a sustained anomaly on a
     * series with gaps paged no more (a re-check of the change that counts gaps). Weakly held: a baseline dropped with
     * its series or rule leaves it. Not kept across a restart, where one such gap is counted.
     */
    private final Set<Baseline> gapsWhileActive = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());
    // The instants of a batch (evaluateBatch): their times, due groups (as a mask and by group), and the time through
    // which the points are no longer needed after each.
    private final long[] batchTimes = new long[BATCH_INSTANTS];
    private final long[] batchMasks = new long[BATCH_INSTANTS];
    private final long[] batchKeepAfter = new long[BATCH_INSTANTS];
    private boolean[][] batchDue = new boolean[BATCH_INSTANTS][0];
    private long[] batchNext = new long[0];
    /** Each instant's peer values, put together in the order of their instants at the batch's end. */
    private final List<List<PeerValue>> batchPeers = new ArrayList<>();

    public TaskEvaluator(final RuleIndex rules, final long graceMs, final long forgetMs, final EventClock clock) {
        this(rules, graceMs, forgetMs, clock, SeriesBudget.unlimited());
    }

    public TaskEvaluator(final RuleIndex rules, final long graceMs, final long forgetMs, final EventClock clock,
                         final SeriesBudget budget) {
        this.budget = budget;
        this.graceMs = graceMs;
        this.forgetMs = forgetMs;
        this.clock = clock;
        useRules(rules);
        this.nextEvaluation = new long[everyMs.length];
        Arrays.fill(nextEvaluation, Long.MIN_VALUE);
    }

    private void useRules(final RuleIndex index) {
        this.rules = index;
        unselected.clear();
        unselectedChars = 0;
        this.stepMs = index.everyGcdMs();
        sharedIndexes.clear();
        budget.useRules(index);
        final int n = index.ruleCount();
        this.windowMs = new long[n];
        this.forMs = new long[n];
        this.keepFiringForMs = new long[n];
        this.baselineEvaluations = new long[n];
        this.ruleIds = new String[n];
        this.kinds = new byte[n];
        this.groupOfRule = new int[n];
        this.aggregates = new Aggregate[n];
        this.readsTimes = new boolean[n];
        this.absentAfterMs = new long[n];
        this.definedSinceMs = new long[n];
        Arrays.fill(definedSinceMs, Long.MIN_VALUE);
        for (int i = 0; i < n; i++) {
            final Rule r = index.rule(i);
            ruleIds[i] = r.id();
            windowMs[i] = r.window().toMillis();
            forMs[i] = r.forDuration().toMillis();
            keepFiringForMs[i] = r.keepFiringFor().toMillis();
            groupOfRule[i] = index.groupOf(i);
            aggregates[i] = r.aggregate();
            readsTimes[i] = r.aggregate() != null && WindowAggregator.readsTimestamps(r.aggregate());
            if (r.condition() instanceof Condition.Deviation d) {
                kinds[i] = KIND_DEVIATION;
                baselineEvaluations[i] = Math.max(1, d.baseline().toMillis() / r.every().toMillis());
            } else if (r.condition() instanceof Condition.Threshold) {
                kinds[i] = KIND_THRESHOLD;
            } else if (r.condition() instanceof Condition.Absent a) {
                kinds[i] = KIND_ABSENT;
                absentAfterMs[i] = a.after().toMillis();
            } else if (r.condition() instanceof Condition.Outlier) {
                kinds[i] = KIND_OUTLIER;
            }
        }
        this.everyMs = index.groups().stream().mapToLong(g -> g.every().toMillis()).toArray();
        long shortestAfter = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (kinds[i] == KIND_ABSENT) {
                shortestAfter = Math.min(shortestAfter, absentAfterMs[i]);
            }
        }
        this.shortestAbsentAfterMs = shortestAfter;
        classes.clear();
    }

    public RuleIndex rules() {
        return rules;
    }

    /**
     * Moves to a new rule set (hot reload), keeping what {@link RuleChange} keeps: an alert whose rule still has its
     * name and labels and still selects its series, a baseline still built the same way; the other alerts are dropped,
     * and those that were firing resolve, saying why. Groups keep their evaluation schedule by name.
     */
    public Outcome reload(final RuleIndex next) {
        return reload(next, RuleChange.RELOAD);
    }

    /**
     * Moves to a new rule set, keeping what {@code change} keeps: {@link #reload(RuleIndex)}, or after a restart from
     * the rules the task ran before it to those in force.
     */
    Outcome reload(final RuleIndex next, final RuleChange change) {
        final RuleIndex old = rules;
        final long[] schedule = new long[next.groups().size()];
        Arrays.fill(schedule, Long.MIN_VALUE);
        for (int g = 0; g < schedule.length; g++) {
            for (int o = 0; o < old.groups().size(); o++) {
                if (old.groups().get(o).name().equals(next.groups().get(g).name())
                        && old.groups().get(o).every().equals(next.groups().get(g).every())) {
                    schedule[g] = nextEvaluation[o];
                }
            }
        }
        final long now = evaluatedThrough == Long.MIN_VALUE ? Long.MIN_VALUE : evaluatedThrough - graceMs;
        final List<AlertTransition> out = new ArrayList<>();
        final var it = series.iterator();
        while (it.hasNext()) {
            final SeriesState state = it.next();
            for (Map.Entry<String, AlertStatus> alert : Map.copyOf(state.alerts()).entrySet()) {
                final Optional<Rule> before = old.byId(alert.getKey());
                final Optional<Rule> after = next.byId(alert.getKey());
                if (after.isPresent() && before.isPresent()
                        && change.keepsAlert(before.get(), after.get(), state.series())) {
                    continue;
                }
                final AlertStatus prev = alert.getValue();
                if (prev.isFiring() && before.isPresent()) {
                    final AlertStatus resolved = prev.resolved(lastInstant(now, before.get()));
                    final AlertNumbers last = state.numbers(alert.getKey());
                    out.add(new AlertTransition(before.get(), state.series(), AlertTransition.Kind.RESOLVED, resolved,
                            last.value(), last.median(), last.z(), Optional.of(change.reason()),
                            state.labelNumbers(alert.getKey())));
                }
                state.setAlert(alert.getKey(), AlertStatus.INACTIVE);
                changed(state);
            }
            for (String ruleId : Set.copyOf(state.baselines().keySet())) {
                final Optional<Rule> before = old.byId(ruleId);
                final Optional<Rule> after = next.byId(ruleId);
                if (after.isEmpty() || before.isEmpty() || !change.keepsRule(before.get(), after.get())) {
                    state.removeBaseline(ruleId);
                    changed(state);
                }
            }
            final int[] matched = next.match(state.series());
            state.setRuleIndexes(matched);
            if (matched.length == 0) {
                // Listed or not: the store writes no state listed before its key is deleted.
                it.remove();
                removed.add(state.key());
            }
        }
        final Map<String, Long> sinceOfUnchanged = new HashMap<>();
        for (int i = 0; i < ruleIds.length; i++) {
            final Optional<Rule> after = next.byId(ruleIds[i]);
            if (after.isPresent() && change.keepsRule(old.rule(i), after.get())) {
                sinceOfUnchanged.put(ruleIds[i], definedSinceMs[i]);
            }
        }
        useRules(next);
        for (int i = 0; i < ruleIds.length; i++) {
            definedSinceMs[i] = sinceOfUnchanged.getOrDefault(ruleIds[i], now);
        }
        for (SeriesState st : series) {
            useIndexes(st, st.ruleIndexes(), null);
            budget.hold(st.ruleIndexes());
        }
        series.reclassify();
        budget.settle(now, out, removed);
        nextEvaluation = schedule;
        firstSchedule = false;
        for (SeriesState st : series) {
            classes.add(st.visitClass(), st.earliestTimestamp(), Long.MIN_VALUE, st.alerts().size(), firing(st));
        }
        earliestPoint = classes.earliest();
        nextDeadline = Long.MIN_VALUE;
        activeAlerts = classes.active();
        firingAlerts = classes.firing();
        out.sort(EMIT_ORDER);
        return outcome(out, List.of());
    }

    public EventClock clock() {
        return clock;
    }

    public long evaluatedThrough() {
        return evaluatedThrough;
    }

    /** Puts back state read from the store when a task starts. */
    void restore(final String key, final SeriesState state) {
        if (SeriesBudget.isAlertKey(key)) {
            budget.restoreAlert(state);
            return;
        }
        final Series s = state.series();
        useIndexes(state, rules.match(s), s);
        budget.hold(state.ruleIndexes());
        series.put(state);
        classes.add(state.visitClass(), state.earliestTimestamp(), Long.MIN_VALUE, state.alerts().size(),
                firing(state));
        earliestPoint = Math.min(earliestPoint, state.earliestTimestamp());
        nextDeadline = Long.MIN_VALUE;
        activeAlerts += state.alerts().size();
        firingAlerts += firing(state);
    }

    void restoreProgress(final long evaluatedThrough, final long[] nextEvaluation) {
        this.evaluatedThrough = evaluatedThrough;
        firstSchedule = false;
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
        final SeriesState state = take(point.series().key(), point.timestampMs(), point.value(), point.series());
        if (state == null) {
            return false;
        }
        changed(state);
        return true;
    }

    /**
     * The processor's way in: {@link #accept} for a point known by its series' key, returning the series' changed
     * state (null if the point was not taken) for the caller to persist itself, rather than through the set
     * {@link #drainChanged} empties: that set costs hashing, an allocation and a lookup per datapoint.
     *
     * @param known the series, or null to rebuild it from {@code key} if this task does not hold it yet
     * @throws IllegalArgumentException if the series is new, not known, and {@code key} is not a {@link Series#key()}
     */
    SeriesState take(final String key, final long timestampMs, final double value, final Series known) {
        lastRefusedAsLate = false;
        final boolean maybeLate = tooLate(timestampMs);
        final SeriesState found = series.get(key);
        if (found == null) {
            return took(newState(key, known, timestampMs, maybeLate), timestampMs, value);
        }
        return maybeLate && lateFor(found.ruleIndexes(), timestampMs) ? null : took(found, timestampMs, value);
    }

    /**
     * {@link #take(String, long, double, Series)} for a point handed over in the task, whose series ingest hands over
     * at every scrape as the same object: after its first lookup it remembers its state's interned key, and is found
     * by that, without reading its key.
     */
    SeriesState take(final Series of, final long timestampMs, final double value) {
        lastRefusedAsLate = false;
        final boolean maybeLate = tooLate(timestampMs);
        final String head = of.internedKeyHead();
        final String tail = of.internedKeyTail();
        SeriesState state = head != null && tail != null ? series.get(of.keyHash(), head, tail) : null;
        if (state == null) {
            final String key = of.key();
            state = series.get(key);
            if (state == null) {
                state = newState(key, of, timestampMs, maybeLate);
                if (state == null) {
                    return null;
                }
                of.rememberInternedKey(state.keyHead(), state.keyTail());
                return took(state, timestampMs, value);
            }
            of.rememberInternedKey(state.keyHead(), state.keyTail());
        }
        return maybeLate && lateFor(state.ruleIndexes(), timestampMs) ? null : took(state, timestampMs, value);
    }

    /**
     * Whether a point of {@code timestampMs} comes after its instant has been evaluated, or made due: the first instant
     * whose window holds it, by the rule set's step, is at most {@code evaluatedThrough - grace} (never before the
     * first evaluation): the cheap first question, a point late by it being asked {@link #lateFor} its series.
     * Ingest judges by the same rule against its partition's newest timestamp; the low watermark this acts on is a
     * minimum over the sources, each at most what its source's newest was when it sent the point (its watermarks come
     * after its points), so what ingest kept is late here only where the watermark passed a source without it
     * (announced idle, or the whole stream silent and evaluated on the wall clock), or by its series' own groups
     * ({@link #lateFor}).
     */
    boolean tooLate(final long timestampMs) {
        return EvaluationInstants.isLate(timestampMs, stepMs, graceMs, evaluatedThrough);
    }

    /**
     * Whether a point {@link #tooLate} by the rule set's step is late for a series with the rules {@code ruleIndexes}
     * too: once the first instant that would see it has run in each of its rules' groups (rules.md, "Evaluation": a
     * point later than its evaluation is dropped). A faster group's instant does not take a point from a slower group
     * whose instant has not run. Ingest judged it by the groups of every rule naming its metric, these among them: it
     * may have kept, for another series' slower group, a point late here, which is dropped and counted here (a
     * point that late, kept, resolved a firing absent alert of this series: a review).
     */
    private boolean lateFor(final int[] ruleIndexes, final long timestampMs) {
        long instant = ruleIndexes.length == 0 ? EvaluationInstants.firstSeeing(timestampMs, stepMs) : Long.MIN_VALUE;
        for (int i : ruleIndexes) {
            instant = Math.max(instant, EvaluationInstants.firstSeeing(timestampMs, everyMs[groupOfRule[i]]));
        }
        lastRefusedAsLate = EvaluationInstants.hasRun(instant, graceMs, evaluatedThrough);
        return lastRefusedAsLate;
    }

    /**
     * Whether the last point a {@code take} refused was refused for being late for its series' rules, not for a
     * series no rule selects or the series budget: only those are counted and logged as late.
     */
    boolean lastRefusedAsLate() {
        return lastRefusedAsLate;
    }

    /** The state of a series this task does not hold, held from now on; null if no rule (or no budget) takes it. */
    private SeriesState newState(final String key, final Series known, final long timestampMs,
                                 final boolean maybeLate) {
        if (unselected.contains(key)) {
            return null;
        }
        final Series s = known != null ? known : Series.fromKey(key);
        int[] matched = rules.match(s);
        if (matched.length == 0) {
            if (unselected.size() >= MAX_UNSELECTED || unselectedChars + key.length() > MAX_UNSELECTED_CHARS) {
                unselected.clear();
                unselectedChars = 0;
            }
            if (unselected.add(key)) {
                unselectedChars += key.length();
            }
            return null;
        }
        if (maybeLate && lateFor(matched, timestampMs)) {
            return null;
        }
        matched = budget.admit(matched, s, timestampMs);
        if (matched.length == 0) {
            return null;
        }
        final SeriesState state = new SeriesState(s);
        useIndexes(state, matched, s);
        series.put(state);
        removed.remove(key);
        return state;
    }

    /** {@code state} (null: none) with the point added. */
    private SeriesState took(final SeriesState state, final long timestampMs, final double value) {
        if (state == null) {
            return null;
        }
        state.add(timestampMs, value);
        tookPoint(state, timestampMs);
        return state;
    }

    private void tookPoint(final SeriesState state, final long timestampMs) {
        if (firstSchedule && timestampMs < earliestPoint) {
            for (int g = 0; g < everyMs.length; g++) {
                nextEvaluation[g] = Math.min(nextEvaluation[g], alignUp(timestampMs, everyMs[g]));
            }
        }
        earliestPoint = Math.min(earliestPoint, timestampMs);
        classes.tookPoint(state.visitClass(), timestampMs);
    }

    /**
     * {@link #take(String, long, double, Series)} for a key given as the UTF-8 bytes {@code key[offset, offset +
     * length)}, as a repartition record carries it: a series this task holds is found from the bytes (if ASCII), and
     * the key string is built only for a new one.
     */
    SeriesState take(final byte[] key, final int offset, final int length, final long timestampMs,
                     final double value) {
        return take(key, offset, length, KeyBytes.hash(key, offset, length), timestampMs, value);
    }

    /**
     * The hash of each point's key in {@code points} into {@code hashes} (the one the bundle carries, or for a bundle
     * of the first kind {@link KeyBytes#hash}), and a look at the
     * state each would find first. Taking a point is mostly waiting for memory (the table slot, the state, its
     * arrays: a series among thousands, touched once a scrape); looked at for a whole bundle first, with nothing
     * depending on what each look finds, the cache misses overlap instead of coming one after another.
     */
    void lookAhead(final byte[] bundle, final SeriesBundle.Points points, final long[] hashes) {
        int seen = 0;
        for (int i = 0; i < points.count(); i++) {
            final long carried = points.keyHash(i);
            final long hash = carried != SeriesBundle.NO_HASH ? carried
                    : KeyBytes.hash(bundle, points.keyOffset(i), points.keyLength(i));
            hashes[i] = hash;
            seen += lookAt((int) hash);
        }
        lookedAhead += seen; // read, so that the loads are not optimized away
    }

    /**
     * {@link #lookAhead(byte[], SeriesBundle.Points, long[])} for one point of {@code series} to be taken soon, where
     * ingest hands the points over in the task: a caller with many at hand looks at each before taking any.
     */
    void lookAhead(final Series of) {
        // A series that remembers its interned key has its hash at hand: its key string is not read either.
        lookedAhead += lookAt(of.internedKeyHead() != null ? of.keyHash() : of.key().hashCode());
    }

    /**
     * Reads the state a key of this hash would find first, and the slot its next point's value goes into: what a look
     * ahead fetches.
     */
    private int lookAt(final int hash) {
        final SeriesState first = series.firstCandidate(hash);
        return first != null && first.keyHash() == hash ? first.nextValueSlot() : 0;
    }

    /**
     * {@link #take(byte[], int, int, long, double)} with the key's hash already known: {@link KeyBytes#hash}, or the one
     * its bundle carries. (A non-ASCII key never matches a state by its bytes, whatever its hash: it is looked up as a
     * string then.)
     */
    SeriesState take(final byte[] key, final int offset, final int length, final long hash, final long timestampMs,
                     final double value) {
        lastRefusedAsLate = false;
        if (hash != KeyBytes.NOT_ASCII) {
            final SeriesState state = series.get(key, offset, length, (int) hash);
            if (state != null) {
                if (tooLate(timestampMs) && lateFor(state.ruleIndexes(), timestampMs)) {
                    return null;
                }
                state.add(timestampMs, value);
                tookPoint(state, timestampMs);
                return state;
            }
        }
        return take(new String(key, offset, length, StandardCharsets.UTF_8), timestampMs, value, null);
    }

    /**
     * Gives a state its rules' indexes, as the array every series with the same rules shares (a fleet's series fall
     * into a few rule sets, and an array per series was a tenth of its memory), and the peer groups of its outlier
     * rules, interned: what those read of its labels at every instant.
     *
     * @param series the state's series, or null to rebuild it from the key if an outlier rule needs it
     */
    private void useIndexes(final SeriesState state, final int[] matched, final Series series) {
        int[] shared = sharedIndexes.putIfAbsent(new RuleIndexes(matched), matched);
        if (shared == null) {
            shared = matched;
        }
        state.setRuleIndexes(shared);
        state.setVisitClass(classes.of(groupMask(shared)));
        Series labels = series;
        String[] groups = null;
        int outliers = 0;
        String last = null;
        for (int p = 0; p < shared.length; p++) {
            final Rule rule = rules.rule(shared[p]);
            if (rule.condition() instanceof Condition.Outlier outlier) {
                if (groups == null) {
                    groups = new String[shared.length];
                    labels = labels != null ? labels : state.series();
                }
                last = PeerGroupEvaluator.groupKey(rule, outlier, labels).intern();
                groups[p] = last;
                outliers++;
            }
        }
        state.setPeerGroups(outliers <= 1 ? last : groups);
    }

    /** The groups of these rules as bits, or -1 (every group) if a group is beyond a long's bits. */
    private long groupMask(final int[] ruleIndexes) {
        long mask = 0;
        for (int i : ruleIndexes) {
            if (groupOfRule[i] >= Long.SIZE) {
                return -1;
            }
            mask |= 1L << groupOfRule[i];
        }
        return mask;
    }

    /** An int[] compared by content, to share equal ones. */
    private record RuleIndexes(int[] indexes) {
        @Override
        public boolean equals(final Object o) {
            return o instanceof RuleIndexes other && Arrays.equals(indexes, other.indexes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(indexes);
        }
    }

    public int seriesCount() {
        return series.size();
    }

    /** Whether {@link #accept} refused a series for a rule whose limit alert was not yet active. */
    public boolean hasLimitAlerts() {
        return budget.hasFired();
    }

    /** The limit alerts {@link #accept} fired, with the changes to persist. */
    public Outcome drainLimitAlerts() {
        return new Outcome(budget.drainFired(dirtyAlerts), List.of(), takeDirty(), takeDirtyAlerts(), Set.of());
    }

    /** The alerts pending and firing in this task. */
    AlertCounts alertCounts() {
        return new AlertCounts(activeAlerts - firingAlerts, firingAlerts);
    }

    private static int firing(final SeriesState state) {
        if (!state.hasActiveAlerts()) {
            return 0;
        }
        int n = 0;
        for (AlertStatus a : state.alerts().values()) {
            if (a.isFiring()) {
                n++;
            }
        }
        return n;
    }

    /** Runs every evaluation instant the current low watermark allows. */
    public Outcome advance() {
        return advanceTo(clock.lowWatermark(), false);
    }

    /**
     * {@link #advance}, except that at an instant where groups of different {@code every} are due, only the groups
     * with the shortest are evaluated, and the advance stops there; the rest are {@link #heldBack()} for the next
     * advance of any kind, which starts with them. A caller that commits between the two gets the fast groups'
     * alerts out without waiting for the slow groups' pass and the states it changes (a fleet's 10 s group, a
     * deviation rule learning a sample for each of its series at the minute): a group evaluated every second is one
     * whose alerts someone waits for. The results are those of {@link #advance}: each group's instants are evaluated
     * in order, over the same points (later points are outside an instant's windows, earlier ones are late).
     */
    public Outcome advanceFastestFirst() {
        return advanceTo(clock.lowWatermark(), true);
    }

    /** Whether groups due at an instant are waiting for the next advance ({@link #advanceFastestFirst}). */
    public boolean heldBack() {
        return heldBack;
    }

    /** Moves whenever {@link #evaluatedThrough()} or the evaluation schedule does. */
    public long progressVersion() {
        return progressVersion;
    }

    /**
     * How far this task's peer values are complete: {@link #evaluatedThrough()}, or, while groups are held back, just
     * short of making their instant due, so that the peer stage does not judge it without their outlier values.
     */
    public long progressThrough() {
        if (!heldBack) {
            return evaluatedThrough;
        }
        long first = Long.MAX_VALUE;
        for (long next : nextEvaluation) {
            first = Math.min(first, next);
        }
        return Math.min(evaluatedThrough, first + graceMs - 1);
    }

    /**
     * Runs the evaluation instants the wall clock makes due while the whole stream is silent (see
     * {@link EventClock#wallClockLowWatermark}); nothing when data is flowing.
     */
    public Outcome advanceOnWallClock(final long wallMs, final long liveHorizonMs) {
        return advanceTo(clock.wallClockLowWatermark(wallMs, liveHorizonMs, graceMs, shortestAbsentAfterMs), false);
    }

    private Outcome advanceTo(final OptionalLong low, final boolean fastestFirst) {
        final List<AlertTransition> transitions = new ArrayList<>();
        final List<PeerValue> peerValues = new ArrayList<>();
        transitions.addAll(budget.drainFired(dirtyAlerts));
        final boolean moved = low.isPresent() && low.getAsLong() > evaluatedThrough;
        if (moved || heldBack) {
            final long through = moved ? low.getAsLong() : evaluatedThrough;
            heldBack = evaluateThrough(through - graceMs, transitions, peerValues, fastestFirst);
            evaluatedThrough = through;
            progressVersion++;
        }
        budget.settle(lastInstantThrough(evaluatedThrough), transitions, removed);
        transitions.sort(EMIT_ORDER);
        return outcome(transitions, peerValues);
    }

    /**
     * The last evaluation instant a watermark of {@code through} has let run ({@code through - grace}, down to a
     * multiple of the groups' {@code every}), {@link Long#MIN_VALUE} before any: the series limit's alerts resolve
     * there, as every other alert at an evaluation instant, where they resolved at the watermark's own millisecond
     * (on the wall clock, in a quiet stream), unlike the same input replayed.
     */
    private long lastInstantThrough(final long through) {
        if (through == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        final long step = rules.everyGcdMs();
        return step <= 0 ? through - graceMs : Math.floorDiv(through - graceMs, step) * step;
    }

    private Outcome outcome(final List<AlertTransition> transitions, final List<PeerValue> peerValues) {
        final Outcome outcome = new Outcome(transitions, peerValues, takeDirty(), takeDirtyAlerts(),
                Set.copyOf(removed));
        removed.clear();
        return outcome;
    }

    /** Changes made by {@link #accept} that the caller has to persist. */
    public List<SeriesState> drainChanged() {
        return takeDirty();
    }

    private void changed(final SeriesState state) {
        if (state.listedIn() != dirtyList) {
            state.setListedIn(dirtyList);
            dirty.add(state);
        }
    }

    /**
     * The changed states, on a new list from now on. Its states stay marked with the old list's number, which no
     * state is on any more: a pass changes every series (it prunes them), and clearing a flag on each, beyond the
     * caches by then, cost a read and a write of every state per pass.
     */
    private List<SeriesState> takeDirty() {
        if (dirty.isEmpty()) {
            return List.of();
        }
        final List<SeriesState> taken = dirty;
        dirty = new ArrayList<>();
        if (dirtyList == Byte.MAX_VALUE) {
            // States no longer held are on no list that matters: they are not listed again.
            for (SeriesState state : series) {
                state.setListedIn((byte) 0);
            }
            dirtyList = 1;
        } else {
            dirtyList++;
        }
        return Collections.unmodifiableList(taken);
    }

    private Set<String> takeDirtyAlerts() {
        if (dirtyAlerts.isEmpty()) {
            return Set.of();
        }
        final Set<String> taken = Collections.unmodifiableSet(dirtyAlerts);
        dirtyAlerts = new HashSet<>();
        return taken;
    }

    /** Every state as the series store holds it, by store key: the series' and the active self-alerts'. */
    Map<String, SeriesState> storedStates() {
        final Map<String, SeriesState> out = new HashMap<>();
        for (SeriesState state : series) {
            out.put(state.key(), state);
        }
        budget.activeAlerts().forEach((ruleId, state) -> out.put(SeriesBudget.alertKey(ruleId), state));
        return out;
    }

    /** How many series each rule watches in this task, by rule id. */
    Map<String, Integer> seriesPerRule() {
        final Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < rules.ruleCount(); i++) {
            out.put(rules.rule(i).id(), budget.held(i));
        }
        return out;
    }

    SeriesState state(final String key) {
        final SeriesState state = series.get(key);
        return state != null ? state : budget.alertState(key);
    }

    SeriesBudget budget() {
        return budget;
    }

    /**
     * Evaluates every instant through {@code limit}; with {@code fastestFirst}, stops after an instant where it left
     * slower groups due (returning true).
     */
    private boolean evaluateThrough(final long limit, final List<AlertTransition> out, final List<PeerValue> peers,
                                    final boolean fastestFirst) {
        if (everyMs.length == 0 || series.isEmpty() && activeAlerts == 0) {
            return false;
        }
        for (int g = 0; g < everyMs.length; g++) {
            if (nextEvaluation[g] == Long.MIN_VALUE) {
                nextEvaluation[g] = alignUp(earliestPoint == Long.MAX_VALUE ? limit : earliestPoint, everyMs[g]);
                firstSchedule = true;
            }
        }
        final boolean[] due = new boolean[everyMs.length];
        while (true) {
            long t = Long.MAX_VALUE;
            for (long next : nextEvaluation) {
                t = Math.min(t, next);
            }
            if (t > limit) {
                return false;
            }
            final long interesting = Math.min(earliestPoint, nextDeadline);
            if (activeAlerts == 0 && interesting > t) {
                // Nothing can change before the earliest buffered point or deadline: jump over the gap.
                if (interesting > limit) {
                    skipTo(limit);
                    return false;
                }
                skipTo(interesting);
                continue;
            }
            if (!fastestFirst && !budget.hasActive()) {
                final int n = planBatch(t, limit);
                if (n > 1) {
                    evaluateBatch(n, out, peers);
                    continue;
                }
            }
            long fastest = Long.MAX_VALUE;
            for (int g = 0; g < due.length; g++) {
                if (nextEvaluation[g] == t) {
                    fastest = Math.min(fastest, everyMs[g]);
                }
            }
            boolean held = false;
            for (int g = 0; g < due.length; g++) {
                due[g] = nextEvaluation[g] == t && (!fastestFirst || everyMs[g] == fastest);
                held |= nextEvaluation[g] == t && !due[g];
                if (due[g]) {
                    nextEvaluation[g] += everyMs[g];
                }
            }
            evaluateAt(t, due, out, peers);
            if (held) {
                return true;
            }
        }
    }

    /**
     * Plans the instants from {@code first} through {@code limit}, at most {@link #BATCH_INSTANTS}, as
     * {@link #evaluateAt} would take them one by one; with more than one, moves the schedule past them. Returns how
     * many.
     */
    private int planBatch(final long first, final long limit) {
        final int groups = nextEvaluation.length;
        if (batchNext.length != groups) {
            batchNext = new long[groups];
            batchDue = new boolean[BATCH_INSTANTS][groups];
        }
        System.arraycopy(nextEvaluation, 0, batchNext, 0, groups);
        int n = 0;
        long t = first;
        while (n < BATCH_INSTANTS && t <= limit) {
            long mask = 0;
            for (int g = 0; g < groups; g++) {
                final boolean due = batchNext[g] == t;
                batchDue[n][g] = due;
                if (due) {
                    mask |= g < Long.SIZE ? 1L << g : -1;
                    batchNext[g] += everyMs[g];
                }
            }
            long next = Long.MAX_VALUE;
            for (long g : batchNext) {
                next = Math.min(next, g);
            }
            batchTimes[n] = t;
            batchMasks[n] = mask;
            batchKeepAfter[n] = next - rules.maxWindowMs();
            n++;
            t = next;
        }
        if (n > 1) {
            System.arraycopy(batchNext, 0, nextEvaluation, 0, groups);
        }
        return n;
    }

    /**
     * Evaluates the {@code n} planned instants ({@link #planBatch}) series by series, with the results of
     * {@link #evaluateAt} at each in turn: a series' instants depend only on it, and an instant's prune drops only
     * points outside the windows of every later instant, so the series is pruned once, as of its last instant. What
     * a pass costs is mostly reading each series' state and window; through a backlog, where many instants are due at
     * once, that is once per series instead of once per instant ({@link SeriesEvaluationProcessor} puts passes off
     * there to take them so). Not with self-alerts active: their settling counts the series held at each instant.
     */
    private void evaluateBatch(final int n, final List<AlertTransition> out, final List<PeerValue> peers) {
        firstSchedule = false;
        while (batchPeers.size() < n) {
            batchPeers.add(new ArrayList<>());
        }
        final boolean[] visit = classes.visitingAny(batchMasks, n);
        final var it = series.iterator(visit);
        while (it.hasNext()) {
            final SeriesState state = it.next();
            final byte visitClass = state.visitClass();
            boolean changed = false;
            boolean gone = false;
            int last = -1;
            for (int k = 0; k < n && !gone; k++) {
                if (!classes.visits(visitClass, batchMasks[k])) {
                    continue;
                }
                last = k;
                final long t = batchTimes[k];
                changed |= evaluateSeries(state, t, batchDue[k], out, batchPeers.get(k));
                final boolean remembered = remembersSilence(state);
                if (remembered && forgotten(state, t)) {
                    changed |= state.pruneThrough(batchKeepAfter[k]);
                    gone = forget(state, t, out);
                    changed |= !gone;
                } else if (!remembered && state.firstIndexAfter(batchKeepAfter[k]) >= state.size()
                        && !state.hasActiveAlerts()) {
                    changed |= state.pruneThrough(batchKeepAfter[k]);
                    gone = true;
                }
            }
            if (!gone) {
                changed |= state.pruneThrough(batchKeepAfter[last]);
            }
            if (changed) {
                changed(state);
            }
            if (gone) {
                budget.release(state.ruleIndexes());
                it.remove();
                removed.add(state.key());
                continue;
            }
            classes.add(visitClass, state.earliestTimestamp(),
                    remembersSilence(state) ? nextDeadline(state, batchTimes[last]) : Long.MAX_VALUE,
                    state.alerts().size(), firing(state));
        }
        earliestPoint = classes.earliest();
        nextDeadline = classes.deadline();
        activeAlerts = classes.active();
        firingAlerts = classes.firing();
        for (int k = 0; k < n; k++) {
            budget.settle(batchTimes[k], out, removed);
            peers.addAll(batchPeers.get(k));
            batchPeers.get(k).clear();
        }
    }

    /**
     * Whether the low watermark {@code low} makes fewer than {@link #BATCH_INSTANTS} instants of the fastest group
     * due: a pass then would evaluate only those, where waiting lets one pass take them together.
     */
    public boolean fewInstantsDue(final long low) {
        if (everyMs.length == 0 || heldBack) {
            return false;
        }
        long first = Long.MAX_VALUE;
        long fastest = Long.MAX_VALUE;
        for (int g = 0; g < everyMs.length; g++) {
            if (nextEvaluation[g] == Long.MIN_VALUE) {
                return false;
            }
            first = Math.min(first, nextEvaluation[g]);
            fastest = Math.min(fastest, everyMs[g]);
        }
        return low - graceMs < first + (BATCH_INSTANTS - 1) * fastest;
    }

    /** Moves every group's next instant to the first one at or after {@code t} (never backwards). */
    private void skipTo(final long t) {
        firstSchedule = false;
        for (int g = 0; g < everyMs.length; g++) {
            nextEvaluation[g] = Math.max(nextEvaluation[g], alignUp(t, everyMs[g]));
        }
    }

    private void evaluateAt(final long t, final boolean[] due, final List<AlertTransition> out,
                            final List<PeerValue> peers) {
        firstSchedule = false;
        long nextT = Long.MAX_VALUE;
        for (long next : nextEvaluation) {
            nextT = Math.min(nextT, next);
        }
        final long keepAfter = nextT - rules.maxWindowMs();
        long dueMask = 0;
        for (int g = 0; g < due.length; g++) {
            if (due[g]) {
                dueMask |= g < Long.SIZE ? 1L << g : -1;
            }
        }
        // A class not visited keeps what its last visit found (its points added since lowered its earliest): the
        // pass neither prunes nor forgets its series, so they are as they were then, plus points.
        final boolean[] visit = classes.visiting(dueMask);
        final var it = series.iterator(visit);
        while (it.hasNext()) {
            final SeriesState state = it.next();
            if (evaluateSeries(state, t, due, out, peers)) {
                changed(state);
            }
            if (state.pruneThrough(keepAfter)) {
                changed(state);
            }
            final boolean remembered = remembersSilence(state);
            if (remembered && forgotten(state, t)) {
                if (forget(state, t, out)) {
                    budget.release(state.ruleIndexes());
                    it.remove();
                    removed.add(state.key());
                    continue;
                }
                changed(state);
            }
            if (state.isEmpty() && !remembered) {
                budget.release(state.ruleIndexes());
                it.remove();
                removed.add(state.key());
                continue;
            }
            classes.add(state.visitClass(), state.earliestTimestamp(),
                    remembered ? nextDeadline(state, t) : Long.MAX_VALUE, state.alerts().size(), firing(state));
        }
        earliestPoint = classes.earliest();
        nextDeadline = classes.deadline();
        activeAlerts = classes.active();
        firingAlerts = classes.firing();
        budget.settle(t, out, removed);
    }

    /**
     * What the rules make of the series this task holds, for each pair of rule and series {@code asked} matches: at
     * most {@code limit} of them, in {@link SeriesQuestions#order}; every match counted. It reads the states and
     * changes nothing: it runs on the task's thread between records, and an answer must not move what the evaluation
     * will find.
     */
    public SeriesQuestions.TaskAnswer explain(final SeriesFilter asked, final int limit) {
        record Match(SeriesState state, Series series, int rule, int rank) {
        }
        final Comparator<Match> order = Comparator.comparingInt(Match::rank).thenComparing(m -> ruleIds[m.rule()])
                .thenComparing(m -> m.series().key());
        // The first `limit` in order, the greatest at the head: a broad question over a large task sorts no more.
        final java.util.PriorityQueue<Match> kept = new java.util.PriorityQueue<>(order.reversed());
        int matched = 0;
        for (SeriesState state : series) {
            final String key = state.key();
            if (!asked.mayMatch(key)) {
                continue;
            }
            Series s = null;
            for (int i : state.ruleIndexes()) {
                final Rule rule = rules.rule(i);
                if (!asked.mayMatchRule(rule)) {
                    continue;
                }
                // Parsed from its key, once: a question is rare, and a state keeps no Series, to spare its bytes.
                s = s != null ? s : Series.fromKey(key);
                if (asked.matches(s, rule)) {
                    matched++;
                    kept.add(new Match(state, s, i, SeriesQuestions.rank(asked, rule, key, state.alert(ruleIds[i]))));
                    if (kept.size() > limit) {
                        kept.poll();
                    }
                }
            }
        }
        final List<Match> first = new ArrayList<>(kept);
        first.sort(order);
        final List<SeriesExplanation> out = new ArrayList<>();
        for (Match m : first) {
            out.add(explain(m.state(), m.series(), m.rule()));
        }
        return new SeriesQuestions.TaskAnswer(out, matched, List.of());
    }

    /** Rule {@code i}'s next evaluation of this series, with the points it holds now, judged as evaluateSeries does. */
    private SeriesExplanation explain(final SeriesState state, final Series s, final int i) {
        final Rule rule = rules.rule(i);
        final AlertStatus status = state.alert(ruleIds[i]);
        final long every = everyMs[groupOfRule[i]];
        final long next = nextEvaluation[groupOfRule[i]];
        final long newest = state.lastSeenAt(Long.MAX_VALUE);
        // The instant evaluateThrough will judge next: before the group's first evaluation, the first instant of the
        // task's earliest point (a backlog is judged from its start, not from its newest point); past a gap where
        // nothing can change, the instant it jumps to.
        final long first = earliestPoint != Long.MAX_VALUE ? earliestPoint : newest == Long.MIN_VALUE ? 0 : newest;
        long at = next != Long.MIN_VALUE ? next : alignUp(first, every);
        final long interesting = Math.min(earliestPoint, nextDeadline);
        if (activeAlerts == 0 && interesting != Long.MAX_VALUE && interesting > at) {
            at = alignUp(interesting, every);
        }
        final int to = state.firstIndexAfter(at);
        final int points = Math.max(0, to - state.firstIndexAfter(at - windowMs[i]));
        final long lastSeen = state.lastSeenAt(at);
        double value = Double.NaN;
        SeriesExplanation.Holds holds = SeriesExplanation.Holds.NO_DATA;
        double median = Double.NaN;
        double z = Double.NaN;
        int baselineSize = -1;
        int baselineWarm = -1;
        switch (kinds[i]) {
            case KIND_THRESHOLD -> {
                value = aggregate(state, i, at, to);
                if (!Double.isNaN(value)) {
                    holds = yesOrNo(((Condition.Threshold) rule.condition()).holds(value, status.isFiring()));
                }
            }
            case KIND_DEVIATION -> {
                final Condition.Deviation deviation = (Condition.Deviation) rule.condition();
                value = aggregate(state, i, at, to);
                final Baseline baseline = silentLongerThan(state, at - windowMs[i], to, deviation.baseline().toMillis())
                        ? null : state.baselineIfHeld(ruleIds[i]);
                baselineSize = baseline == null ? 0 : baseline.evaluationsHeld();
                baselineWarm = Baseline.evaluationsToWarm(baselineEvaluations[i]);
                if (!Double.isNaN(value)) {
                    if (baseline == null || !baseline.isWarm()) {
                        holds = SeriesExplanation.Holds.WARMING_UP;
                    } else {
                        final DeviationCheck.Verdict verdict = DeviationCheck.judge(value, baseline, deviation,
                                baselineWork);
                        holds = yesOrNo(verdict.holds());
                        median = verdict.median();
                        z = verdict.z();
                    }
                }
            }
            case KIND_ABSENT -> {
                if (lastSeen != Long.MIN_VALUE) {
                    value = (at - lastSeen) / 1000.0;
                    holds = yesOrNo(at - lastSeen >= absentAfterMs[i]);
                }
            }
            case KIND_OUTLIER -> {
                value = aggregate(state, i, at, to);
                if (!Double.isNaN(value)) {
                    holds = SeriesExplanation.Holds.PEERS;
                }
            }
            default -> {
            }
        }
        return new SeriesExplanation(rule, s, status, at, points, value, holds, median, z, baselineSize, baselineWarm,
                lastSeen);
    }

    private static SeriesExplanation.Holds yesOrNo(final boolean holds) {
        return holds ? SeriesExplanation.Holds.YES : SeriesExplanation.Holds.NO;
    }

    /** Whether a series with no points left must still be kept: for absent rules, or a deviation baseline. */
    private boolean remembersSilence(final SeriesState state) {
        if (state.hasBaselines()) {
            return true;
        }
        for (int i : state.ruleIndexes()) {
            if (kinds[i] == KIND_ABSENT) {
                return true;
            }
        }
        return false;
    }

    /**
     * When this series may next need an evaluation although no point arrives: a silence or its forgetting. Seen from
     * instant {@code t}: points already buffered for later instants do not count yet.
     */
    private long nextDeadline(final SeriesState state, final long t) {
        final long lastSeen = state.lastSeenAt(t);
        if (lastSeen == Long.MIN_VALUE) {
            // Not seen by then (new, or back after it was forgotten, with points only after t): nothing comes due before
            // its first point, which its earliest timestamp stands for. Long.MIN_VALUE + forget was a deadline before
            // every instant: no gap was skipped while such a series was held.
            return Long.MAX_VALUE;
        }
        long deadline = lastSeen + forgetMs;
        for (int i : state.ruleIndexes()) {
            if (kinds[i] == KIND_ABSENT) {
                deadline = Math.min(deadline, lastSeen + absentAfterMs[i]);
            }
        }
        return deadline;
    }

    /** Whether the series, seen before instant {@code t}, has had no point for {@code forget} by then. */
    private boolean forgotten(final SeriesState state, final long t) {
        final long lastSeen = state.lastSeenAt(t);
        return lastSeen != Long.MIN_VALUE && t - lastSeen >= forgetMs;
    }

    /**
     * Forgets a series silent for {@code forget} at instant {@code t}: resolves whatever is still active, saying why,
     * and returns true, for the caller to stop holding it; or, when the series already has points after {@code t},
     * keeps it, holding those points alone, as a series new from its first point back, and returns false. Those points
     * were taken before the instants of the silence ran: a point comes before the watermark that makes them due, and
     * a batch of one partition's before another partition's watermark (or a pass put off through a backlog).
     * Dropping them with the series lost its return: run, whose points come in batches, then held no longer a series
     * replay held, and its next silence never paged (rules.md: replay and run give the same events).
     */
    private boolean forget(final SeriesState state, final long t, final List<AlertTransition> out) {
        resolveForgotten(state, t, out);
        if (state.firstIndexAfter(t) >= state.size()) {
            return true;
        }
        state.forgetThrough(t);
        return false;
    }

    /** Resolves whatever is still active for a series Vigil stops tracking, saying why. */
    private void resolveForgotten(final SeriesState state, final long t, final List<AlertTransition> out) {
        for (int i : state.ruleIndexes()) {
            final Rule rule = rules.rule(i);
            final AlertStatus prev = state.alert(rule.id());
            if (prev.isInactive()) {
                continue;
            }
            final AlertStatus resolved = prev.resolved(t);
            if (prev.isFiring()) {
                // An absent rule's $value is the silence so far; any other shows its last numbers, as a resolve for
                // want of data does (transition()).
                final AlertNumbers shown = kinds[i] == KIND_ABSENT
                        ? new AlertNumbers((t - state.lastSeenAt(t)) / 1000.0, Double.NaN, Double.NaN)
                        : state.numbers(rule.id());
                out.add(new AlertTransition(rule, state.series(), AlertTransition.Kind.RESOLVED, resolved,
                        shown.value(), shown.median(), shown.z(), Optional.of(FORGOTTEN), state.labelNumbers(rule.id())));
            }
            state.setAlert(rule.id(), AlertStatus.INACTIVE);
        }
    }

    /** Returns whether the series' state changed. The one place rule kinds branch. */
    private boolean evaluateSeries(final SeriesState state, final long t, final boolean[] due,
                                   final List<AlertTransition> out, final List<PeerValue> peers) {
        boolean changed = false;
        // The window's end, as an index: the same for every rule of the series at this instant.
        int to = -1;
        for (int i : state.ruleIndexes()) {
            if (!due[groupOfRule[i]]) {
                continue;
            }
            if (to < 0) {
                to = state.firstIndexAfter(t);
            }
            final Rule rule = rules.rule(i);
            switch (kinds[i]) {
                case KIND_THRESHOLD -> changed |= evaluateThreshold(state, i, rule, (Condition.Threshold) rule.condition(),
                        t, to, out);
                case KIND_DEVIATION -> changed |= evaluateDeviation(state, i, rule, (Condition.Deviation) rule.condition(),
                        t, to, out);
                case KIND_ABSENT -> changed |= evaluateAbsence(state, i, rule, t, to, out);
                case KIND_OUTLIER -> {
                    final double value = aggregate(state, i, t, to);
                    if (!Double.isNaN(value)) {
                        peers.add(new PeerValue(state.peerGroup(i), state.key(), t, value));
                    }
                }
                default -> {
                }
            }
        }
        return changed;
    }

    /** The aggregate over the window ending at point index {@code to} (exclusive), decoding only that window. */
    private double aggregate(final SeriesState state, final int i, final long t, final int to) {
        final int from = state.firstIndexAfter(t - windowMs[i]);
        if (from >= to) {
            return Double.NaN;
        }
        valueScratch = state.values(from, to, valueScratch);
        if (readsTimes[i]) {
            timeScratch = state.timestamps(from, to, timeScratch);
        } else if (timeScratch.length < to) {
            timeScratch = new long[valueScratch.length];
        }
        return WindowAggregator.compute(aggregates[i], timeScratch, valueScratch, from, to);
    }

    private boolean evaluateThreshold(final SeriesState state, final int i, final Rule rule,
                                      final Condition.Threshold threshold, final long t, final int to,
                                      final List<AlertTransition> out) {
        final double value = aggregate(state, i, t, to);
        final AlertStatus prev = state.alert(ruleIds[i]);
        final boolean holds = !Double.isNaN(value) && threshold.holds(value, prev.isFiring());
        if (!holds && prev.isInactive()) {
            // The common case, and a quiet one: an inactive alert stays inactive, nothing to record (as apply would find).
            return false;
        }
        return apply(state, rule, ruleIds[i], prev, AlertLifecycle.next(prev, holds, t, forMs[i], keepFiringForMs[i]),
                value, Double.NaN, Double.NaN, out);
    }

    private boolean evaluateDeviation(final SeriesState state, final int i, final Rule rule,
                                      final Condition.Deviation deviation, final long t, final int to,
                                      final List<AlertTransition> out) {
        final double value = aggregate(state, i, t, to);
        final AlertStatus prev = state.alert(ruleIds[i]);
        final Baseline baseline = state.baseline(ruleIds[i], baselineEvaluations[i]);
        if (silentLongerThan(state, t - windowMs[i], to, deviation.baseline().toMillis())) {
            // rules.md judges against the evaluations "within baseline": after a longer silence none are, and a
            // series back with a new normal would be judged against what it was hours ago. It learns afresh.
            baseline.clear();
            gapsWhileActive.remove(baseline);
        } else if (prev.isInactive() && !Double.isNaN(value) && !gapsWhileActive.remove(baseline)) {
            // A shorter one takes its time in the ring, as evaluations without a value. Not while the alert is pending
            // or firing, when the history stands still (rules.md: it does not become the new normal).
            baseline.skip(instantsWithoutPoints(state, t - windowMs[i], to, t, everyMs[groupOfRule[i]], windowMs[i]));
        }
        final DeviationCheck.Verdict verdict = DeviationCheck.judge(value, baseline, deviation, baselineWork);
        final AlertLifecycle.Step step = AlertLifecycle.next(prev, verdict.holds(), t, forMs[i], keepFiringForMs[i]);
        if (Double.isNaN(value) && !prev.isInactive() && step.status().isInactive()) {
            gapsWhileActive.add(baseline);
        }
        apply(state, rule, ruleIds[i], prev, step, value, verdict.median(), verdict.z(), out);
        DeviationCheck.learn(value, baseline, step.status());
        return true;
    }

    /**
     * Whether the series came back, in the window after {@code windowStart}, from a silence longer than
     * {@code silenceMs}: its first point in the window is that much after its last point before it.
     */
    private static boolean silentLongerThan(final SeriesState state, final long windowStart, final int to,
                                            final long silenceMs) {
        final int from = state.firstIndexAfter(windowStart);
        if (from >= to) {
            return false;
        }
        final long before = from > 0 ? state.timestamp(from - 1) : state.lastPruned();
        return before != Long.MIN_VALUE && state.timestamp(from) - before > silenceMs;
    }

    /**
     * The instants before {@code t} whose windows held no point, in the gap the window after {@code windowStart} ends:
     * counted once, at the first instant whose window holds the point after the gap, from the points themselves (the
     * evaluator skips instants where nothing can change, so they are not counted one by one). 0 where the window has
     * no point, or its first point was in an earlier instant's window too.
     */
    private static long instantsWithoutPoints(final SeriesState state, final long windowStart, final int to,
                                              final long t, final long every, final long window) {
        final int from = state.firstIndexAfter(windowStart);
        if (from >= to || state.timestamp(from) <= t - every) {
            return 0;
        }
        final long before = from > 0 ? state.timestamp(from - 1) : state.lastPruned();
        if (before == Long.MIN_VALUE) {
            return 0;
        }
        // The first instant whose window (T - window, T] has let go of the point before the gap, through the last
        // instant before this one.
        final long first = alignUp(before + window, every);
        return first > t - every ? 0 : (t - every - first) / every + 1;
    }

    /**
     * Absent: the series has had no point for {@code after}. Its times are exact rather than evaluation instants:
     * it became absent at {@code last point + after}, and resolves when its next point arrived (with
     * {@code keep_firing_for}, at the evaluation where that has run out since).
     */
    private boolean evaluateAbsence(final SeriesState state, final int i, final Rule rule, final long t, final int to,
                                    final List<AlertTransition> out) {
        final long lastSeen = to > 0 ? state.timestamp(to - 1) : state.lastPruned();
        if (lastSeen == Long.MIN_VALUE) {
            return false;
        }
        final AlertStatus prev = state.alert(ruleIds[i]);
        boolean ended = false;
        if (!prev.isInactive() && (!prev.isFiring() || keepFiringForMs[i] == 0)
                && state.firstIndexAfter(prev.activeAt() - absentAfterMs[i]) < to) {
            // The silence the last instant saw ended before this one, which may find the series silent again: that
            // is another silence, with its own times (rules.md), not more of this one. Firing through
            // keep_firing_for, it is part of this alert (design.md).
            ended = prev.isFiring()
                    ? evaluateAbsenceAt(state, i, rule, t, to, lastSeen, false, out)
                    : pendingSilenceEnded(state, i, rule, prev, t, out);
            if (!state.alert(ruleIds[i]).isInactive()) {
                // Fired, and firing on through keep_firing_for from this instant: a silence at it is part of this
                // alert, and keeps it firing (it resolved one evaluation later, 5 s after the series came back).
                evaluateAbsenceAt(state, i, rule, t, to, lastSeen, t - lastSeen >= absentAfterMs[i], out);
                return true;
            }
        }
        if (ended || prev.isInactive()) {
            // The silences no instant saw first, in time order, then the silence at this instant, if any.
            final boolean gaps = silencesSinceLastInstant(state, i, rule, t, to, out);
            return evaluateAbsenceAt(state, i, rule, t, to, lastSeen, t - lastSeen >= absentAfterMs[i], out)
                    || gaps || ended;
        }
        return evaluateAbsenceAt(state, i, rule, t, to, lastSeen, t - lastSeen >= absentAfterMs[i], out);
    }

    /**
     * A silence an instant saw and left pending whose series came back before this instant: rules.md times an absent
     * alert by the silence, not by instants, so one that outlasted {@code after} + {@code for} fires and resolves at
     * its own times, as one no instant saw does ({@link #silenceBetweenInstants}); a shorter one ends quietly, as a
     * pending alert whose condition clears does. Without it a silence of 184 s paged nothing where one of 178 s,
     * between the same two instants, paged (every 1m, after 2m, for 30s).
     */
    private boolean pendingSilenceEnded(final SeriesState state, final int i, final Rule rule, final AlertStatus prev,
                                        final long t, final List<AlertTransition> out) {
        final long silentSince = prev.activeAt() - absentAfterMs[i];
        final long cameBack = cameBack(state, silentSince, t);
        if (cameBack - prev.activeAt() > forMs[i]) {
            return silenceEnded(state, i, rule, prev.activeAt(), silentSince, cameBack, t, out);
        }
        state.setAlert(ruleIds[i], AlertStatus.INACTIVE);
        return true;
    }

    /**
     * The silences longer than {@code after} (+ {@code for}) that began after the rule's last instant and ended by
     * this one: no instant saw them, and the series is back (rules.md: "A gap that is only seen when the series comes
     * back still yields its firing and resolved events"). Each fires and resolves at its exact times, as if an
     * instant had fallen within it; with {@code keep_firing_for} it stays firing from this instant, which found the
     * series back. Every point since the last instant is held: the prune keeps every rule's window before the next
     * instant, and an absent rule's window is at least its {@code every}.
     */
    private boolean silencesSinceLastInstant(final SeriesState state, final int i, final Rule rule, final long t,
                                             final int to, final List<AlertTransition> out) {
        final long lastInstant = t - everyMs[groupOfRule[i]];
        final long afterMs = absentAfterMs[i];
        final int from = state.firstIndexAfter(lastInstant);
        long before = from > 0 ? state.timestamp(from - 1) : state.lastPruned();
        boolean changed = false;
        for (int k = from; k < to; k++) {
            final long back = state.timestamp(k);
            final long becameAbsent = before + afterMs;
            // A silence reached by the last instant was that instant's to judge; one reached before this definition
            // of the rule watched (a reload) is not this rule's.
            if (before != Long.MIN_VALUE && back - becameAbsent > forMs[i] && becameAbsent > lastInstant
                    && becameAbsent > definedSinceMs[i]) {
                changed |= silenceBetweenInstants(state, i, rule, before, back, t, out);
                if (!state.alert(ruleIds[i]).isInactive()) {
                    // Firing on through keep_firing_for: a later silence before it runs out is part of this alert.
                    break;
                }
            }
            before = back;
        }
        return changed;
    }

    /** One silence from the point at {@code lastSeen} to the one at {@code back}, found at instant {@code t}. */
    private boolean silenceBetweenInstants(final SeriesState state, final int i, final Rule rule, final long lastSeen,
                                           final long back, final long t, final List<AlertTransition> out) {
        final long activeAt = lastSeen + absentAfterMs[i];
        if (forMs[i] > 0) {
            apply(state, rule, ruleIds[i], state.alert(ruleIds[i]), AlertLifecycle.Step.emitting(new AlertStatus(
                    AlertState.PENDING, activeAt, AlertStatus.NONE, AlertStatus.NONE, AlertStatus.NONE),
                    AlertTransition.Kind.PENDING), absentAfterMs[i] / 1000.0, Double.NaN, Double.NaN, out);
        }
        return silenceEnded(state, i, rule, activeAt, lastSeen, back, t, out);
    }

    /**
     * A silence that outlasted {@code after} + {@code for}, active since {@code activeAt} (pending, or inactive with
     * no {@code for}) and ended by the point at {@code back}: it fires, and resolves at that point, or with
     * {@code keep_firing_for} fires on from instant {@code t}, which found the series back.
     */
    private boolean silenceEnded(final SeriesState state, final int i, final Rule rule, final long activeAt,
                                 final long lastSeen, final long back, final long t, final List<AlertTransition> out) {
        final String id = ruleIds[i];
        final long firedAt = activeAt + forMs[i];
        apply(state, rule, id, state.alert(id), AlertLifecycle.Step.emitting(new AlertStatus(AlertState.FIRING, activeAt,
                firedAt, AlertStatus.NONE, AlertStatus.NONE), AlertTransition.Kind.FIRING),
                (firedAt - lastSeen) / 1000.0, Double.NaN, Double.NaN, out);
        if (keepFiringForMs[i] > 0) {
            // Found back at this instant: it resolves once keep_firing_for has run out since (evaluateAbsenceAt),
            // showing the whole silence kept now, while its first point back is held.
            apply(state, rule, id, state.alert(id), AlertLifecycle.Step.quiet(new AlertStatus(AlertState.FIRING,
                    activeAt, firedAt, AlertStatus.NONE, t)), (back - lastSeen) / 1000.0, Double.NaN, Double.NaN,
                    out);
            return true;
        }
        // The resolved event's $value is the whole silence, as evaluateAbsenceAt's.
        apply(state, rule, id, state.alert(id), AlertLifecycle.Step.emitting(new AlertStatus(AlertState.INACTIVE,
                activeAt, firedAt, back, AlertStatus.NONE), AlertTransition.Kind.RESOLVED),
                (back - lastSeen) / 1000.0, Double.NaN, Double.NaN, out);
        return true;
    }

    /**
     * {@link #evaluateAbsence} at the instant itself, {@code silent} whether the silence that makes its alert active
     * holds at {@code t}.
     */
    private boolean evaluateAbsenceAt(final SeriesState state, final int i, final Rule rule, final long t,
                                      final int to, final long lastSeen, final boolean silent,
                                      final List<AlertTransition> out) {
        final long afterMs = absentAfterMs[i];
        final AlertStatus prev = state.alert(ruleIds[i]);
        if (!silent && prev.isInactive()) {
            return false;
        }
        final AlertLifecycle.Step step = AlertLifecycle.next(prev, silent, t, forMs[i], keepFiringForMs[i]);
        AlertStatus s = step.status();
        // Silent since before this definition of the rule watched (a reload): active from this instant.
        final long becameAbsent = lastSeen + afterMs > definedSinceMs[i] ? lastSeen + afterMs : t;
        if (step.event().isPresent()) {
            switch (step.event().get()) {
                case PENDING -> s = new AlertStatus(s.state(), becameAbsent, s.firedAt(), s.resolvedAt(),
                        s.keepFiringSince());
                case FIRING -> {
                    final long activeAt = prev.isInactive() ? becameAbsent : prev.activeAt();
                    s = new AlertStatus(s.state(), activeAt, activeAt + forMs[i], s.resolvedAt(), s.keepFiringSince());
                }
                case RESOLVED -> {
                    final long silentSince = prev.activeAt() - afterMs; // the last point before the silence
                    final long cameBack;
                    final long resolvedAt;
                    if (keepFiringForMs[i] == 0) {
                        cameBack = cameBack(state, silentSince, t);
                        resolvedAt = cameBack;
                    } else {
                        // keep_firing_for has run out since the series came back: its first point back may be
                        // pruned by now, and was there by the first evaluation that found it back, which kept the
                        // whole silence. It resolves now (rules.md: resolved "after keep_firing_for").
                        final long foundBack = prev.keepFiringSince() == AlertStatus.NONE ? t : prev.keepFiringSince();
                        cameBack = cameBack(state, silentSince, foundBack);
                        resolvedAt = t;
                    }
                    s = new AlertStatus(s.state(), s.activeAt(), s.firedAt(), resolvedAt, s.keepFiringSince());
                    // The resolved event's $value is how long the series was silent, not the 0s since it came back.
                    final double kept = state.numbers(ruleIds[i]).value();
                    return apply(state, rule, ruleIds[i], prev, new AlertLifecycle.Step(s, step.event()),
                            keepFiringForMs[i] > 0 && prev.keepFiringSince() != AlertStatus.NONE && !Double.isNaN(kept)
                                    ? kept : (cameBack - silentSince) / 1000.0, Double.NaN, Double.NaN, out);
                }
            }
        }
        final double silentSeconds;
        if (s.isFiring() && s.keepFiringSince() != AlertStatus.NONE) {
            // Back, firing on through keep_firing_for: the whole silence, kept where this instant found the series
            // back (its first point back held now, maybe not when keep_firing_for runs out), kept since (NaN).
            final long silentSince = prev.activeAt() - afterMs;
            silentSeconds = prev.keepFiringSince() != AlertStatus.NONE ? Double.NaN
                    : (cameBack(state, silentSince, t) - silentSince) / 1000.0;
        } else {
            silentSeconds = (t - lastSeen) / 1000.0;
        }
        return apply(state, rule, ruleIds[i], prev, new AlertLifecycle.Step(s, step.event()), silentSeconds, Double.NaN,
                Double.NaN, out);
    }

    /**
     * When the series came back from the silence after its point at {@code silentSince}: its first point after it, or
     * {@code by} where that is later or not held (pruned, or not come yet).
     */
    private static long cameBack(final SeriesState state, final long silentSince, final long by) {
        final int back = state.firstIndexAfter(silentSince);
        return back < state.size() ? Math.min(state.timestamp(back), by) : by;
    }

    private static boolean apply(final SeriesState state, final Rule rule, final String ruleId, final AlertStatus prev,
                                 final AlertLifecycle.Step step, final double value, final double median,
                                 final double z, final List<AlertTransition> out) {
        if (step.event().isPresent()) {
            // Every step that makes an alert active has an event: its numbers are the ones its labels keep.
            final AlertNumbers now = new AlertNumbers(value, median, z);
            out.add(transition(rule, state.series(), step.event().get(), step.status(), now, state.numbers(ruleId),
                    prev.isInactive() ? now : state.labelNumbers(ruleId)));
        }
        final boolean statusChanged = !step.status().equals(prev);
        if (statusChanged) {
            state.setAlert(ruleId, step.status());
        }
        if (step.status().isInactive()) {
            // No numbers are kept for an inactive alert: skip building them on the common path.
            return statusChanged;
        }
        if (prev.isInactive() && rule.labelsUseNumbers()) {
            state.setLabelNumbers(ruleId, new AlertNumbers(value, median, z));
        }
        if (Double.isNaN(value) && !Double.isNaN(state.numbers(ruleId).value())) {
            // Firing through keep_firing_for with an empty window: the numbers kept stay those of the last
            // evaluation with data, which the resolve then shows (transition()).
            return statusChanged;
        }
        return state.setNumbers(ruleId, new AlertNumbers(value, median, z)) || statusChanged;
    }

    /**
     * An alert that resolves for want of data (the series stopped, or its window emptied) keeps the numbers of its
     * last evaluation with data, as Prometheus keeps a resolved alert's last annotations: "holds NaN connections"
     * would tell a pager nothing. It says why it resolved ({@code resolved_reason}): its annotations still say
     * "holds 517 connections", and a resolve that reads as "the surge is over" when the database has gone silent
     * misleads whoever reads it.
     */
    static AlertTransition transition(final Rule rule, final Series series, final AlertTransition.Kind kind,
                                      final AlertStatus status, final AlertNumbers now, final AlertNumbers last,
                                      final AlertNumbers forLabels) {
        final boolean noData = kind == AlertTransition.Kind.RESOLVED && Double.isNaN(now.value());
        return transition(rule, series, kind, status, now, last, forLabels,
                noData ? Optional.of(noData(rule)) : Optional.empty());
    }

    /**
     * As above, {@code why} it resolved where that is not its condition turning false; the numbers shown are then
     * those of its last evaluation (the ones that had data).
     */
    static AlertTransition transition(final Rule rule, final Series series, final AlertTransition.Kind kind,
                                      final AlertStatus status, final AlertNumbers now, final AlertNumbers last,
                                      final AlertNumbers forLabels, final Optional<String> why) {
        final AlertNumbers shown = why.isPresent() && !Double.isNaN(last.value()) ? last : now;
        return new AlertTransition(rule, series, kind, status, shown.value(), shown.median(), shown.z(), why,
                rule.labelsUseNumbers() ? forLabels : AlertNumbers.NONE);
    }

    /**
     * Why an alert resolved for want of data; its value and annotations are its last evaluation's with data. A rate
     * or increase needs two points (WindowAggregator): one alone is not "no data".
     */
    static String noData(final Rule rule) {
        final String window = DurationSyntax.format(rule.window());
        return rule.aggregate() == Aggregate.RATE || rule.aggregate() == Aggregate.INCREASE
                ? "fewer than 2 points in its " + window + " window, which " + rule.aggregate().yamlName() + " needs"
                : "no data in its " + window + " window";
    }

    /** The last instant of the rule's schedule at or before {@code t}: when a reload ends its alerts. */
    static long lastInstant(final long t, final Rule rule) {
        final long every = rule.every().toMillis();
        return t == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(t, every) * every;
    }

    static long alignUp(final long t, final long step) {
        final long down = Math.floorDiv(t, step) * step;
        return down == t ? t : down + step;
    }
}
