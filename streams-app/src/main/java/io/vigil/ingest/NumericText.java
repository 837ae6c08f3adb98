package io.vigil.ingest;

/**
 * Sample values written as strings, as prometheus-kafka-adapter does ({@code "12.5"}, {@code "NaN"},
 * {@code "+Inf"}). Accepts what Go's {@code strconv.ParseFloat} accepts in decimal: an optional sign, digits with an
 * optional fraction and exponent, or {@code Inf}, {@code Infinity} (either signed or not) and {@code NaN} (not signed)
 * in any case. Refuses what {@link Double#parseDouble} would also take but a metric value never is: surrounding
 * whitespace, hex, and Java's {@code d}/{@code f} suffixes. A number beyond a double is refused too
 * ({@link #beyondDouble}), as Go refuses it.
 */
final class NumericText {

    private NumericText() {
    }

    static boolean isNumber(final String text) {
        final int n = text.length();
        int i = n > 0 && (text.charAt(0) == '+' || text.charAt(0) == '-') ? 1 : 0;
        if (i == n) {
            return false;
        }
        final char first = text.charAt(i);
        if (first == 'i' || first == 'I' || first == 'n' || first == 'N') {
            final int rest = n - i;
            // Go signs only the infinities: "-NaN" is a syntax error to ParseFloat, and so it is here.
            return text.regionMatches(true, i, "inf", 0, rest) && rest == 3
                    || text.regionMatches(true, i, "infinity", 0, rest) && rest == 8
                    || i == 0 && text.regionMatches(true, i, "nan", 0, rest) && rest == 3;
        }
        int digits = 0;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && text.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    /**
     * Whether {@code value}, read from {@code text}, is an infinity the text writes in digits ({@code 1e999}, 400
     * digits): a number beyond a double, which Go's {@code ParseFloat} refuses (ErrRange) rather than round to an
     * infinity no producer meant, and aggregates would then ignore. The words ({@code "+Inf"}) end in a letter.
     */
    static boolean beyondDouble(final CharSequence text, final double value) {
        final char last = text.charAt(text.length() - 1);
        return Double.isInfinite(value) && (last == '.' || isDigit(last));
    }

    /** Why a value {@link #beyondDouble} is refused, for {@link DeadLetterReason#INVALID_VALUE}. */
    static String beyondDoubleProblem(final String text) {
        return "value " + Rejection.quote(text) + " is beyond the range of a double";
    }

    /** The value of a text for which {@link #isNumber} holds. */
    static double parse(final String text) {
        final boolean signed = text.charAt(0) == '+' || text.charAt(0) == '-';
        final char first = text.charAt(signed ? 1 : 0);
        if (first == 'i' || first == 'I') {
            return text.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (first == 'n' || first == 'N') {
            return Double.NaN;
        }
        return Double.parseDouble(text);
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }
}
