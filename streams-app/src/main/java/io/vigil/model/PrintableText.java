package io.vigil.model;

/**
 * Text from a user's file, made safe to print inside a one-line message: a value quoted in an error may hold a line
 * break (a YAML block scalar), which would start a line without {@code file:line:column}, or a terminal's escape
 * sequence, which would recolour or clear the screen of whoever reads the error.
 */
public final class PrintableText {

    private PrintableText() {
    }

    /** {@code text} with every control character, and Unicode's line and paragraph separators, written as an escape. */
    public static String escaped(final String text) {
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        final StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, i);
        for (; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean isControl(final char c) {
        return c < 0x20 || c >= 0x7F && c <= 0x9F || c == 0x2028 || c == 0x2029;
    }
}
