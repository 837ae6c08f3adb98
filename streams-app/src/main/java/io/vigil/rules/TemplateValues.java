package io.vigil.rules;

/**
 * The numbers a template may print. NaN where the evaluation has no such number (no data, or a kind without a
 * baseline); NaN prints as {@code NaN}.
 */
public record TemplateValues(double value, double median, double z) {

    public static TemplateValues of(final double value) {
        return new TemplateValues(value, Double.NaN, Double.NaN);
    }
}
