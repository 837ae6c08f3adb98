package io.vigil.app;

import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.SharedAlertIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vigil rules validate|test}; {@code vigil rules} alone is a usage error, as {@code vigil} alone. */
@Command(name = "rules", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Check and test rule files.", subcommands = {RulesCommand.Validate.class, RulesTestCommand.class})
final class RulesCommand {

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check rule files; print every problem as file:line:column: message. Exit 1 if any.")
    static final class Validate implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "DIR_OR_FILE", description = "Rule files or directories of them.")
        private List<Path> paths;

        @CommandLine.Option(names = "--config", paramLabel = "FILE",
                description = "vigil.yaml the rules will run under, checked too (its receivers, evaluation.forget);"
                        + " default: the defaults.")
        private Path config;

        @Override
        public Integer call() {
            // The configuration first, whatever the rules: a deploy pipeline checks both with this one command, and a
            // bad vigil.yaml must not pass because a rule was wrong too (exit 2, as run would refuse it).
            final VigilConfig cfg = ConfigLoader.loadWithReceivers(config, System.getenv(), List.of(), false).config();
            // `rules validate rules/*.yaml`, promtool's habit, names the rule tests beside the rules too: they are not
            // rule files (a directory given leaves them out the same way), and read as such each gave a dozen
            // "unknown key" problems.
            final List<Path> ruleFiles = new ArrayList<>();
            for (final Path path : paths) {
                if (RuleTestFiles.isTestFile(path) && Files.isRegularFile(path)) {
                    spec.commandLine().getErr().println("skipped " + path + ": a rule test file; run it with"
                            + " `vigil rules test " + path + "`");
                } else {
                    ruleFiles.add(path);
                }
            }
            if (ruleFiles.isEmpty()) {
                spec.commandLine().getErr().println("no rule files named, only rule test files");
                return 1;
            }
            // Rules that load but can never page under the configuration (run refuses them at start) are said with the
            // files' other problems: said only once those were fixed, they came as a new problem on the next run.
            final LoadResult result = RuleLoader.load(ruleFiles, ForgetCheck.check(cfg.forget()));
            // A directory holding no rule file (mistyped, or not filled yet) loads as nothing to check: it passed as
            // "ok: 0 group(s), 0 rule(s)".
            final List<RuleProblem> problems = new ArrayList<>();
            RuleFiles.directoriesWithoutRuleFiles(ruleFiles).forEach(d -> problems.add(RuleFiles.withoutRuleFiles(d)));
            problems.addAll(result.problems());
            if (!problems.isEmpty()) {
                problems.forEach(p -> spec.commandLine().getErr().println(p));
                spec.commandLine().getErr().println(problems.size() + " problem(s) found");
                return 1;
            }
            SharedAlertIdentity.warnings(result.ruleSet()).forEach(spec.commandLine().getErr()::println);
            final int groups = result.ruleSet().groups().size();
            final int rules = result.ruleSet().rules().size();
            spec.commandLine().getOut().println("ok: " + groups + " group(s), " + rules + " rule(s)");
            return 0;
        }
    }

    /**
     * Loads rules for an engine, printing the problems and failing when there are any; a directory holding no rule
     * file is one ({@code replay} or {@code demo} of no rules would evaluate nothing, and say nothing of why).
     */
    static io.vigil.rules.RuleSet loadOrFail(final List<Path> paths, final CommandLine cmd) {
        final List<RuleProblem> empty = RuleFiles.directoriesWithoutRuleFiles(paths).stream()
                .map(RuleFiles::withoutRuleFiles).toList();
        if (!empty.isEmpty()) {
            empty.forEach(cmd.getErr()::println);
            throw new InvalidRulesException(empty.size());
        }
        final io.vigil.rules.RuleSet ruleSet = loadOrFailAllowingEmptyDirectories(paths, cmd);
        SharedAlertIdentity.warnings(ruleSet).forEach(cmd.getErr()::println);
        return ruleSet;
    }

    /** As {@link #loadOrFail}, a directory without rule files loading as no rules: {@code run}'s, which warns. */
    static io.vigil.rules.RuleSet loadOrFailAllowingEmptyDirectories(final List<Path> paths, final CommandLine cmd) {
        // A rule test file named as the rules (`--rules rules/backend.test.yaml`): read as rules it gave "needs
        // 'groups'" and "unknown key 'rule_files'", where rules validate skips it with a note.
        final List<RuleProblem> tests = paths.stream().filter(p -> RuleTestFiles.isTestFile(p) && Files.isRegularFile(p))
                .map(p -> new RuleProblem(p.toString(), 1, 1, "a rule test file, not a rule file: give the rule files it"
                        + " names, or run it with `vigil rules test " + p + "`")).toList();
        if (!tests.isEmpty()) {
            tests.forEach(cmd.getErr()::println);
            throw new InvalidRulesException(tests.size());
        }
        final LoadResult result = RuleLoader.load(paths);
        if (!result.ok()) {
            for (RuleProblem p : result.problems()) {
                cmd.getErr().println(p);
            }
            throw new InvalidRulesException(result.problems().size());
        }
        return result.ruleSet();
    }

    /** The rules did not load; the problems have been printed. */
    static final class InvalidRulesException extends RuntimeException {
        InvalidRulesException(final int problems) {
            super(problems + " problem(s) in the rule files; nothing was started");
        }
    }
}
