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
        if (problems.size() < LIMIT) {
            problems.add(problem);
        } else if (firstDropped == null) {
            firstDropped = problem;
        }
    }

    public int count() {
        return problems.size() + (firstDropped == null ? 0 : 1);
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
