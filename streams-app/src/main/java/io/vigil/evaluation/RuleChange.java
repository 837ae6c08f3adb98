package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;

/**
 * How a task came to other rules than it ran: a hot reload, or a restart with other rules (a deploy, or instances
 * running different rules). Both keep the same, as Prometheus keeps a rule's active alerts across a reload by its name
 * and labels: an alert whose rule is still there with the same name and labels, and still selects its series, keeps
 * its state, and the next evaluation judges it under the rule as it is now; a baseline is kept only where it is still
 * built from the same points the same way. Only the alerts no rule in force will judge again resolve, and the change
 * says why in their {@code resolved_reason}.
 *
 * <p>Until 2026-12-07 a reload started every changed rule afresh: an edit of a summary's wording resolved a live
 * incident and paged it again, with a new {@code startsAt}, so receivers dropping duplicates did not catch it; and a
 * restart kept a deviation baseline of averages for a rule changed to sums, which then fired, never learning (found by
 * a day-2 operations audit).
 */
enum RuleChange {

    RELOAD("its rule was removed, or its labels or selector changed, by a rule reload"),

    RESTART("its rule was removed, or its labels or selector changed, since this task last ran (a deploy, or another"
            + " instance running other rules)");

    private final String reason;

    RuleChange(final String reason) {
        this.reason = reason;
    }

    /** The {@code resolved_reason} of a firing alert this change drops. */
    String reason() {
        return reason;
    }

    /**
     * Whether {@code series}' alert of {@code before} is kept as the alert of {@code after}, its rule now: the same
     * fingerprint (name and labels), judged again; one whose labels changed would come back under another fingerprint,
     * the old one left firing downstream.
     */
    boolean keepsAlert(final Rule before, final Rule after, final Series series) {
        return after.sameAlerts(before) && after.selector().matches(series);
    }

    /** Whether the rule's baselines and the time it has been in force are kept. */
    boolean keepsRule(final Rule before, final Rule after) {
        return after.sameBaselines(before);
    }
}
