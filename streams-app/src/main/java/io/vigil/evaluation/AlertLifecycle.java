package io.vigil.evaluation;

import java.util.Optional;

/**
 * The one state machine every rule kind shares (rules.md, "Alert lifecycle"): inactive -> pending -> firing ->
 * resolved. Pure: time is passed in, nothing is read from a clock.
 */
public final class AlertLifecycle {

    /** The status after an evaluation, and the event it causes if any. */
    public record Step(AlertStatus status, Optional<AlertTransition.Kind> event) {
        static Step quiet(final AlertStatus status) {
            return new Step(status, Optional.empty());
        }

        static Step emitting(final AlertStatus status, final AlertTransition.Kind kind) {
            return new Step(status, Optional.of(kind));
        }
    }

    private AlertLifecycle() {
    }

    /**
     * @param prev            the status before this evaluation
     * @param conditionTrue   whether the rule's condition holds at {@code t}
     * @param t               the evaluation instant, epoch ms
     * @param forMs           the rule's {@code for}
     * @param keepFiringForMs the rule's {@code keep_firing_for}
     */
    public static Step next(final AlertStatus prev, final boolean conditionTrue, final long t, final long forMs,
                            final long keepFiringForMs) {
        return switch (prev.state()) {
            case INACTIVE -> conditionTrue ? activate(t, forMs) : Step.quiet(prev);
            case PENDING -> whilePending(prev, conditionTrue, t, forMs);
            case FIRING -> whileFiring(prev, conditionTrue, t, keepFiringForMs);
        };
    }

    private static Step activate(final long t, final long forMs) {
        if (forMs <= 0) {
            return Step.emitting(new AlertStatus(AlertState.FIRING, t, t, AlertStatus.NONE, AlertStatus.NONE),
                    AlertTransition.Kind.FIRING);
        }
        return Step.emitting(new AlertStatus(AlertState.PENDING, t, AlertStatus.NONE, AlertStatus.NONE, AlertStatus.NONE),
                AlertTransition.Kind.PENDING);
    }

    private static Step whilePending(final AlertStatus prev, final boolean conditionTrue, final long t, final long forMs) {
        if (!conditionTrue) {
            // A pending alert that clears goes back to inactive without an event (rules.md).
            return Step.quiet(AlertStatus.INACTIVE);
        }
        if (t - prev.activeAt() >= forMs) {
            return Step.emitting(new AlertStatus(AlertState.FIRING, prev.activeAt(), t, AlertStatus.NONE, AlertStatus.NONE),
                    AlertTransition.Kind.FIRING);
        }
        return Step.quiet(prev);
    }

    private static Step whileFiring(final AlertStatus prev, final boolean conditionTrue, final long t,
                                    final long keepFiringForMs) {
        if (conditionTrue) {
            return Step.quiet(prev.keepFiringSince() == AlertStatus.NONE ? prev
                    : new AlertStatus(AlertState.FIRING, prev.activeAt(), prev.firedAt(), AlertStatus.NONE, AlertStatus.NONE));
        }
        final long since = prev.keepFiringSince() == AlertStatus.NONE ? t : prev.keepFiringSince();
        if (t - since >= keepFiringForMs) {
            return Step.emitting(new AlertStatus(AlertState.INACTIVE, prev.activeAt(), prev.firedAt(), t, since),
                    AlertTransition.Kind.RESOLVED);
        }
        return Step.quiet(new AlertStatus(AlertState.FIRING, prev.activeAt(), prev.firedAt(), AlertStatus.NONE, since));
    }
}
