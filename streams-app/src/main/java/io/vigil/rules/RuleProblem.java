package io.vigil.rules;

/**
 * One problem found in a rule file, located as editors and compilers do.
 *
 * @param file    the path as the user gave it
 * @param line    1-based
 * @param column  1-based
 * @param message one line, saying what is wrong and, where it helps, what would be right
 */
public record RuleProblem(String file, int line, int column, String message) implements Comparable<RuleProblem> {

    public RuleProblem {
        message = io.vigil.model.PrintableText.escaped(message);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }

    @Override
    public int compareTo(final RuleProblem o) {
        int c = file.compareTo(o.file);
        if (c == 0) {
            c = Integer.compare(line, o.line);
        }
        if (c == 0) {
            c = Integer.compare(column, o.column);
        }
        return c != 0 ? c : message.compareTo(o.message);
    }
}
