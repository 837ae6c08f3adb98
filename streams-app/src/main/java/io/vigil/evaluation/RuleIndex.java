package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the rules that select a series without looking at every rule: rules are bucketed by the metric name their
 * selector requires, so a datapoint costs the rules of its own metric, not the whole rule set.
 */
public final class RuleIndex {

    private final List<Rule> rules = new ArrayList<>();
    private final int[] groupOfRule;
    private final List<RuleGroup> groups;
    private final Map<String, int[]> rulesByMetric = new HashMap<>();
    private final long maxWindowMs;
    private final Map<String, Rule> rulesById = new HashMap<>();
    private final boolean hasOutlierRules;

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
        byMetric.forEach((metric, idx) -> rulesByMetric.put(metric, idx.stream().mapToInt(Integer::intValue).toArray()));
        this.maxWindowMs = maxWindow;
        rules.forEach(r -> rulesById.put(r.id(), r));
        this.hasOutlierRules = rules.stream().anyMatch(r -> r.condition() instanceof io.vigil.rules.Condition.Outlier);
    }

    /** Indexes (see {@link #rule}) of the rules whose selector matches the series, in rule order. */
    public int[] match(final Series series) {
        final int[] candidates = rulesByMetric.get(series.name());
        if (candidates == null) {
            return new int[0];
        }
        int n = 0;
        final int[] matched = new int[candidates.length];
        for (int i : candidates) {
            if (rules.get(i).selector().matches(series)) {
                matched[n++] = i;
            }
        }
        return n == matched.length ? matched : java.util.Arrays.copyOf(matched, n);
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
}
