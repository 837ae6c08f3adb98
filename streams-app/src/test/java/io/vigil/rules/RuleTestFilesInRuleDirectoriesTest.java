package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rule unit test files live beside the rules they test: a directory walk leaves them out, naming one does not. */
class RuleTestFilesInRuleDirectoriesTest {

    @TempDir
    Path dir;

    @Test
    void aDirectoryWalkSkipsTestFilesButANamedOneIsLoaded() throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), """
                groups:
                  - name: g
                    rules:
                      - alert: High
                        series: load
                        threshold: {above: 1}
                """);
        // Not a rule file: loaded as one it would be refused for its unknown keys.
        final String test = "rule_files: [rules.yaml]\ntests: []\n";
        Files.writeString(dir.resolve("rules.test.yaml"), test);
        Files.createDirectories(dir.resolve("more"));
        Files.writeString(dir.resolve("more").resolve("Other.TEST.yml"), test);

        final LoadResult walked = RuleLoader.load(List.of(dir));
        assertThat(walked.problems()).isEmpty();
        assertThat(walked.ruleSet().rules()).hasSize(1);

        final LoadResult named = RuleLoader.load(List.of(dir.resolve("rules.test.yaml")));
        assertThat(named.ok()).isFalse();
        assertThat(named.problems()).extracting(RuleProblem::file)
                .containsOnly(dir.resolve("rules.test.yaml").toString());
    }
}
