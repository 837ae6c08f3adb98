package io.vigil.evaluation;

/**
 * The numbers behind an active alert at its latest evaluation: the aggregate, and for deviation and outlier rules the
 * median it was compared with and the robust z-score. NaN where there is no such number.
 */
public record AlertNumbers(double value, double median, double z) {
    public static final AlertNumbers NONE = new AlertNumbers(Double.NaN, Double.NaN, Double.NaN);
}
