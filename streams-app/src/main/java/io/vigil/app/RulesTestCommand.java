package io.vigil.app;

import io.vigil.rules.RuleProblem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil rules test FILE...}: rule unit tests (rules.md, "Rule unit tests"). Prints each failing expectation,
 * then {@code N passed, M failed}, all on stdout; exit 0 when all pass, 1 otherwise. A test file that cannot be read
 * is reported with each of its problems as {@code file:line:column: message}, and counts as one failed test.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Run rule unit tests: input series in promtool's expanding notation and the alerts expected "
                + "to fire at given times.",
                "Prints each failing expectation and 'N passed, M failed'. Exit 1 if any test fails."})
final class RulesTestCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR",
            description = "Rule test files (e.g. rules/*.test.yaml), or directories: the *.test.yaml and *.test.yml"
                    + " files under them, hidden ones left out.")
    private List<Path> files;

    @Override
    public Integer call() throws IOException {
        final PrintWriter out = spec.commandLine().getOut();
        // Defaults, not the environment: a rule test gives the same verdict on every machine and in CI.
        final RuleTestRunner runner = new RuleTestRunner(ConfigLoader.load(null, Map.of()));
        RuleTestReport report = RuleTestReport.EMPTY;
        for (final Path file : RuleTestFiles.expand(files)) {
            final RuleTestLoader.Result loaded = RuleTestLoader.load(file);
            final RuleTestReport fileReport = loaded.file().isPresent()
                    ? runner.run(loaded.file().get())
                    : RuleTestReport.failedTest(loaded.problems().stream().map(RuleProblem::toString).toList());
            // Printed file by file, so that a long run shows its failures as it goes.
            fileReport.failures().forEach(out::println);
            out.flush();
            report = report.plus(fileReport);
        }
        out.println(report.summary());
        out.flush();
        return report.allPassed() ? 0 : 1;
    }
}
