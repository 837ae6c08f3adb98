package io.vigil.app;

import io.vigil.model.DurationSyntax;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code evaluation.forget} against the rules in force. A series unseen for {@code forget} is forgotten, so an absent
 * rule whose silence takes longer to page ({@code after}, then {@code for}, judged at an instant of its {@code every})
 * could never fire: a configuration that looks fine and stays silent, which `run` and `replay` refuse at start and a
 * rule reload refuses like any invalid rule.
 */
final class ForgetCheck {

    private ForgetCheck() {
    }

    /** The first absent rule {@code forget} is too short for, said as a user fixes it; empty if none. */
    static Optional<String> problem(final RuleSet rules, final Duration forget) {
        for (Rule rule : rules.rules()) {
            final Optional<String> tooShort = tooShortFor(rule, forget);
            if (tooShort.isPresent()) {
                return Optional.of("evaluation.forget (" + DurationSyntax.format(forget) + ") is too short for absent rule "
                        + rule.alert() + " (" + rule.sourceFile() + ":" + rule.line() + "): " + tooShort.get());
            }
        }
        return Optional.empty();
    }

    /** Every absent rule {@code forget} is too short for, at its {@code alert:} key, as {@code rules validate} says it. */
    static List<RuleProblem> problems(final List<Rule> rules, final Duration forget) {
        final List<RuleProblem> problems = new ArrayList<>();
        for (Rule rule : rules) {
            tooShortFor(rule, forget).ifPresent(p -> problems.add(new RuleProblem(rule.sourceFile(), rule.line(),
                    rule.column(), "absent rule " + rule.alert() + " can never page with evaluation.forget "
                    + DurationSyntax.format(forget) + ": " + p)));
        }
        return problems;
    }

    private static Optional<String> tooShortFor(final Rule rule, final Duration forget) {
        if (!(rule.condition() instanceof Condition.Absent absent)) {
            return Optional.empty();
        }
        final Duration pages = absent.after().plus(rule.forDuration()).plus(rule.every());
        if (forget.compareTo(pages) > 0) {
            return Optional.empty();
        }
        return Optional.of("a series is forgotten after that much silence, before this rule can page (after "
                + DurationSyntax.format(absent.after()) + ", for " + DurationSyntax.format(rule.forDuration())
                + ", every " + DurationSyntax.format(rule.every()) + "); set evaluation.forget above "
                + DurationSyntax.format(pages));
    }

    /** @throws ConfigException saying the {@link #problem} if there is one */
    static void require(final RuleSet rules, final Duration forget) {
        problem(rules, forget).ifPresent(p -> {
            throw new ConfigException(p);
        });
    }
}
