package io.vigil.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Rule unit test files ({@code *.test.yaml}, {@code *.test.yml}) as `rules test` and `rules validate` tell them from
 * rule files: by name, as a directory of rules leaves them out ({@code io.vigil.rules.RuleFiles}).
 */
final class RuleTestFiles {

    private RuleTestFiles() {
    }

    static boolean isTestFile(final Path path) {
        final Path name = path.getFileName();
        return name != null && (name.toString().endsWith(".test.yaml") || name.toString().endsWith(".test.yml"));
    }

    /**
     * The paths with each directory replaced by the test files under it, sorted (hidden files and directories left
     * out, as in a directory of rules). A directory without any stays as it is, for the loader to say so.
     */
    static List<Path> expand(final List<Path> paths) {
        final List<Path> out = new ArrayList<>();
        for (final Path path : paths) {
            if (!Files.isDirectory(path)) {
                out.add(path);
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                final List<Path> tests = walk
                        .filter(p -> isTestFile(p) && Files.isRegularFile(p) && !hidden(path.relativize(p)))
                        .sorted().toList();
                out.addAll(tests.isEmpty() ? List.of(path) : tests);
            } catch (IOException | UncheckedIOException e) {
                out.add(path); // the loader says what is wrong with it
            }
        }
        return out;
    }

    private static boolean hidden(final Path relative) {
        for (final Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
