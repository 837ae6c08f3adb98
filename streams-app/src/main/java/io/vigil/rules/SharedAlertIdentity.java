package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;

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
        final List<Rule> rules = ruleSet.rules();
        final List<RuleProblem> warnings = new ArrayList<>();
        for (int j = 1; j < rules.size(); j++) {
            final Rule later = rules.get(j);
            for (int i = 0; i < j; i++) {
                final Rule earlier = rules.get(i);
                if (!earlier.group().equals(later.group()) && earlier.alert().equals(later.alert())
                        && earlier.labels().equals(later.labels())
                        && mayHoldTheSameSeries(earlier.selector(), later.selector())) {
                    warnings.add(new RuleProblem(later.sourceFile(), later.line(), later.column(), "warning: alert '"
                            + later.alert() + "' of group '" + later.group() + "' has the name and labels of group '"
                            + earlier.group() + "''s (" + earlier.sourceFile() + ":" + earlier.line() + ":"
                            + earlier.column() + "), and a series may match both selectors: for it the two are one"
                            + " alert downstream (one fingerprint), and one's resolve ends the other's page; tell them"
                            + " apart by a label (severity, say) or rename one"));
                    break;
                }
            }
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
