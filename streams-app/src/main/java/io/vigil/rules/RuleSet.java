package io.vigil.rules;

import java.util.List;

/** Every group of every rule file, in file then declaration order. */
public record RuleSet(List<RuleGroup> groups) {

    public static final RuleSet EMPTY = new RuleSet(List.of());

    public RuleSet {
        groups = List.copyOf(groups);
    }

    public List<Rule> rules() {
        return groups.stream().flatMap(g -> g.rules().stream()).toList();
    }
}
