package io.vigil.evaluation;

/**
 * The lifecycle of one alert (one rule, one series), all its times together. Times are epoch milliseconds of
 * evaluation instants; {@link #NONE} where a time does not apply (kept as primitives: there is one of these per
 * active alert in the state store).
 *
 * @param state           inactive, pending or firing
 * @param activeAt        the first true evaluation of this episode
 * @param firedAt         the evaluation at which it fired
 * @param resolvedAt      the evaluation at which it resolved (set on the resolving step only)
 * @param keepFiringSince the first false evaluation while firing, for {@code keep_firing_for}
 */
public record AlertStatus(AlertState state, long activeAt, long firedAt, long resolvedAt, long keepFiringSince) {

    public static final long NONE = Long.MIN_VALUE;
    public static final AlertStatus INACTIVE = new AlertStatus(AlertState.INACTIVE, NONE, NONE, NONE, NONE);

    public boolean isInactive() {
        return state == AlertState.INACTIVE;
    }

    public boolean isFiring() {
        return state == AlertState.FIRING;
    }

    /**
     * This alert resolved at {@code t} by a change around its evaluation (a rule reload, its series forgotten, a limit
     * lifted), not by a false condition ({@link AlertLifecycle}): its times kept, and never resolved before it fired.
     */
    public AlertStatus resolved(final long t) {
        return new AlertStatus(AlertState.INACTIVE, activeAt, firedAt, Math.max(firedAt, t), keepFiringSince);
    }
}
