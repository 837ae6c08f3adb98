package io.vigil.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rules of different groups that may give one series the same alert: the same name and the same labels, and selectors
 * that a series may satisfy both of. Downstream the two are one alert (one fingerprint, formats.md): their events
 * interleave there, and one's resolve ends the other's page. rules.md makes names unique only within a group, and
 * Prometheus loads such rules too, so it is a warning, not a refusal: selectors that cannot both hold a series (another
 * metric, another value for a label both fix) are told apart here, but regexes that never meet in practice are not.
 */
public final class SharedAlertIdentity {

    private SharedAlertIdentity() {
    }

    /** A warning at each rule that shares an alert with a rule before it, in load order. */
    public static List<RuleProblem> warnings(final RuleSet ruleSet) {
        final List<RuleProblem> warnings = new ArrayList<>();
        // By name first: thousands of rules are compared with the few of their name, not with each other.
        final Map<String, List<Rule>> byName = new HashMap<>();
        for (Rule later : ruleSet.rules()) {
            final List<Rule> named = byName.computeIfAbsent(later.alert(), name -> new ArrayList<>());
            for (Rule earlier : named) {
                if (!earlier.group().equals(later.group()) && earlier.labels().equals(later.labels())
                        && mayHoldTheSameSeries(earlier.selector(), later.selector())) {
                    warnings.add(new RuleProblem(later.sourceFile(), later.line(), later.column(), "warning: alert '"
                            + later.alert() + "' of group '" + later.group() + "' has the name and labels of the one"
                            + " in group '" + earlier.group() + "' (" + earlier.sourceFile() + ":" + earlier.line()
                            + ":" + earlier.column() + "), and a series may match both selectors: for it the two are"
                            + " one alert downstream (one fingerprint), and one's resolve ends the other's page; tell"
                            + " them apart by a label (severity, say) or rename one"));
                    break;
                }
            }
            named.add(later);
        }
        return warnings;
    }

    /** False where no series can satisfy both: another metric, or a value one requires that the other refuses. */
    static boolean mayHoldTheSameSeries(final SeriesSelector a, final SeriesSelector b) {
        return a.metricName().equals(b.metricName()) && !refusesAnEquality(a, b) && !refusesAnEquality(b, a);
    }

    private static boolean refusesAnEquality(final SeriesSelector fixing, final SeriesSelector other) {
        for (LabelMatcher fixed : fixing.matchers()) {
            if (fixed.type() != LabelMatcher.Type.EQUAL) {
                continue;
            }
            for (LabelMatcher m : other.matchers()) {
                if (m.name().equals(fixed.name()) && !m.matchesValue(fixed.value())) {
                    return true;
                }
            }
        }
        return false;
    }
}
