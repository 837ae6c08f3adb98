package io.vigil.rules;

import java.time.Duration;
import java.util.List;

/** A named group of rules sharing one evaluation step. */
public record RuleGroup(String name, Duration every, List<Rule> rules, String sourceFile) {
    public RuleGroup {
        rules = List.copyOf(rules);
    }
}
