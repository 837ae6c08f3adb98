package io.vigil.rules;

import java.util.Optional;

/**
 * Numbers too long for SnakeYAML to resolve. It matches a plain scalar against YAML 1.1's number patterns only up to
 * {@link #RESOLVED_LENGTH} chars (a guard on its regexes' time) and makes a longer one text, whatever it holds; so
 * {@code above: 1000...0} with a thousand zeros was "not a number" where it is a number out of a double's range.
 * Read here in one pass, without a regex, in YAML 1.1's base-10 forms (an integer, or a float with a fraction or an
 * exponent; underscores between digits allowed); longer octal, hex or binary integers stay text.
 */
final class LongDecimals {

    /** The longest plain scalar SnakeYAML's resolver matches (Resolver's default limit). */
    static final int RESOLVED_LENGTH = 1024;

    private LongDecimals() {
    }

    /** {@code INTEGER} or {@code FLOAT} when {@code text} is a base-10 number in YAML 1.1's forms, else empty. */
    static Optional<YamlNode.Scalar.Type> type(final String text) {
        final int n = text.length();
        int i = n > 0 && (text.charAt(0) == '+' || text.charAt(0) == '-') ? 1 : 0;
        final int integerFrom = i;
        i = digits(text, i);
        final boolean integerDigits = i > integerFrom;
        boolean fractionDigits = false;
        boolean fraction = false;
        if (i < n && text.charAt(i) == '.') {
            fraction = true;
            final int fractionFrom = ++i;
            i = digitsOrUnderscores(text, i);
            fractionDigits = hasDigit(text, fractionFrom, i);
        }
        if (!integerDigits && !fractionDigits) {
            return Optional.empty();
        }
        boolean exponent = false;
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            exponent = true;
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            final int exponentFrom = i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == exponentFrom) {
                return Optional.empty();
            }
        }
        if (i != n) {
            return Optional.empty();
        }
        if (fraction || exponent) {
            return Optional.of(YamlNode.Scalar.Type.FLOAT);
        }
        // YAML 1.1 reads an integer with a leading 0 in octal.
        return text.charAt(integerFrom) == '0' && n - integerFrom > 1 ? Optional.empty()
                : Optional.of(YamlNode.Scalar.Type.INTEGER);
    }

    /** The value of a {@code text} {@link #type} accepts: ±Infinity beyond a double's range, as YAML's are. */
    static double value(final String text) {
        return Double.parseDouble(text.replace("_", ""));
    }

    /** Past a digit followed by digits and underscores, from {@code i}; {@code i} when there is no digit there. */
    private static int digits(final String text, final int i) {
        return i < text.length() && isDigit(text.charAt(i)) ? digitsOrUnderscores(text, i + 1) : i;
    }

    private static int digitsOrUnderscores(final String text, final int from) {
        int i = from;
        while (i < text.length() && (isDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        return i;
    }

    private static boolean hasDigit(final String text, final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (isDigit(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }
}
