package io.vigil.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Where a YAML document stopped parsing and why, in words a user can act on: SnakeYAML's problem and its context,
 * where Jackson's message is several lines with the parser's internals. Rule files and vigil.yaml report it alike.
 *
 * @param line   1-based
 * @param column 1-based
 */
public record YamlSyntaxError(int line, int column, String message) {

    /**
     * @param fallback where the parser was, for an error that carries no location of its own (null: line 1)
     */
    public static YamlSyntaxError of(final JsonProcessingException e, final JsonLocation fallback) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            final Mark at = marked.getProblemMark();
            return new YamlSyntaxError(at.getLine() + 1, at.getColumn() + 1, message(marked));
        }
        final JsonLocation at = e.getLocation() != null ? e.getLocation() : fallback;
        final String original = firstLine(e.getOriginalMessage());
        final String message = original.startsWith("Expected a field name")
                ? "YAML syntax error: mapping keys must be plain text, not lists or mappings"
                : "YAML syntax error: " + original;
        return new YamlSyntaxError(at == null ? 1 : Math.max(1, at.getLineNr()),
                at == null ? 1 : Math.max(1, at.getColumnNr()), message);
    }

    /**
     * The first character YAML does not allow in {@code text} (a control character such as NUL or ESC, a pasted
     * terminal colour code), if SnakeYAML stopped at one: its reader reports only an offset, and the parser's
     * location is wherever it had got to, often line 1.
     */
    public static java.util.Optional<YamlSyntaxError> unprintable(final JsonProcessingException e, final String text) {
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof org.yaml.snakeyaml.reader.ReaderException)) {
            cause = cause.getCause();
        }
        if (cause == null) {
            return java.util.Optional.empty();
        }
        int line = 1;
        int column = 1;
        for (int i = 0; i < text.length(); ) {
            final int c = text.codePointAt(i);
            if (!org.yaml.snakeyaml.reader.StreamReader.isPrintable(c)) {
                return java.util.Optional.of(new YamlSyntaxError(line, column, String.format(
                        "YAML syntax error: the character U+%04X is not allowed in YAML (a control character);"
                                + " remove it", c)));
            }
            i += Character.charCount(c);
            // The line breaks SnakeYAML counts in its marks: \r\n is one.
            if (c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029 || c == '\r' && !text.startsWith("\n", i)) {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return java.util.Optional.empty();
    }

    /** SnakeYAML's problem, then what was being read and where it started, and what most often causes it. */
    public static String message(final MarkedYAMLException marked) {
        final StringBuilder message = new StringBuilder("YAML syntax error: ").append(marked.getProblem());
        if (marked.getContext() != null) {
            message.append(" (").append(marked.getContext());
            if (marked.getContextMark() != null) {
                message.append(" at line ").append(marked.getContextMark().getLine() + 1)
                        .append(", column ").append(marked.getContextMark().getColumn() + 1);
            }
            message.append(')');
        }
        return message.append(likelyCause(marked.getProblem())).toString();
    }

    /**
     * What most often makes SnakeYAML's two commonest problems, whose words are the parser's (a wrong indent gave
     * "mapping values are not allowed here" or "expected <block end>, but found '-'" and nothing a user would act on).
     */
    private static String likelyCause(final String problem) {
        if (problem == null) {
            return "";
        }
        if (problem.startsWith("mapping values are not allowed")) {
            return "; most likely a key indented deeper than the keys beside it, or a value holding ': ' unquoted";
        }
        if (problem.startsWith("expected <block end>")) {
            return "; most likely a line indented differently from the lines of its block: line it up with them";
        }
        return "";
    }

    static String firstLine(final String message) {
        if (message == null) {
            return "unknown error";
        }
        final int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
