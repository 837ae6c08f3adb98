package io.vigil.rules;

import java.util.Locale;
import java.util.Optional;

/** How a window of points becomes one number (rules.md, "Aggregates"). The arithmetic is in evaluation. */
public enum Aggregate {
    AVG, MIN, MAX, SUM, COUNT, LAST, P50, P90, P95, P99, STDDEV, RATE, INCREASE;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Aggregate> fromYaml(final String text) {
        for (Aggregate a : values()) {
            if (a.yamlName().equals(text)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
