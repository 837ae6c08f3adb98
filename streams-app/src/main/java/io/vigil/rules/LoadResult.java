package io.vigil.rules;

import java.util.List;

/**
 * What loading rule files produced.
 *
 * @param ruleSet  every group of every file when there is no problem; {@link RuleSet#EMPTY} as soon as there is one,
 *                 so that a half-valid rule set can never be run by mistake
 * @param problems every problem found, file by file in load order, each file's in line order
 */
public record LoadResult(RuleSet ruleSet, List<RuleProblem> problems) {

    public LoadResult {
        problems = List.copyOf(problems);
    }

    /** True when there is no problem and {@link #ruleSet} is the rules as written. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
