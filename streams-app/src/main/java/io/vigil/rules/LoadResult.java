package io.vigil.rules;

import java.util.List;

/**
 * What loading rule files produced.
 *
 * @param ruleSet    every group of every file when there is no problem; {@link RuleSet#EMPTY} as soon as there is
 *                   one, so that a half-valid rule set can never be run by mistake
 * @param problems   every problem found, file by file in load order, each file's in line order
 * @param validRules every rule valid on its own, in load order, also where others have problems: for the checks of
 *                   rules against the configuration, which {@code rules validate} reports with the rest in one run
 */
public record LoadResult(RuleSet ruleSet, List<RuleProblem> problems, List<Rule> validRules) {

    public LoadResult {
        problems = List.copyOf(problems);
        validRules = List.copyOf(validRules);
    }

    /** Of rules that loaded without a problem. */
    public LoadResult(final RuleSet ruleSet) {
        this(ruleSet, List.of(), ruleSet.rules());
    }

    /** Of problems that left no rule to read. */
    public LoadResult(final List<RuleProblem> problems) {
        this(RuleSet.EMPTY, problems, List.of());
    }

    /** True when there is no problem and {@link #ruleSet} is the rules as written. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
