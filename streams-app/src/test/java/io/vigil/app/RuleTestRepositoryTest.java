package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The repository's own rule tests pass: CI runs every rules/*.test.yaml through {@code vigil rules test}. */
class RuleTestRepositoryTest {

    /** The repository root: the tests run in streams-app/. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyRuleTestFileOfTheRepositoryPasses() throws IOException {
        final List<String> args = new ArrayList<>(List.of("rules", "test"));
        try (Stream<Path> files = Files.list(ROOT.resolve("rules"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".test.yaml")).sorted()
                    .forEach(f -> args.add(f.toString()));
        }
        assertThat(args).hasSizeGreaterThan(2);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cmd = VigilCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));

        final int exit = cmd.execute(args.toArray(String[]::new));

        assertThat(out.toString()).endsWith(" passed, 0 failed" + System.lineSeparator());
        assertThat(exit).as(out.toString()).isZero();
        assertThat(err.toString()).isEmpty();
    }

    /**
     * The README's rule test, saved where it says beside the rule file it names, passes against the shipped rules.
     * rules.md's example names backend.yaml and gives node-7 alone, which fails: the rule is in backend-peers.yaml and
     * an outlier judges a group of at least min_peers (5) series.
     */
    @Test
    void theReadmesRuleTestPasses(@org.junit.jupiter.api.io.TempDir final Path dir) throws IOException {
        final String readme = Files.readString(ROOT.resolve("README.md"));
        final int intro = readme.indexOf("A rule test of `NodeTrafficFarBelowPeers`");
        assertThat(intro).as("the README's rule test").isNotNegative();
        final int from = readme.indexOf("```yaml\n", intro) + "```yaml\n".length();
        final String test = readme.substring(from, readme.indexOf("```", from));
        assertThat(test).startsWith("rule_files: [backend-peers.yaml]");
        Files.copy(ROOT.resolve("rules/backend-peers.yaml"), dir.resolve("backend-peers.yaml"));
        final Path file = Files.writeString(dir.resolve("traffic.test.yaml"), test);

        final CommandRun run = CommandRun.vigil("rules", "test", file.toString());

        assertThat(run.out()).isEqualTo("1 passed, 0 failed" + System.lineSeparator());
        assertThat(run.exit()).isZero();
    }
}
