package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;

/**
 * How a task came to other rules than it ran, which says what it keeps of each rule's alerts and baselines, and why
 * the firing alerts it drops resolve.
 */
enum RuleChange {

    /**
     * A hot reload: a rule keeps its alerts and its baseline only where its definition is unchanged; one removed or
     * changed starts afresh (design.md, "Hot reload").
     */
    RELOAD("its rule was removed or changed by a rule reload"),

    /**
     * A restart with other rules than the task ran before it: what a restart always kept is kept, and only the alerts
     * no rule in force will judge again resolve: their rule removed, their labels changed (they would come back under
     * another fingerprint, the old one left firing downstream), or their series no longer selected. A rule changed
     * otherwise keeps its alerts: in a rolling deploy a task may move between instances of the old rules and the new
     * several times, and a resolve and a new page at each move would be noise.
     */
    RESTART("its rule was removed, or its labels changed, while Vigil was stopped");

    private final String reason;

    RuleChange(final String reason) {
        this.reason = reason;
    }

    /** The {@code resolved_reason} of a firing alert this change drops. */
    String reason() {
        return reason;
    }

    /** Whether {@code series}' alert of {@code before} is kept as the alert of {@code after}, its rule now. */
    boolean keepsAlert(final Rule before, final Rule after, final Series series) {
        return switch (this) {
            case RELOAD -> after.sameDefinition(before);
            case RESTART -> after.sameAlerts(before) && after.selector().matches(series);
        };
    }

    /** Whether the rule's baselines and the time it has been in force are kept. */
    boolean keepsRule(final Rule before, final Rule after) {
        return this == RESTART || after.sameDefinition(before);
    }
}
