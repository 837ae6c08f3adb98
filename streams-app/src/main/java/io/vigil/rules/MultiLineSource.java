package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Maps a character of a scalar written over several lines back to where it was written, for the styles whose value is
 * the written characters themselves, less indentation and with line breaks folded: a literal block ({@code |},
 * {@code |-}, {@code |+}, an indentation indicator), a plain scalar, a single-quoted one and a double-quoted one
 * without a backslash. The value is built again from the source, each character with its index; the map is used only
 * when that gives back the very value YAML read, so a case read otherwise here is never mapped wrongly, only not at
 * all. A folded block ({@code >}) and escapes, whose characters a reader cannot find one for one, are not mapped: the
 * caller names the scalar's start.
 */
final class MultiLineSource {

    private MultiLineSource() {
    }

    /** The index in {@code raw} that produced {@code value.charAt(offset)} (or its end), or empty when unsure. */
    static OptionalInt sourceIndex(final String raw, final String value, final int offset) {
        final List<int[]> lines = lines(raw);
        final char first = raw.charAt(0);
        if (first == '>' || first == '"' && raw.indexOf('\\') >= 0) {
            return OptionalInt.empty();
        }
        if (first == '|') {
            return literal(raw, lines, value, offset);
        }
        if (first == '\'' || first == '"') {
            final int close = raw.lastIndexOf(first);
            if (close <= 0) {
                return OptionalInt.empty();
            }
            return folded(raw, lines, 1, close, first == '\'', value, offset);
        }
        return folded(raw, lines, 0, raw.length(), false, value, offset);
    }

    /**
     * A literal block: each line less the block's indentation, line breaks kept. The indentation is the one of its
     * first line that is not empty, or less with an indicator ({@code |2}); the one that gives back the value is taken.
     */
    private static OptionalInt literal(final String raw, final List<int[]> lines, final String value,
                                       final int offset) {
        int firstIndent = -1;
        for (int l = 1; l < lines.size() && firstIndent < 0; l++) {
            final int[] line = lines.get(l);
            final int indent = indentation(raw, line);
            if (line[0] + indent < line[1]) {
                firstIndent = indent;
            }
        }
        final String kept = withoutFinalBreaks(value);
        for (int n = firstIndent; n >= 0; n--) {
            final Built built = new Built();
            for (int l = 1; l < lines.size(); l++) {
                final int[] line = lines.get(l);
                final int indent = indentation(raw, line);
                final boolean blank = line[0] + indent == line[1];
                if (!blank && indent < n) {
                    break; // the block ends: what follows is not in it
                }
                if (l > 1) {
                    built.add('\n', line[0] - 1);
                }
                for (int i = line[0] + Math.min(n, indent); i < line[1]; i++) {
                    built.add(raw.charAt(i), i);
                }
            }
            if (withoutFinalBreaks(built.text.toString()).equals(kept)) {
                return built.indexOf(offset, kept.length());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * A flow scalar over several lines: {@code raw[from, to)} with the spaces around each line break left out, a break
     * between two lines read as a space, and each empty line between them as a line break ({@code ''} one quote when
     * {@code quotes}).
     */
    private static OptionalInt folded(final String raw, final List<int[]> lines, final int from, final int to,
                                      final boolean quotes, final String value, final int offset) {
        final Built built = new Built();
        int emptyLines = 0;
        boolean started = false;
        for (int l = 0; l < lines.size(); l++) {
            int begin = Math.max(lines.get(l)[0], from);
            int end = Math.min(lines.get(l)[1], to);
            if (l > 0) {
                while (begin < end && isSpace(raw.charAt(begin))) {
                    begin++;
                }
            }
            if (l < lines.size() - 1 || end < lines.get(l)[1]) {
                while (end > begin && isSpace(raw.charAt(end - 1))) {
                    end--;
                }
            }
            if (begin >= end) {
                if (l > 0) {
                    emptyLines++;
                }
                continue;
            }
            if (started) {
                for (int e = 0; e < Math.max(1, emptyLines); e++) {
                    built.add(emptyLines == 0 ? ' ' : '\n', begin - 1);
                }
            }
            emptyLines = 0;
            started = true;
            for (int i = begin; i < end; i++) {
                built.add(raw.charAt(i), i);
                if (quotes && raw.charAt(i) == '\'' && i + 1 < end && raw.charAt(i + 1) == '\'') {
                    i++;
                }
            }
            if (end >= to) {
                break;
            }
        }
        return built.text.toString().equals(value) ? built.indexOf(offset, value.length()) : OptionalInt.empty();
    }

    /** The lines of {@code raw} as {@code [start, end)} without their breaks ({@code \n}, {@code \r\n}, {@code \r}). */
    private static List<int[]> lines(final String raw) {
        final List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length(); i++) {
            final char c = raw.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(new int[] {start, i});
                if (c == '\r' && i + 1 < raw.length() && raw.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        lines.add(new int[] {start, raw.length()});
        return lines;
    }

    private static int indentation(final String raw, final int[] line) {
        int i = line[0];
        while (i < line[1] && raw.charAt(i) == ' ') {
            i++;
        }
        return i - line[0];
    }

    private static boolean isSpace(final char c) {
        return c == ' ' || c == '\t';
    }

    private static String withoutFinalBreaks(final String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.substring(0, end);
    }

    /** A value built again, with the index in the source of each of its characters. */
    private static final class Built {
        private final StringBuilder text = new StringBuilder();
        private final List<Integer> indexes = new ArrayList<>();

        void add(final char c, final int index) {
            text.append(c);
            indexes.add(index);
        }

        /** Where {@code offset} was written, the end of the last character for the end; only within {@code length}. */
        OptionalInt indexOf(final int offset, final int length) {
            if (offset < length) {
                return OptionalInt.of(indexes.get(offset));
            }
            return offset == length && length > 0 ? OptionalInt.of(indexes.get(length - 1) + 1) : OptionalInt.empty();
        }
    }
}
