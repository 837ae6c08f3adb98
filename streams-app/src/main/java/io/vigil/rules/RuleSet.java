package io.vigil.rules;

import java.util.List;

/**
 * Every group of every rule file, in file then declaration order.
 *
 * @param sources the files the groups were read from, as read; empty for rules not read from files (tests, benchmarks)
 */
public record RuleSet(List<RuleGroup> groups, List<RuleSource> sources) {

    public static final RuleSet EMPTY = new RuleSet(List.of());

    public RuleSet {
        groups = List.copyOf(groups);
        sources = List.copyOf(sources);
    }

    /** Rules with no files behind them. */
    public RuleSet(final List<RuleGroup> groups) {
        this(groups, List.of());
    }

    public List<Rule> rules() {
        return groups.stream().flatMap(g -> g.rules().stream()).toList();
    }
}
