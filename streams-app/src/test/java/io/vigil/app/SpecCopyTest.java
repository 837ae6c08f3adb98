package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/spec/ holds copies of the project's specification, which the docs cite (a user's clone has nothing else of it).
 * Where the specification sits beside the clone ({@code ../shared/spec}, as on the team's machines), the copies must
 * equal it; elsewhere there is nothing to compare with, and the test is skipped.
 */
class SpecCopyTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path SPEC = REPO.resolveSibling("shared").resolve("spec");

    @Test
    void theCopiesEqualTheSpecification() throws IOException {
        assumeTrue(Files.isDirectory(SPEC), "no specification beside the clone at " + SPEC);
        for (final String file : List.of("cli.md", "formats.md", "rules.md")) {
            assertThat(Files.readString(REPO.resolve("docs/spec").resolve(file)))
                    .as("docs/spec/%s against %s", file, SPEC.resolve(file))
                    .isEqualTo(Files.readString(SPEC.resolve(file)));
        }
    }
}
