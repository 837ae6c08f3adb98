package io.vigil.rules;

import static io.vigil.rules.RuleLoaderValidTest.group;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rule directories as deployments lay them out: hidden entries, links to files and directories, dangling links. */
class RuleDirectoryLinksTest {

    @TempDir
    Path dir;

    /** The layout the kubelet writes for a ConfigMap volume. */
    @Test
    void aConfigMapMountIsReadOnceUnderTheNamesItShows() throws IOException {
        final Path rules = Files.createDirectories(dir.resolve("rules"));
        final Path version = Files.createDirectories(rules.resolve("..2024_01_01_00_00_00.123"));
        Files.writeString(version.resolve("backend.yaml"), group("backend"));
        Files.writeString(version.resolve("db.yml"), group("db"));
        Files.createSymbolicLink(rules.resolve("..data"), Path.of("..2024_01_01_00_00_00.123"));
        Files.createSymbolicLink(rules.resolve("backend.yaml"), Path.of("..data/backend.yaml"));
        Files.createSymbolicLink(rules.resolve("db.yml"), Path.of("..data/db.yml"));

        final LoadResult result = RuleLoader.load(List.of(rules));

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().groups()).extracting(RuleGroup::name).containsExactly("backend", "db");
        assertThat(result.ruleSet().rules()).extracting(Rule::sourceFile)
                .containsExactly(rules.resolve("backend.yaml").toString(), rules.resolve("db.yml").toString());
    }

    @Test
    void hiddenFilesAndDirectoriesAreNotRead() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), group("a"));
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/old.yaml"), "not: [rules");
        Files.writeString(dir.resolve(".a.yaml.swp.yaml"), "not: [rules");

        final LoadResult result = RuleLoader.load(List.of(dir));

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().groups()).extracting(RuleGroup::name).containsExactly("a");
    }

    @Test
    void aHiddenPathNamedDirectlyIsRead() throws IOException {
        final Path hidden = Files.createDirectories(dir.resolve(".rules"));
        Files.writeString(hidden.resolve("a.yaml"), group("a"));
        final Path file = Files.writeString(dir.resolve(".b.yaml"), group("b"));

        assertThat(RuleLoader.load(List.of(hidden, file)).ruleSet().groups()).extracting(RuleGroup::name)
                .containsExactly("a", "b");
    }

    @Test
    void twoNamesOfOneFileAreReadOnceUnderTheFirstInOrder() throws IOException {
        Files.writeString(dir.resolve("m.yaml"), group("m"));
        Files.createSymbolicLink(dir.resolve("a-link.yaml"), Path.of("m.yaml"));
        Files.createSymbolicLink(dir.resolve("z-link.yaml"), Path.of("m.yaml"));

        final LoadResult result = RuleLoader.load(List.of(dir, dir.resolve("m.yaml")));

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().rules()).extracting(Rule::sourceFile)
                .containsExactly(dir.resolve("a-link.yaml").toString());
    }

    @Test
    void aLinkedDirectoryIsFollowed() throws IOException {
        final Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(shared.resolve("team.yaml"), group("team-a"));
        final Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.createSymbolicLink(rules.resolve("team-a"), Path.of("../shared"));

        final LoadResult result = RuleLoader.load(List.of(rules));

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().rules()).extracting(Rule::sourceFile)
                .containsExactly(rules.resolve("team-a/team.yaml").toString());
    }

    @Test
    void aLinkBackToADirectoryBeingWalkedAddsNothing() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), group("a"));
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/b.yaml"), group("b"));
        Files.createSymbolicLink(dir.resolve("loop"), Path.of("."));
        Files.createSymbolicLink(dir.resolve("sub/up"), Path.of(".."));
        Files.createSymbolicLink(dir.resolve("sub/self"), dir.resolve("sub"));

        final LoadResult result = RuleLoader.load(List.of(dir));

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().rules()).extracting(Rule::sourceFile)
                .containsExactly(dir.resolve("a.yaml").toString(), dir.resolve("sub/b.yaml").toString());
    }

    @Test
    void aDanglingRuleFileLinkIsAProblemAsWhenNamedDirectly() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), group("a"));
        final Path dangling = Files.createSymbolicLink(dir.resolve("team-b.yaml"), dir.resolve("gone.yaml"));
        Files.createSymbolicLink(dir.resolve("notes.txt"), dir.resolve("gone.txt"));
        Files.createSymbolicLink(dir.resolve("team-c"), dir.resolve("gone-dir"));

        final List<String> walked = problems(List.of(dir));
        final List<String> named = problems(List.of(dangling));

        assertThat(walked).containsExactly(dangling + ":1:1: no such file or directory");
        assertThat(named).isEqualTo(walked);
    }

    private static List<String> problems(final List<Path> paths) {
        return RuleLoader.load(paths).problems().stream().map(RuleProblem::toString).toList();
    }
}
