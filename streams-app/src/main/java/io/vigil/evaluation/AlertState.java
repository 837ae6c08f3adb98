package io.vigil.evaluation;

/** Where an alert of one rule and one series stands. Ordered as Prometheus orders them. */
public enum AlertState {
    INACTIVE, PENDING, FIRING
}
