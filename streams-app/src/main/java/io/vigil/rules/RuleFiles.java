package io.vigil.rules;

import io.vigil.model.FileErrorReason;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rule files that paths name, as {@link RuleLoader} reads them and the hot reload watches them: one listing, so
 * that a reload is triggered by exactly the files a load would read.
 *
 * <p>A path given directly is a rule file whatever its name. A directory is walked recursively, following symbolic
 * links to files and directories, and yields its {@code *.yaml} / {@code *.yml} files sorted by path, leaving out
 * rule unit test files ({@code *.test.yaml}, {@code *.test.yml}) and every file and directory whose name starts with
 * {@code .}. The last rule is what makes a directory mounted from a Kubernetes ConfigMap read as written: there each
 * file is a link {@code name.yaml -> ..data/name.yaml}, and {@code ..data} a link to a hidden directory holding the
 * real files ({@code ..2024_01_01_00_00_00.123/}); it also leaves out editors' swap and backup files. Prometheus
 * reads such a directory the same way.
 *
 * <p>Each file is listed once by its real path: when two names lead to one file (a link beside its target, a
 * directory reachable through a link), only the first in order is listed, paths in the order given and each
 * directory's files sorted. A link back to a directory that is being walked (a loop) is not followed again: every file
 * under it is already listed through that directory.
 */
public final class RuleFiles {

    /**
     * The files to read, and what kept other entries from being listed.
     *
     * @param files    each named as found (through the link, not its target), so that problems and
     *                 {@link Rule#sourceFile()} name what the user sees in the directory
     * @param problems a path that does not exist, a {@code *.yaml} entry that is a dangling link or cannot be read, a
     *                 directory that cannot be listed; each at line 1, column 1
     */
    public record Listing(List<Path> files, List<RuleProblem> problems) {
        public Listing {
            files = List.copyOf(files);
            problems = List.copyOf(problems);
        }
    }

    /** The names a directory's rule files have, as messages about a directory without any say them. */
    public static final String NAMES = "*.yaml, *.yml; not *.test.yaml, *.test.yml, nor names starting with '.'";

    private RuleFiles() {
    }

    /**
     * The directories among {@code paths} under which {@link #list} finds no rule file and nothing it cannot read: a
     * mistyped or not yet filled rules directory, which loads as no rules at all. The commands say so, each in its
     * way ({@code rules validate} and {@code replay} refuse it, {@code run} warns); loading itself accepts it, so that
     * a hot reload may add the first rules.
     */
    public static List<Path> directoriesWithoutRuleFiles(final List<Path> paths) {
        final List<Path> empty = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                final Listing listing = list(List.of(path));
                if (listing.files().isEmpty() && listing.problems().isEmpty()) {
                    empty.add(path);
                }
            }
        }
        return empty;
    }

    /** The problem of a directory without rule files ({@link #directoriesWithoutRuleFiles}), naming what it lacks. */
    public static RuleProblem withoutRuleFiles(final Path directory) {
        return new RuleProblem(directory.toString(), 1, 1, "is a directory without rule files (" + NAMES + ")");
    }

    /** Lists the rule files of every path, in order; never throws for what the file system holds. */
    public static Listing list(final List<Path> paths) {
        final List<Path> files = new ArrayList<>();
        final List<RuleProblem> problems = new ArrayList<>();
        final Set<Path> realPaths = new HashSet<>();
        for (Path path : paths) {
            for (Path file : candidates(path, problems)) {
                if (realPaths.add(realPath(file))) {
                    files.add(file);
                }
            }
        }
        return new Listing(files, problems);
    }

    private static List<Path> candidates(final Path path, final List<RuleProblem> problems) {
        if (!Files.exists(path)) {
            problems.add(noSuchFile(path));
            return List.of();
        }
        if (!Files.isDirectory(path)) {
            if (!Files.isRegularFile(path)) {
                // A FIFO or a device: reading it would wait for a writer, or never end.
                problems.add(new RuleProblem(path.toString(), 1, 1, "not a regular file"));
                return List.of();
            }
            return List.of(path);
        }
        final List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(path, Set.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new Walk(path, found, problems));
        } catch (IOException e) {
            // Walk reports what it meets and goes on; only the walk's own failure to start lands here.
            problems.add(new RuleProblem(path.toString(), 1, 1, "cannot list the directory: " + e.getMessage()));
        }
        found.sort(null);
        return found;
    }

    /** Collects the rule files under one directory. */
    private static final class Walk extends SimpleFileVisitor<Path> {

        private final Path root;
        private final List<Path> found;
        private final List<RuleProblem> problems;

        Walk(final Path root, final List<Path> found, final List<RuleProblem> problems) {
            this.root = root;
            this.found = found;
            this.problems = problems;
        }

        @Override
        public FileVisitResult preVisitDirectory(final Path dir, final BasicFileAttributes attrs) {
            return !dir.equals(root) && isHidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) {
            if (isHidden(file) || !isRuleFile(file)) {
                return FileVisitResult.CONTINUE;
            }
            if (attrs.isRegularFile()) {
                found.add(file);
            } else if (attrs.isSymbolicLink()) {
                // The walk follows links, so a link it hands over as a link is one whose target it could not reach.
                problems.add(unreachable(file));
            } else {
                problems.add(new RuleProblem(file.toString(), 1, 1, "not a regular file"));
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(final Path file, final IOException e) {
            // A loop leads back to a directory being walked, whose files are listed anyway.
            if (e instanceof FileSystemLoopException || isHidden(file)) {
                return FileVisitResult.CONTINUE;
            }
            final boolean directory = Files.isDirectory(file);
            if (!directory && !isRuleFile(file)) {
                return FileVisitResult.CONTINUE;
            }
            // NoSuchFile: gone since its directory was listed, as in an editor's rename.
            problems.add(e instanceof NoSuchFileException ? noSuchFile(file) : new RuleProblem(file.toString(), 1, 1,
                    (directory ? "cannot list the directory: " : "cannot read the file: ") + FileErrorReason.of(e)));
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(final Path dir, final IOException e) {
            if (e != null) {
                problems.add(new RuleProblem(dir.toString(), 1, 1, "cannot list the directory: " + e.getMessage()));
            }
            return FileVisitResult.CONTINUE;
        }
    }

    private static boolean isHidden(final Path entry) {
        final Path name = entry.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    /** Rule unit test files ({@code *.test.yaml}) live beside the rules they test but are not rule files. */
    private static boolean isRuleFile(final Path file) {
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".yaml") || name.endsWith(".yml"))
                && !name.endsWith(".test.yaml") && !name.endsWith(".test.yml");
    }

    /** The file itself; when that cannot be known (it vanished), its absolute name, so that it is still read once. */
    private static Path realPath(final Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /** What keeps a link's target from being read, in the words {@link RuleLoader} uses for a file named directly. */
    private static RuleProblem unreachable(final Path link) {
        try {
            Files.readAttributes(link, BasicFileAttributes.class);
            return new RuleProblem(link.toString(), 1, 1, "cannot read the file: its target changed while listing");
        } catch (NoSuchFileException e) {
            return noSuchFile(link);
        } catch (IOException e) {
            return new RuleProblem(link.toString(), 1, 1, "cannot read the file: " + FileErrorReason.of(e));
        }
    }

    private static RuleProblem noSuchFile(final Path path) {
        return new RuleProblem(path.toString(), 1, 1, "no such file or directory");
    }
}
