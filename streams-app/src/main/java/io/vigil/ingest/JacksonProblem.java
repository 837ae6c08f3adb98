package io.vigil.ingest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's words for JSON it could not read, without what was written for its own developers: the "[Source:
 * REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1]" of an object left open,
 * and the "from `StreamReadConstraints.getMaxNestingDepth()`" of a limit (both reached dead-letter reasons and the
 * replay's summary as they were; found by a fuzz audit).
 */
final class JacksonProblem {

    /** Where Jackson says a structure started: its line, and its column in bytes. */
    private static final Pattern START_MARKER = Pattern.compile(
            "\\(start marker at \\[Source: [^;\\]]*(?:\\([^)]*\\))?[^;\\]]*; line: (\\d+), column: (\\d+)]\\)");
    private static final Pattern ANY_SOURCE = Pattern.compile(" ?(?:at )?\\[Source: [^]]*]");
    private static final Pattern CONSTRAINT = Pattern.compile(", from `StreamReadConstraints\\.[A-Za-z]+\\(\\)`\\)");

    private JacksonProblem() {
    }

    /** @param utf8 the record, which turns the start marker's byte column into the column of a character */
    static String of(final String message, final byte[] utf8) {
        String text = message;
        final Matcher start = START_MARKER.matcher(text);
        if (start.find()) {
            final String at = place(utf8, Integer.parseInt(start.group(1)), Long.parseLong(start.group(2)));
            text = text.substring(0, start.start()) + "(opened at " + at + ")" + text.substring(start.end());
        }
        text = ANY_SOURCE.matcher(text).replaceAll("");
        return CONSTRAINT.matcher(text).replaceAll(")");
    }

    /** {@code line L, column C} in characters, of Jackson's line and byte column (from 1) in {@code utf8}. */
    private static String place(final byte[] utf8, final int line, final long byteColumn) {
        int offset = 0;
        for (int l = 1; l < line && offset < utf8.length; offset++) {
            if (utf8[offset] == '\n') {
                l++;
            }
        }
        final long at = offset + byteColumn - 1;
        if (at < 0 || at >= utf8.length) {
            return "line " + line;
        }
        final RecordPosition position = RecordPosition.ofCharacterAt(utf8, (int) at);
        return "line " + position.line() + ", column " + position.column();
    }
}
