package io.vigil.app;

import io.vigil.model.FileErrorReason;
import io.vigil.rules.FileProblems;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.Utf8Text;
import io.vigil.rules.YamlNode;
import io.vigil.rules.YamlTreeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads a rule unit test file (rules.md, "Rule unit tests") into a {@link RuleTestFile}, or says everything that is
 * wrong with it, as {@code file:line:column: message} in file order. Never throws for anything a file contains.
 *
 * <pre>
 * rule_files: [backend.yaml]              # relative to the test file
 * tests:
 *   - name: a saturated node pages
 *     interval: 10s                       # default 1m, as promtool's
 *     input_series:
 *       - series: cpu_usage_percent{cluster="backend", instance="node-1"}   # '=' matchers only: one series
 *         values: "50x5 95x20"
 *     alerts:
 *       - at: 5m
 *         firing:                         # absent or [] means none
 *           - labels: {alertname: NodeCpuSaturated, instance: node-1}       # alertname required
 *             annotations: {summary: "..."}                                 # optional
 * </pre>
 * The file is read as a rule file is: {@link YamlTreeReader} makes a tree that keeps every value's place, and
 * {@link RuleTestFileReader} reads all of it, so that a file with four mistakes takes one run to fix, not four.
 * Problems are capped as a rule file's are ({@link FileProblems}).
 */
final class RuleTestLoader {

    /** Test files are hand-written, as rule files are; the same limit. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final String EMPTY_FILE = "the file is empty; expected 'rule_files' and 'tests'";

    private static final YamlNode.Mark FILE_START = new YamlNode.Mark(1, 1);

    /** The file, or the problems that kept it from being read (then never empty). */
    record Result(Optional<RuleTestFile> file, List<RuleProblem> problems) {
        Result {
            problems = List.copyOf(problems);
        }
    }

    private RuleTestLoader() {
    }

    /** Reads and checks one test file; rule files are only named here, {@link RuleTestRunner} loads them. */
    static Result load(final Path path) {
        final String name = path.toString();
        final String text;
        try {
            if (!Files.isRegularFile(path)) {
                return failed(name, 1, 1, Files.isDirectory(path)
                        ? "is a directory without rule test files (*.test.yaml, *.test.yml)"
                        : Files.exists(path) ? "not a regular file" : "no such file");
            }
            final long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                return failed(name, 1, 1, "the file is " + size + " bytes; test files are limited to 1 MiB");
            }
            text = Utf8Text.decode(Files.readAllBytes(path));
        } catch (final Utf8Text.NotUtf8Exception e) {
            return failed(name, e.line(), e.column(), "the file is not valid UTF-8");
        } catch (final IOException e) {
            return failed(name, 1, 1, "cannot read the file: " + FileErrorReason.of(e));
        }
        return parse(path, text);
    }

    /** {@link #load} of text already read; {@code path} names the file and anchors relative rule files. */
    static Result parse(final Path path, final String text) {
        final FileProblems problems = new FileProblems(path.toString());
        // Read as rule files are: a second document, an alias or an anchor, a tag, a duplicate key said as such, at
        // their place; what they leave readable is read on, so that one run reports every problem.
        final Optional<YamlNode> root = YamlTreeReader.read(text, "a rule test file", problems);
        if (root.isEmpty() || root.get() instanceof YamlNode.Scalar s && s.isNull()) {
            if (problems.count() == 0) {
                problems.add(FILE_START, EMPTY_FILE);
            }
            return new Result(Optional.empty(), problems.sorted());
        }
        final Optional<RuleTestFile> file = RuleTestFileReader.read(path, root.get(), problems);
        return file.isPresent() && problems.count() == 0
                ? new Result(file, List.of())
                : new Result(Optional.empty(), problems.sorted());
    }

    private static Result failed(final String file, final int line, final int column, final String message) {
        return new Result(Optional.empty(), List.of(new RuleProblem(file, line, column, message)));
    }
}
