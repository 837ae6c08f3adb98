package io.vigil.app;

/**
 * What {@code /readyz} answers: whether a load balancer should send this instance traffic, and why (the body of
 * the answer, for the person looking at a failing check).
 *
 * @param ready  200 when true, 503 when false
 * @param reason one line, without a trailing newline
 */
public record Readiness(boolean ready, String reason) {

    public static Readiness ready(final String reason) {
        return new Readiness(true, reason);
    }

    public static Readiness notReady(final String reason) {
        return new Readiness(false, reason);
    }
}
