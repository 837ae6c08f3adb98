package io.vigil.rules;

import java.util.Optional;

/**
 * A check of a rule against what the rule files do not hold (the configuration it will run under), made by the loader
 * on each rule valid on its own, so that its problem is said in the same run as the files' other problems, in their
 * order. A rule with any problem within it, even one the YAML reading found (a duplicate key, an anchor), is not
 * checked: it may not say what its author meant.
 */
@FunctionalInterface
public interface RuleCheck {

    /** Checks nothing. */
    RuleCheck NONE = rule -> Optional.empty();

    /** The problem of {@code rule}, said at its {@code alert:} key; empty if none. */
    Optional<String> problem(Rule rule);
}
