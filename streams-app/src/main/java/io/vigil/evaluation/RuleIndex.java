package io.vigil.evaluation;

import io.vigil.ingest.SelectedMetrics;
import io.vigil.model.Series;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Finds the rules that select a series without looking at every rule: rules are bucketed by the metric name their
 * selector requires, and within a metric by the value of a label they require with {@code =}, so a new series costs
 * the rules that could select it, not the whole rule set. A fleet's rules often all watch the same few metrics and
 * differ by cluster, job or instance; without the second level, 1,000 rules on {@code cpu_usage_percent} would be
 * checked one by one for every new series of it.
 */
public final class RuleIndex implements SelectedMetrics {

    private static final int[] NONE = new int[0];

    private final List<Rule> rules = new ArrayList<>();
    private final int[] groupOfRule;
    private final List<RuleGroup> groups;
    private final Map<String, MetricRules> rulesByMetric = new HashMap<>();
    private final long maxWindowMs;
    private final Map<String, Rule> rulesById = new HashMap<>();
    private final boolean hasOutlierRules;
    private final long everyGcdMs;
    /** Per metric, the steps of the groups whose rules name it, but for those dividing another ({@link #stepsMs}). */
    private final Map<String, long[]> stepsByMetric = new HashMap<>();

    public RuleIndex(final RuleSet ruleSet) {
        this.groups = ruleSet.groups();
        final List<Integer> groupIndexes = new ArrayList<>();
        final Map<String, List<Integer>> byMetric = new HashMap<>();
        long maxWindow = 0;
        for (int g = 0; g < groups.size(); g++) {
            for (Rule rule : groups.get(g).rules()) {
                byMetric.computeIfAbsent(rule.selector().metricName(), k -> new ArrayList<>()).add(rules.size());
                rules.add(rule);
                groupIndexes.add(g);
                maxWindow = Math.max(maxWindow, rule.window().toMillis());
            }
        }
        this.groupOfRule = groupIndexes.stream().mapToInt(Integer::intValue).toArray();
        byMetric.forEach((metric, idx) -> rulesByMetric.put(metric, MetricRules.of(rules, idx)));
        this.maxWindowMs = maxWindow;
        rules.forEach(r -> rulesById.put(r.id(), r));
        this.hasOutlierRules = rules.stream().anyMatch(r -> r.condition() instanceof io.vigil.rules.Condition.Outlier);
        long gcd = 0;
        for (RuleGroup g : groups) {
            gcd = gcd(gcd, g.every().toMillis());
        }
        this.everyGcdMs = gcd;
        byMetric.forEach((metric, idx) -> stepsByMetric.put(metric, slowestSteps(idx.stream()
                .mapToLong(r -> rules.get(r).every().toMillis()).distinct().toArray())));
    }

    /**
     * The greatest common divisor of the groups' {@code every}, 0 without groups: every evaluation instant of the
     * rule set is a multiple of it. Kept here because ingest asks for every record.
     */
    public long everyGcdMs() {
        return everyGcdMs;
    }

    /**
     * The steps of the groups whose rules name metric {@code name}, empty for a metric no rule names. A point of it is
     * late once the first instant of each that would see it has run ({@link
     * io.vigil.model.EvaluationInstants#lastFirstSeeing}): a faster group's instants do not make it late for a slower
     * group, of its metric or another, whose instant has not run yet (rules.md, "Evaluation"). A step dividing
     * another is left out: each of its instants is one of the other's too, so its first instant seeing a point comes
     * no later.
     */
    @Override
    public long[] stepsMs(final String name) {
        final long[] steps = stepsByMetric.get(name);
        return steps != null ? steps : NO_STEPS;
    }

    private static long[] slowestSteps(final long[] steps) {
        return Arrays.stream(steps)
                .filter(step -> Arrays.stream(steps).noneMatch(other -> other != step && other % step == 0))
                .toArray();
    }

    static long gcd(final long a, final long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Whether a rule selects series of metric {@code name}: a selector names one metric, always. */
    @Override
    public boolean selects(final String name) {
        return rulesByMetric.containsKey(name);
    }

    /** Indexes (see {@link #rule}) of the rules whose selector matches the series, in rule order. */
    public int[] match(final Series series) {
        final MetricRules bucket = rulesByMetric.get(series.name());
        if (bucket == null) {
            return NONE;
        }
        final Matches found = new Matches();
        found.addSelecting(bucket.unindexed, rules, series);
        for (int k = 0; k < bucket.labelNames.length; k++) {
            final int[] candidates = bucket.byLabelValue.get(k).get(series.labels().get(bucket.labelNames[k]));
            if (candidates != null) {
                found.addSelecting(candidates, rules, series);
            }
        }
        return found.inRuleOrder();
    }

    /** The rule with this id ({@code group/alert}), if the current rule set has it. */
    public java.util.Optional<Rule> byId(final String id) {
        return java.util.Optional.ofNullable(rulesById.get(id));
    }

    public Rule rule(final int index) {
        return rules.get(index);
    }

    public int groupOf(final int ruleIndex) {
        return groupOfRule[ruleIndex];
    }

    public List<RuleGroup> groups() {
        return groups;
    }

    public int ruleCount() {
        return rules.size();
    }

    public boolean hasOutlierRules() {
        return hasOutlierRules;
    }

    /** The longest window of any rule: how far back points must be kept. */
    public long maxWindowMs() {
        return maxWindowMs;
    }

    /**
     * The rules of one metric name. Each rule that requires some label to equal a value is filed under that value of
     * one such label (the one most of the metric's rules require, so that a series is looked up under few labels);
     * the rest, with only {@code !=}, {@code =~} and {@code !~} matchers, are checked in full for every series.
     * Either way a candidate is then checked against its whole selector.
     */
    private static final class MetricRules {
        private final int[] unindexed;
        private final String[] labelNames;
        /** Parallel to {@link #labelNames}: that label's required value -> rules requiring it, in rule order. */
        private final List<Map<String, int[]>> byLabelValue;

        private MetricRules(final int[] unindexed, final String[] labelNames,
                            final List<Map<String, int[]>> byLabelValue) {
            this.unindexed = unindexed;
            this.labelNames = labelNames;
            this.byLabelValue = byLabelValue;
        }

        static MetricRules of(final List<Rule> rules, final List<Integer> indexes) {
            final Map<String, Integer> requiring = new HashMap<>();
            for (int i : indexes) {
                rules.get(i).selector().matchers().stream()
                        .filter(m -> m.type() == LabelMatcher.Type.EQUAL)
                        .map(LabelMatcher::name).distinct()
                        .forEach(name -> requiring.merge(name, 1, Integer::sum));
            }
            final List<Integer> unindexed = new ArrayList<>();
            final Map<String, Map<String, List<Integer>>> byLabel = new TreeMap<>();
            for (int i : indexes) {
                final Optional<LabelMatcher> key = rules.get(i).selector().matchers().stream()
                        .filter(m -> m.type() == LabelMatcher.Type.EQUAL)
                        .max(Comparator.<LabelMatcher>comparingInt(m -> requiring.get(m.name()))
                                .thenComparing(LabelMatcher::name, Comparator.reverseOrder()));
                if (key.isEmpty()) {
                    unindexed.add(i);
                } else {
                    // An absent label reads as "", so a required "" is filed under "" like any other value.
                    byLabel.computeIfAbsent(key.get().name(), k -> new HashMap<>())
                            .computeIfAbsent(key.get().value(), k -> new ArrayList<>()).add(i);
                }
            }
            final List<Map<String, int[]>> byLabelValue = new ArrayList<>();
            for (Map<String, List<Integer>> byValue : byLabel.values()) {
                final Map<String, int[]> arrays = new HashMap<>();
                byValue.forEach((value, idx) -> arrays.put(value, toArray(idx)));
                byLabelValue.add(arrays);
            }
            return new MetricRules(toArray(unindexed), byLabel.keySet().toArray(new String[0]), byLabelValue);
        }
    }

    /** The rules found selecting one series; most series have one or two. */
    private static final class Matches {
        private int[] found = NONE;
        private int size;

        void addSelecting(final int[] candidates, final List<Rule> rules, final Series series) {
            for (int i : candidates) {
                if (rules.get(i).selector().matches(series)) {
                    if (size == found.length) {
                        found = Arrays.copyOf(found, Math.max(4, size * 2));
                    }
                    found[size++] = i;
                }
            }
        }

        /** Rule order: the order evaluation visits a series' rules in, whichever bucket each was found in. */
        int[] inRuleOrder() {
            if (size == 0) {
                return NONE;
            }
            final int[] out = size == found.length ? found : Arrays.copyOf(found, size);
            Arrays.sort(out);
            return out;
        }
    }

    private static int[] toArray(final List<Integer> indexes) {
        return indexes.stream().mapToInt(Integer::intValue).toArray();
    }
}
