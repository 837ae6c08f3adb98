package io.vigil.rules;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * The functions a template may apply to a number, {@code {{ $value | humanize }}}: Prometheus' four that print a
 * number for people, with Prometheus' output to the character (its template/template.go and prometheus/common's
 * helpers/templates/time.go, 2026-08), so that an annotation moved from a Prometheus rule reads the same.
 */
enum TemplateFunction {

    /** {@code 1.235M}, {@code 1.234m}: SI prefixes, 4 significant digits. */
    HUMANIZE("humanize") {
        @Override
        void appendTo(final StringBuilder sb, final double x) {
            if (x == 0 || !Double.isFinite(x)) {
                appendG4(sb, x);
            } else if (Math.abs(x) >= 1) {
                appendScaled(sb, x, 1000, LARGE);
            } else {
                appendSmall(sb, x, "");
            }
        }
    },
    /** {@code 1Mi}, {@code 1.177Mi}: binary prefixes; at most 1 in magnitude, the number itself. */
    HUMANIZE_1024("humanize1024") {
        @Override
        void appendTo(final StringBuilder sb, final double x) {
            if (Math.abs(x) <= 1 || !Double.isFinite(x)) {
                appendG4(sb, x);
            } else {
                appendScaled(sb, x, 1024, BINARY);
            }
        }
    },
    /** Seconds: {@code 1d 2h 3m 4s} (whole seconds) from a minute up, {@code 12.35s} below, {@code 100ms} under 1 s. */
    HUMANIZE_DURATION("humanizeDuration") {
        @Override
        void appendTo(final StringBuilder sb, final double x) {
            if (!Double.isFinite(x)) {
                appendG4(sb, x);
            } else if (x == 0) {
                appendG4(sb, x);
                sb.append('s');
            } else if (Math.abs(x) >= 1) {
                appendWhole(sb, x);
            } else {
                appendSmall(sb, x, "s");
            }
        }
    },
    /** A ratio as a percentage: {@code 0.1234567} is {@code 12.35%}. */
    HUMANIZE_PERCENTAGE("humanizePercentage") {
        @Override
        void appendTo(final StringBuilder sb, final double x) {
            appendG4(sb, x * 100);
            sb.append('%');
        }
    };

    static final String NAMES = "humanize, humanize1024, humanizeDuration, humanizePercentage";

    private static final String[] LARGE = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
    private static final String[] BINARY = {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"};
    private static final String[] SMALL = {"m", "u", "n", "p", "f", "a", "z", "y"};
    private static final MathContext FOUR_DIGITS = new MathContext(4, RoundingMode.HALF_EVEN);

    private final String functionName;

    TemplateFunction(final String functionName) {
        this.functionName = functionName;
    }

    static Optional<TemplateFunction> named(final String name) {
        for (TemplateFunction f : values()) {
            if (f.functionName.equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    String functionName() {
        return functionName;
    }

    abstract void appendTo(StringBuilder sb, double x);

    /*
     * The steps below are Prometheus' own in the same double arithmetic (repeated division or multiplication by
     * 1000), so that the digits printed round the same.
     */

    private static void appendScaled(final StringBuilder sb, final double x, final int base, final String[] prefixes) {
        double v = x;
        String prefix = "";
        for (String p : prefixes) {
            if (Math.abs(v) < base) {
                break;
            }
            prefix = p;
            v /= base;
        }
        appendG4(sb, v);
        sb.append(prefix);
    }

    private static void appendSmall(final StringBuilder sb, final double x, final String unit) {
        double v = x;
        String prefix = "";
        for (String p : SMALL) {
            if (Math.abs(v) >= 1) {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        appendG4(sb, v);
        sb.append(prefix).append(unit);
    }

    /**
     * At least a second. Beyond a long's range of seconds (2.9e11 years) the cast saturates where Go's int64
     * conversion is platform-dependent.
     */
    private static void appendWhole(final StringBuilder sb, final double x) {
        if (x < 0) {
            sb.append('-');
        }
        final double v = Math.abs(x);
        final long duration = (long) v;
        final long seconds = duration % 60;
        final long minutes = duration / 60 % 60;
        final long hours = duration / 3600 % 24;
        final long days = duration / 86400;
        if (days != 0) {
            sb.append(days).append("d ").append(hours).append("h ").append(minutes).append("m ").append(seconds)
                    .append('s');
        } else if (hours != 0) {
            sb.append(hours).append("h ").append(minutes).append("m ").append(seconds).append('s');
        } else if (minutes != 0) {
            sb.append(minutes).append("m ").append(seconds).append('s');
        } else {
            appendG4(sb, v);
            sb.append('s');
        }
    }

    /**
     * {@code x} as Go's {@code %.4g}: 4 significant digits of the double's exact binary value, ties to even (so
     * {@code 1.2345} is {@code 1.234}: the double is just below), trailing zeros dropped; exponent form where the
     * rounded exponent is below -4 or at least 4 ({@code 1.2e+04}, {@code 1e-05}); {@code -0}, {@code NaN},
     * {@code +Inf}, {@code -Inf} as Go prints them.
     */
    static void appendG4(final StringBuilder sb, final double x) {
        if (Double.isNaN(x)) {
            sb.append("NaN");
        } else if (Double.isInfinite(x)) {
            sb.append(x > 0 ? "+Inf" : "-Inf");
        } else if (x == 0) {
            sb.append(Double.doubleToRawLongBits(x) < 0 ? "-0" : "0");
        } else {
            final BigDecimal rounded = new BigDecimal(x).round(FOUR_DIGITS).stripTrailingZeros();
            final int exponent = rounded.precision() - rounded.scale() - 1;
            if (exponent < -4 || exponent >= 4) {
                appendExponentForm(sb, rounded, exponent);
            } else {
                sb.append(rounded.toPlainString());
            }
        }
    }

    /** {@code 2.34e-05}: {@code rounded}'s digits, a signed exponent of at least two digits, as Go's {@code %e}. */
    static void appendExponentForm(final StringBuilder sb, final BigDecimal rounded, final int exponent) {
        final int magnitude = Math.abs(exponent);
        sb.append(rounded.movePointLeft(exponent).toPlainString()).append(exponent < 0 ? "e-" : "e+")
                .append(magnitude < 10 ? "0" : "").append(magnitude);
    }
}
