package io.vigil.alerts;

import java.util.Locale;

/** The {@code status} of an alert event (formats.md). */
public enum EventStatus {
    PENDING, FIRING, RESOLVED;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
