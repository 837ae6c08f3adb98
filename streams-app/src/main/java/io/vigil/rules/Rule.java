package io.vigil.rules;

import java.time.Duration;
import java.util.Map;

/**
 * One alerting rule, validated. Immutable.
 *
 * @param group         the group's name, unique across all rule files
 * @param alert         the alert's name, unique in its group
 * @param selector      which series the rule watches
 * @param aggregate     how a window of points becomes one number
 * @param window        the window length; a multiple of {@code every}
 * @param every         the group's evaluation step; evaluations happen at epoch-aligned multiples of it
 * @param condition     the kind: threshold, deviation, outlier or absent
 * @param forDuration   how long the condition must hold before the alert fires ({@code for})
 * @param keepFiringFor how long a firing alert keeps firing after its condition turned false
 * @param labels        extra alert labels, values may be templates; sorted by name
 * @param annotations   annotation templates; sorted by name
 * @param sourceFile    the file the rule was read from
 * @param line          the line of its {@code alert:} key
 * @param column        the column of its {@code alert:} key
 */
public record Rule(
        String group,
        String alert,
        SeriesSelector selector,
        Aggregate aggregate,
        Duration window,
        Duration every,
        Condition condition,
        Duration forDuration,
        Duration keepFiringFor,
        Map<String, Template> labels,
        Map<String, Template> annotations,
        String sourceFile,
        int line,
        int column) {

    public Rule {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    /** A rule whose {@code alert:} key stands at the start of line {@code line}. */
    public Rule(final String group, final String alert, final SeriesSelector selector, final Aggregate aggregate,
                final Duration window, final Duration every, final Condition condition, final Duration forDuration,
                final Duration keepFiringFor, final Map<String, Template> labels,
                final Map<String, Template> annotations, final String sourceFile, final int line) {
        this(group, alert, selector, aggregate, window, every, condition, forDuration, keepFiringFor, labels,
                annotations, sourceFile, line, 1);
    }

    /**
     * Whether {@code other}'s baselines serve this rule: built from the same points (selector, aggregate, window, step)
     * the same way (for deviation, the same baseline length and method). z, direction, {@code for} and the like only
     * judge a baseline; a baseline of averages compared with sums would fire, and a firing alert learns nothing.
     */
    public boolean sameBaselines(final Rule other) {
        final boolean sameCondition = condition instanceof Condition.Deviation d
                ? other.condition instanceof Condition.Deviation o && d.baseline().equals(o.baseline())
                        && d.method() == o.method()
                : condition.kind().equals(other.condition.kind());
        return group.equals(other.group) && alert.equals(other.alert) && selector.equals(other.selector)
                && aggregate == other.aggregate && window.equals(other.window) && every.equals(other.every)
                && sameCondition;
    }

    /**
     * Whether {@code other}'s alerts are this rule's: the same name and the same labels, so the same fingerprints.
     */
    public boolean sameAlerts(final Rule other) {
        return group.equals(other.group) && alert.equals(other.alert) && labels.equals(other.labels);
    }

    /**
     * Whether a label renders {@code $value}, {@code $median} or {@code $z}: the alert then keeps the numbers it became
     * active with, to render its labels with at every event (its labels are its identity).
     */
    public boolean labelsUseNumbers() {
        return labels.values().stream().anyMatch(Template::usesNumbers);
    }

    /** {@code group/alert}: the rule's name in events, URLs and state. */
    public String id() {
        return group + "/" + alert;
    }
}
