package io.vigil.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The problems of one rule file (or rule unit test file). Capped, so that a hostile or badly broken file yields a
 * readable report rather than a million lines.
 */
public final class FileProblems {

    static final int LIMIT = 100;

    private final String file;
    private final List<RuleProblem> problems = new ArrayList<>();
    private RuleProblem firstDropped;
    /** Every problem added, those dropped past the limit too. */
    private int added;

    public FileProblems(final String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    public void add(final YamlNode.Mark mark, final String message) {
        add(mark.line(), mark.column(), message);
    }

    void add(final int line, final int column, final String message) {
        final RuleProblem problem = new RuleProblem(file, line, column, message);
        added++;
        if (problems.size() < LIMIT) {
            problems.add(problem);
        } else if (firstDropped == null) {
            firstDropped = problem;
        }
    }

    /**
     * How many problems were found, those past the limit too: a reader that counts before and after reading a part
     * tells whether the part had any (past the limit a count of those kept stood still, and a rule with a problem
     * passed for valid).
     */
    public int count() {
        return added;
    }

    /**
     * Whether a problem was found at or after {@code from} and before {@code until} (null: to the end); always, once
     * some were dropped past the limit, as where those were is not kept.
     */
    boolean anyFrom(final YamlNode.Mark from, final YamlNode.Mark until) {
        if (firstDropped != null) {
            return true;
        }
        for (RuleProblem p : problems) {
            if (compare(p, from.line(), from.column()) >= 0
                    && (until == null || compare(p, until.line(), until.column()) < 0)) {
                return true;
            }
        }
        return false;
    }

    private static int compare(final RuleProblem p, final int line, final int column) {
        return p.line() != line ? Integer.compare(p.line(), line) : Integer.compare(p.column(), column);
    }

    /** In file order; when some were dropped, a last line says so. */
    public List<RuleProblem> sorted() {
        final List<RuleProblem> sorted = new ArrayList<>(problems);
        Collections.sort(sorted);
        if (firstDropped != null) {
            sorted.add(new RuleProblem(file, firstDropped.line(), firstDropped.column(),
                    "too many problems; only the first " + LIMIT + " are reported"));
        }
        return List.copyOf(sorted);
    }
}
