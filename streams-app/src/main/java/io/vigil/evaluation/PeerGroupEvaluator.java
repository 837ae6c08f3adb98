package io.vigil.evaluation;

import io.vigil.evaluation.PeerValues.Member;
import io.vigil.model.Series;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Judges outlier rules: each member of a peer group against the group at the same evaluation (rules.md, "outlier").
 * Free of Kafka; {@link PeerGroupProcessor} feeds it.
 *
 * <p>Members of one group live on many series tasks. Each sends its members' aggregates here (keyed by group), and
 * after every evaluation pass reports how far it has evaluated. An instant is judged only once every series task has
 * reported past it, so a group is complete when judged — whatever the partitions, however many members.
 */
public final class PeerGroupEvaluator {

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();
    /** How many of its rule's evaluations a group's last judgment is kept without a newer one. */
    private static final int KEEP_JUDGMENTS = 10;

    /**
     * An alert of an outlier rule for one member, with the group it belongs to; {@code labelNumbers} as
     * {@link AlertTransition#labelNumbers}.
     */
    record PeerAlert(String groupKey, Series series, AlertStatus status, AlertNumbers numbers, AlertNumbers labelNumbers) {
    }

    /** What a pass produced and what must be persisted. */
    public record Outcome(List<AlertTransition> transitions, List<String> judgedValueKeys, Map<String, Optional<PeerAlert>> alertChanges) {
    }

    private static final Comparator<AlertTransition> EMIT_ORDER = Comparator
            .comparingLong(AlertTransition::time)
            .thenComparing(t -> t.rule().id())
            .thenComparing(t -> t.series().key());

    private RuleIndex rules;
    private final long graceMs;
    private final int expectedEvaluators;
    private final Map<Integer, Long> progress = new HashMap<>();
    private long evaluatedThrough = Long.MIN_VALUE;
    /** Instant -> group -> members with a value. */
    private final TreeMap<Long, Map<String, List<Member>>> pending = new TreeMap<>();
    /** Alert key (rule id, series key) -> the alert, for alerts pending or firing. */
    private final Map<String, PeerAlert> alerts = new HashMap<>();
    /**
     * Each group's last judgment, for {@code /api/series}; in memory only (a restart has them again within one
     * evaluation). A group whose members stopped sending is dropped once its judgment is {@link #KEEP_JUDGMENTS}
     * evaluations old.
     */
    private final Map<String, PeerJudgment> judgments = new HashMap<>();
    /** Within one pass: the last instant each group was judged at. */
    private final Map<String, Long> lastJudged = new HashMap<>();

    /** @param expectedEvaluators how many series tasks send values (the partitions of the series topic) */
    public PeerGroupEvaluator(final RuleIndex rules, final long graceMs, final int expectedEvaluators) {
        this.rules = rules;
        this.graceMs = graceMs;
        this.expectedEvaluators = expectedEvaluators;
    }

    /** The last judgment of each group of the outlier rules {@code filter} may ask about ({@link SeriesQuestions}). */
    public SeriesQuestions.TaskAnswer judgments(final SeriesFilter filter, final int limit) {
        final List<PeerJudgment> out = new ArrayList<>();
        for (PeerJudgment j : judgments.values()) {
            final Optional<Rule> rule = rules.byId(j.ruleId());
            if (rule.isPresent() && filter.mayMatchRule(rule.get())) {
                out.add(j);
            }
        }
        return new SeriesQuestions.TaskAnswer(List.of(), 0, out);
    }

    private static String ruleId(final String groupKey) {
        return groupKey.split("\u0000", 2)[0];
    }

    /**
     * The peer labels' values a group key names ({@link #groupKey}). The names interned: every group of a rule has the
     * same ones, and a copy in each group's judgment was 48 bytes per group (5,000 groups at 1,000,000 series in the
     * bench's fleet).
     */
    private static Map<String, String> peers(final String groupKey) {
        final Map<String, String> peers = new java.util.LinkedHashMap<>();
        final String[] parts = groupKey.split("\u0000");
        for (int i = 1; i < parts.length; i++) {
            final int eq = parts[i].indexOf('=');
            peers.put(parts[i].substring(0, eq).intern(), parts[i].substring(eq + 1));
        }
        return peers;
    }

    /** The group a series belongs to for an outlier rule: the rule and the values of its {@code peers} labels. */
    public static String groupKey(final Rule rule, final Condition.Outlier outlier, final Series series) {
        final StringBuilder sb = new StringBuilder(rule.id());
        for (String label : outlier.peers()) {
            sb.append('\u0000').append(label).append('=').append(series.labels().get(label));
        }
        return sb.toString();
    }

    /** The store key of a group's values waiting at one instant. */
    static String valueKey(final String groupKey, final long time) {
        // Fixed-width hex of the time with its sign bit flipped, so that keys sort by time (HexFormat, not
        // String.format, which costs more than the rest of a peer value's handling).
        return groupKey + '\u0001' + HEX.toHexDigits(time ^ Long.MIN_VALUE);
    }

    static String alertKey(final String ruleId, final String seriesKey) {
        return ruleId + '\u0000' + seriesKey;
    }

    public long evaluatedThrough() {
        return evaluatedThrough;
    }

    /** The alerts pending and firing in this task. */
    AlertCounts alertCounts() {
        final long firing = alerts.values().stream().filter(a -> a.status().isFiring()).count();
        return new AlertCounts(alerts.size() - firing, firing);
    }

    public Map<Integer, Long> progress() {
        return Map.copyOf(progress);
    }

    void restoreProgress(final long through, final Map<Integer, Long> restored) {
        evaluatedThrough = through;
        progress.putAll(restored);
    }

    void restoreAlert(final String key, final PeerAlert alert) {
        alerts.put(key, alert);
    }

    public RuleIndex rules() {
        return rules;
    }

    /**
     * Moves to a new rule set (hot reload), keeping what {@link RuleChange} keeps: an outlier alert whose rule still
     * has its name and labels and still selects its series; the other alerts are dropped, and those that were firing
     * resolve, saying why.
     */
    public Outcome reload(final RuleIndex next) {
        return reload(next, RuleChange.RELOAD);
    }

    /** Moves to a new rule set, keeping what {@code change} keeps (after a restart, or a hot reload). */
    Outcome reload(final RuleIndex next, final RuleChange change) {
        final List<AlertTransition> out = new ArrayList<>();
        final Map<String, Optional<PeerAlert>> changes = new HashMap<>();
        final long now = evaluatedThrough == Long.MIN_VALUE ? Long.MIN_VALUE : evaluatedThrough - graceMs;
        for (Map.Entry<String, PeerAlert> e : new TreeMap<>(alerts).entrySet()) {
            final String ruleId = e.getKey().split("\u0000", 2)[0];
            final Optional<Rule> before = rules.byId(ruleId);
            final Optional<Rule> after = next.byId(ruleId);
            if (before.isPresent() && after.isPresent()
                    && change.keepsAlert(before.get(), after.get(), e.getValue().series())) {
                continue;
            }
            final AlertStatus prev = e.getValue().status();
            if (prev.isFiring() && before.isPresent()) {
                final AlertStatus resolved = prev.resolved(TaskEvaluator.lastInstant(now, before.get()));
                final AlertNumbers last = e.getValue().numbers();
                out.add(new AlertTransition(before.get(), e.getValue().series(), AlertTransition.Kind.RESOLVED,
                        resolved, last.value(), last.median(), last.z(), Optional.of(change.reason()),
                        e.getValue().labelNumbers()));
            }
            alerts.remove(e.getKey());
            changes.put(e.getKey(), Optional.empty());
        }
        rules = next;
        // A changed rule's groups are judged afresh; an unchanged one's are again within one evaluation.
        judgments.clear();
        return new Outcome(out, List.of(), changes);
    }

    /**
     * @return the group's members waiting at that instant, these included (a live view, for the store); null when the
     *         instant has already been judged (the values are dropped)
     */
    List<Member> accept(final PeerValues v) {
        if (evaluatedThrough != Long.MIN_VALUE && v.time() <= evaluatedThrough - graceMs) {
            return null;
        }
        final List<Member> waiting = pending.computeIfAbsent(v.time(), t -> new HashMap<>())
                .computeIfAbsent(v.groupKey(), g -> new ArrayList<>());
        waiting.addAll(v.members());
        return Collections.unmodifiableList(waiting);
    }

    public void onProgress(final int evaluator, final long through) {
        progress.merge(evaluator, through, Math::max);
    }

    /** Judges every instant all series tasks have passed. */
    public Outcome advance() {
        final List<AlertTransition> out = new ArrayList<>();
        final List<String> judged = new ArrayList<>();
        final Map<String, Optional<PeerAlert>> changes = new HashMap<>();
        if (progress.size() < expectedEvaluators) {
            return new Outcome(out, judged, changes);
        }
        final long low = progress.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        if (low <= evaluatedThrough) {
            return new Outcome(out, judged, changes);
        }
        final long previousLimit = evaluatedThrough == Long.MIN_VALUE ? Long.MIN_VALUE : evaluatedThrough - graceMs;
        final long limit = low - graceMs;
        lastJudged.clear();
        while (!pending.isEmpty() && pending.firstKey() <= limit) {
            final Map.Entry<Long, Map<String, List<Member>>> instant = pending.pollFirstEntry();
            final long t = instant.getKey();
            judgeSilentGroupsBefore(t, previousLimit, out, changes);
            for (Map.Entry<String, List<Member>> group : new TreeMap<>(instant.getValue()).entrySet()) {
                judge(group.getKey(), t, group.getValue(), out, changes);
                judged.add(valueKey(group.getKey(), t));
            }
        }
        judgeSilentGroupsBefore(limit + 1, previousLimit, out, changes);
        judgments.values().removeIf(j -> rules.byId(j.ruleId())
                .map(r -> j.at() < limit - KEEP_JUDGMENTS * r.every().toMillis()).orElse(true));
        evaluatedThrough = low;
        out.sort(EMIT_ORDER);
        return new Outcome(out, judged, changes);
    }

    /**
     * Groups with alerts pending or firing are judged at every instant of their rule, also when no member sent a
     * value (the whole group fell silent): their alerts must not stay firing for want of data.
     */
    private void judgeSilentGroupsBefore(final long before, final long previousLimit, final List<AlertTransition> out,
                                         final Map<String, Optional<PeerAlert>> changes) {
        final TreeMap<String, Long> groups = new TreeMap<>();
        for (PeerAlert a : alerts.values()) {
            final long judgedAt = Math.max(a.status().activeAt(), lastJudged.getOrDefault(a.groupKey(), Long.MIN_VALUE));
            groups.merge(a.groupKey(), judgedAt, Math::max);
        }
        for (Map.Entry<String, Long> g : groups.entrySet()) {
            final Optional<Rule> rule = rules.byId(g.getKey().split("\u0000", 2)[0]);
            if (rule.isEmpty()) {
                continue;
            }
            final long every = rule.get().every().toMillis();
            long t = TaskEvaluator.alignUp(Math.max(previousLimit + 1, g.getValue() + 1), every);
            for (; t < before && hasActive(g.getKey()); t += every) {
                final Map<String, List<Member>> atT = pending.get(t);
                if (atT == null || !atT.containsKey(g.getKey())) {
                    judge(g.getKey(), t, List.of(), out, changes);
                }
            }
        }
    }

    private boolean hasActive(final String groupKey) {
        return alerts.values().stream().anyMatch(a -> a.groupKey().equals(groupKey));
    }

    private void judge(final String groupKey, final long t, final List<Member> members, final List<AlertTransition> out,
                       final Map<String, Optional<PeerAlert>> changes) {
        final Optional<Rule> found = rules.byId(groupKey.split("\u0000", 2)[0]);
        if (found.isEmpty() || !(found.get().condition() instanceof Condition.Outlier outlier)) {
            return;
        }
        final Rule rule = found.get();
        lastJudged.put(groupKey, t);
        // By series: a series task that restarts may send a member's value again.
        final TreeMap<String, Member> bySeries = new TreeMap<>();
        for (Member m : members) {
            bySeries.put(m.seriesKey(), m);
        }
        final List<Member> sortedMembers = new ArrayList<>(bySeries.values());
        final int n = sortedMembers.size();
        // A group with fewer than min_peers members with a value is not judged: nobody in it is an outlier.
        final boolean judged = n >= outlier.minPeers();
        double median = Double.NaN;
        double mad = Double.NaN;
        if (judged) {
            final double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = sortedMembers.get(i).value();
            }
            median = RobustStatistics.medianInPlace(values, n);
            for (int i = 0; i < n; i++) {
                values[i] = Math.abs(values[i] - median);
            }
            mad = RobustStatistics.medianInPlace(values, n);
        }
        if (n > 0) {
            // The group's labels parsed once, not at every instant it is judged.
            final PeerJudgment before = judgments.get(groupKey);
            judgments.put(groupKey, new PeerJudgment(ruleId(groupKey), before != null ? before.peers() : peers(groupKey),
                    t, n, median, mad));
        }
        // Alert keys are the rule id, a separator and the series key, so they sort as the series keys do: the members in
        // series order are the members in alert-key order.
        final String ruleId = rule.id();
        final String prefix = ruleId + '\u0000';
        final TreeMap<String, PeerAlert> groupAlerts = new TreeMap<>();
        for (Map.Entry<String, PeerAlert> a : alerts.entrySet()) {
            if (a.getValue().groupKey().equals(groupKey)) {
                groupAlerts.put(a.getKey(), a.getValue());
            }
        }
        for (Map.Entry<String, PeerAlert> a : groupAlerts.entrySet()) {
            if (!a.getKey().startsWith(prefix) || !bySeries.containsKey(a.getKey().substring(prefix.length()))) {
                step(rule, groupKey, a.getKey(), a.getValue().series().key(), Double.NaN, median, Double.NaN, false, t, out,
                        changes);
            }
        }
        for (Member m : sortedMembers) {
            final double x = m.value();
            final double z = judged ? RobustStatistics.z(x, median, mad) : Double.NaN;
            final boolean holds = judged && RobustStatistics.isAnomalous(x, median, z, outlier.direction(), outlier.z(),
                    outlier.minChange(), outlier.minDelta());
            if (!holds && groupAlerts.isEmpty()) {
                continue; // no alert in the group, and none to start: step would find nothing to do
            }
            step(rule, groupKey, alertKey(ruleId, m.seriesKey()), m.seriesKey(), x, median, z, holds, t, out, changes);
        }
    }

    /**
     * Why a member's alert resolved other than by being judged no outlier: it had no value (no data in its window), or
     * its group had too few members with one to be judged, where "10 vs NaN" read as the node having recovered.
     */
    private static Optional<String> whyResolved(final Rule rule, final double value, final double median) {
        if (Double.isNaN(value)) {
            return Optional.of(TaskEvaluator.noData(rule));
        }
        if (Double.isNaN(median) && rule.condition() instanceof Condition.Outlier outlier) {
            return Optional.of("its peer group has fewer than " + outlier.minPeers()
                    + " members with a value (min_peers), too few to judge");
        }
        return Optional.empty();
    }

    private void step(final Rule rule, final String groupKey, final String key, final String seriesKey, final double value,
                      final double median, final double z, final boolean holds, final long t,
                      final List<AlertTransition> out, final Map<String, Optional<PeerAlert>> changes) {
        final PeerAlert prevAlert = alerts.get(key);
        final AlertStatus prev = prevAlert == null ? AlertStatus.INACTIVE : prevAlert.status();
        final AlertLifecycle.Step step = AlertLifecycle.next(prev, holds, t, rule.forDuration().toMillis(),
                rule.keepFiringFor().toMillis());
        if (prevAlert == null && step.status().isInactive() && step.event().isEmpty()) {
            return; // the common case: a member that is no outlier and was none
        }
        final Series series = prevAlert != null ? prevAlert.series() : Series.fromKey(seriesKey);
        final AlertNumbers last = prevAlert == null ? AlertNumbers.NONE : prevAlert.numbers();
        final AlertNumbers now = new AlertNumbers(value, median, z);
        final AlertNumbers forLabels = !prev.isInactive() ? prevAlert.labelNumbers()
                : rule.labelsUseNumbers() ? now : AlertNumbers.NONE;
        step.event().ifPresent(kind -> out.add(TaskEvaluator.transition(rule, series, kind, step.status(), now, last,
                forLabels, kind == AlertTransition.Kind.RESOLVED ? whyResolved(rule, value, median) : Optional.empty())));
        if (step.status().isInactive()) {
            if (prevAlert != null) {
                alerts.remove(key);
                changes.put(key, Optional.empty());
            }
            return;
        }
        // Firing on through keep_firing_for while nothing is judged (no value, or too few peers): the numbers kept are
        // the last judgment's, which its resolve shows (a median of NaN said nothing of why it had fired).
        final boolean unjudged = Double.isNaN(value) || Double.isNaN(median);
        final PeerAlert next = new PeerAlert(groupKey, series, step.status(),
                unjudged && !prev.isInactive() ? last : now, forLabels);
        if (!next.equals(prevAlert)) {
            alerts.put(key, next);
            changes.put(key, Optional.of(next));
        }
    }
}
