package io.vigil.app;

import io.vigil.model.DurationSyntax;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleCheck;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.RuleSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code evaluation.forget} against the rules in force. A series unseen for {@code forget} is forgotten, so an absent
 * rule whose silence takes longer to page ({@code after}, then {@code for}, judged at an instant of its {@code every})
 * could never fire: a configuration that looks fine and stays silent, which `run` and `replay` refuse at start and a
 * rule reload refuses like any invalid rule.
 */
final class ForgetCheck {

    private static final String CHECK_SAYS = " can never page with evaluation.forget ";

    private ForgetCheck() {
    }

    /**
     * The absent rules {@code forget} is too short for, said as a user fixes them (the forget each needs, and the
     * longest); empty if none.
     */
    static Optional<String> problem(final RuleSet rules, final Duration forget) {
        final List<Rule> tooShort = rules.rules().stream().filter(r -> tooShortFor(r, forget).isPresent()).toList();
        if (tooShort.isEmpty()) {
            return Optional.empty();
        }
        final String forgetIs = "evaluation.forget (" + DurationSyntax.format(forget) + ") is too short for ";
        if (tooShort.size() == 1) {
            final Rule rule = tooShort.get(0);
            return Optional.of(forgetIs + "absent rule " + rule.alert() + " (" + rule.sourceFile() + ":" + rule.line()
                    + "): " + tooShortFor(rule, forget).orElseThrow());
        }
        // Each named, and the longest asked: a forget above the first rule's alone was refused again for the next.
        return Optional.of(forgetIs + tooShort.size() + " absent rules, each silent that long before it can page: "
                + String.join(", ", tooShort.stream().map(r -> r.alert() + " (" + r.sourceFile() + ":" + r.line()
                        + ", " + DurationSyntax.format(pages((Condition.Absent) r.condition(), r)) + ")").toList())
                + "; a series is forgotten after that much silence; set evaluation.forget above "
                + DurationSyntax.format(tooShort.stream().map(r -> pages((Condition.Absent) r.condition(), r))
                        .max(Duration::compareTo).orElseThrow()));
    }

    /** Says of each absent rule {@code forget} is too short for, at its {@code alert:} key, as rules validate does. */
    static RuleCheck check(final Duration forget) {
        return rule -> tooShortFor(rule, forget).map(p -> "absent rule " + rule.alert() + CHECK_SAYS
                + DurationSyntax.format(forget) + ": " + p);
    }

    /** Whether {@code problem} is one {@link #check} said: rules that load, but would not run. */
    static boolean said(final RuleProblem problem) {
        return problem.message().startsWith("absent rule ") && problem.message().contains(CHECK_SAYS);
    }

    private static Optional<String> tooShortFor(final Rule rule, final Duration forget) {
        if (!(rule.condition() instanceof Condition.Absent absent)) {
            return Optional.empty();
        }
        final Duration pages = pages(absent, rule);
        if (forget.compareTo(pages) > 0) {
            return Optional.empty();
        }
        return Optional.of("a series is forgotten after that much silence, before this rule can page (after "
                + DurationSyntax.format(absent.after()) + ", for " + DurationSyntax.format(rule.forDuration())
                + ", every " + DurationSyntax.format(rule.every()) + "); set evaluation.forget above "
                + DurationSyntax.format(pages));
    }

    /** How long a silence takes to page: {@code after}, then {@code for}, judged at an instant of its {@code every}. */
    private static Duration pages(final Condition.Absent absent, final Rule rule) {
        return absent.after().plus(rule.forDuration()).plus(rule.every());
    }

    /** @throws ConfigException saying the {@link #problem} if there is one */
    static void require(final RuleSet rules, final Duration forget) {
        problem(rules, forget).ifPresent(p -> {
            throw new ConfigException(p);
        });
    }
}
