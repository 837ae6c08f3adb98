package io.vigil.ingest;

import java.util.Objects;

/**
 * One reason for sending a record to the dead-letter topic.
 *
 * @param reason   the reason, counted by its tag
 * @param detail   what was wrong and where, e.g. {@code datapoint 3: value "abc" is not a number} or
 *                 {@code line 2: expected '=' at column 7}: the text of the {@code vigil.error} header; always one
 *                 line of at most {@value #MAX_DETAIL_LENGTH} characters (control characters become spaces, longer
 *                 text is cut), because it ends up in a Kafka header and in logs
 * @param problem  the detail without the words that say its {@code position} ({@code expected '='}), for a reader
 *                 that says the position its own way ({@code vigil replay}'s {@code FILE:LINE:COLUMN}); the detail
 *                 itself when there is no position; one line, as the detail
 * @param position where in the record's text the problem is, or {@link RecordPosition#NONE}
 */
public record Rejection(DeadLetterReason reason, String detail, String problem, RecordPosition position) {

    public static final int MAX_DETAIL_LENGTH = 300;
    /** Quoted input is cut shorter than the detail so that the explanation around it survives. */
    private static final int MAX_QUOTED_LENGTH = 64;
    private static final String ELLIPSIS = "...";

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        detail = oneLine(Objects.requireNonNull(detail, "detail"), MAX_DETAIL_LENGTH);
        problem = oneLine(Objects.requireNonNull(problem, "problem"), MAX_DETAIL_LENGTH);
        Objects.requireNonNull(position, "position");
    }

    /** A rejection with no position: its detail says all there is to say of where. */
    public Rejection(final DeadLetterReason reason, final String detail) {
        this(reason, detail, detail, RecordPosition.NONE);
    }

    /** {@code tag: detail}, e.g. {@code invalid_value: datapoint 3: value "abc" is not a number}. */
    public String message() {
        return reason.tag() + ": " + detail;
    }

    /** This rejection, said of one part of a record that is no line of it: {@code where} before both texts. */
    Rejection about(final String where) {
        return new Rejection(reason, where + detail, where + problem, position);
    }

    /** This rejection of a whole line of a line protocol record, {@code line 2: } before its detail. */
    Rejection onLine(final int line) {
        return new Rejection(reason, "line " + line + ": " + detail, problem, RecordPosition.line(line));
    }

    /**
     * This rejection of a JSON record placed at {@code position}, the character at byte {@code byteOffset} (from 0) of
     * the record, as a syntax error is placed: {@code ... at line 1, column 40 (byte offset 39)} after the detail; the
     * problem keeps its words.
     */
    Rejection at(final RecordPosition position, final long byteOffset) {
        return new Rejection(reason, detail + " at line " + position.line() + ", column " + position.column()
                + " (byte offset " + byteOffset + ")", problem, position);
    }

    /**
     * This rejection quoting {@code written} where it quotes {@code rendered}: a value its reader held as a number
     * and wrote again ({@code 1.0E300}), quoted instead as the input writes it ({@code 1e300}).
     */
    Rejection requoted(final String rendered, final String written) {
        final String from = quote(rendered);
        final String to = quote(written);
        return new Rejection(reason, detail.replace(from, to), problem.replace(from, to), position);
    }

    /** Input text as it should appear inside a detail: in double quotes and cut to a readable length. */
    static String quote(final String text) {
        return '"' + oneLine(text, MAX_QUOTED_LENGTH) + '"';
    }

    /** As {@link #quote}, in single quotes: line protocol's errors quote a value as written that way. */
    static String singleQuoted(final String text) {
        return '\'' + oneLine(text, MAX_QUOTED_LENGTH) + '\'';
    }

    static String oneLine(final String text, final int maxLength) {
        final int length = Math.min(text.length(), maxLength);
        StringBuilder sb = null;
        for (int i = 0; i < length; i++) {
            if (isLineBreaking(text.charAt(i))) {
                if (sb == null) {
                    sb = new StringBuilder(text.length());
                    sb.append(text, 0, i);
                }
                sb.append(' ');
            } else if (sb != null) {
                sb.append(text.charAt(i));
            }
        }
        if (text.length() <= maxLength) {
            return sb == null ? text : sb.toString();
        }
        final String clean = sb == null ? text : sb.toString();
        int cut = maxLength - ELLIPSIS.length();
        // A lone high surrogate at the end would make the header invalid UTF-16.
        if (Character.isHighSurrogate(clean.charAt(cut - 1))) {
            cut--;
        }
        return clean.substring(0, cut) + ELLIPSIS;
    }

    private static boolean isLineBreaking(final char c) {
        return c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085';
    }
}
