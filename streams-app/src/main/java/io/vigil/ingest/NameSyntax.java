package io.vigil.ingest;

/**
 * Prometheus' metric and label name syntax, checked by hand because a regex per datapoint would cost more than
 * the rest of decoding.
 */
final class NameSyntax {

    private NameSyntax() {
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    static boolean isMetricName(final String name) {
        if (name.isEmpty()) {
            return false;
        }
        final char first = name.charAt(0);
        if (!isLetter(first) && first != '_' && first != ':') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (!isLetter(c) && !isDigit(c) && c != '_' && c != ':') {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    static boolean isLabelName(final String name) {
        if (name.isEmpty()) {
            return false;
        }
        final char first = name.charAt(0);
        if (!isLetter(first) && first != '_') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (!isLetter(c) && !isDigit(c) && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetter(final char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }
}
