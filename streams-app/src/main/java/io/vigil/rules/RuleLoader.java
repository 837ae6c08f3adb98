package io.vigil.rules;

import io.vigil.model.FileErrorReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads rule files (rules.md) into a {@link RuleSet}, or says everything that is wrong with them as
 * {@code file:line:column: message}. Never throws for anything a file contains.
 */
public final class RuleLoader {

    /** Rule files are hand-written; anything bigger is a mistake or an attack, and is not parsed at all. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private RuleLoader() {
    }

    /**
     * Loads the rule files of each path, as {@link RuleFiles#list} lists them: a file given directly whatever its
     * name; in a directory, recursively, every {@code *.yaml} / {@code *.yml} file sorted by path, leaving out rule
     * unit test files and hidden entries, each file once. Group names must be unique across all of them. A path that
     * does not exist or cannot be read is a problem at line 1, column 1.
     *
     * @return the rule set, or {@link RuleSet#EMPTY} with every problem when there is any
     */
    public static LoadResult load(final List<Path> paths) {
        return load(paths, RuleCheck.NONE);
    }

    /** {@link #load}, {@code check} a problem of each rule valid on its own, said with the files' others. */
    public static LoadResult load(final List<Path> paths, final RuleCheck check) {
        final RuleFiles.Listing listing = RuleFiles.list(paths);
        final List<RuleProblem> problems = new ArrayList<>(listing.problems());
        final List<RuleFileReader.FileRead> files = new ArrayList<>();
        final List<RuleSource> sources = new ArrayList<>();
        for (Path file : listing.files()) {
            files.add(readFile(file, problems, sources, check));
        }
        return combine(files, problems, sources);
    }

    /**
     * Reads rule files again from their texts, as {@link #load} read them: the rules an engine ran before a restart,
     * kept with its state ({@link RuleSet#sources()}).
     */
    public static LoadResult parse(final List<RuleSource> sources) {
        final List<RuleFileReader.FileRead> files = new ArrayList<>();
        for (RuleSource source : sources) {
            files.add(RuleFileReader.read(source.file(), source.text(), RuleCheck.NONE));
        }
        return combine(files, new ArrayList<>(), sources);
    }

    /**
     * Parses one document's text.
     *
     * @param fileName used in problems and as each rule's {@link Rule#sourceFile()}
     * @return the rule set, or {@link RuleSet#EMPTY} with every problem when there is any
     */
    public static LoadResult parse(final String fileName, final String yamlText) {
        final List<RuleProblem> problems = new ArrayList<>();
        final long bytes = utf8Length(yamlText);
        if (bytes > MAX_FILE_BYTES) {
            problems.add(tooLarge(fileName, bytes));
            return new LoadResult(RuleSet.EMPTY, problems);
        }
        return combine(List.of(RuleFileReader.read(fileName, yamlText, RuleCheck.NONE)), problems,
                List.of(new RuleSource(fileName, yamlText)));
    }

    private static LoadResult combine(final List<RuleFileReader.FileRead> files, final List<RuleProblem> problems,
                                      final List<RuleSource> sources) {
        final List<RuleGroup> groups = new ArrayList<>();
        final Map<String, RuleProblem> firstByName = new HashMap<>();
        for (RuleFileReader.FileRead file : files) {
            for (RuleFileReader.GroupRead g : file.groups()) {
                final RuleProblem here = new RuleProblem(file.problems().file(), g.nameMark().line(),
                        g.nameMark().column(), "");
                final RuleProblem first = firstByName.putIfAbsent(g.name(), here);
                if (first != null) {
                    file.problems().add(g.nameMark(), "duplicate group name '" + g.name() + "'; first defined at "
                            + first.file() + ":" + first.line() + ":" + first.column());
                }
                g.group().ifPresent(groups::add);
            }
            problems.addAll(file.problems().sorted());
        }
        return problems.isEmpty()
                ? new LoadResult(new RuleSet(groups, sources), List.of())
                : new LoadResult(RuleSet.EMPTY, problems);
    }

    private static RuleFileReader.FileRead readFile(final Path file, final List<RuleProblem> problems,
                                                    final List<RuleSource> sources, final RuleCheck check) {
        final String name = file.toString();
        final RuleFileReader.FileRead unread = new RuleFileReader.FileRead(List.of(), new FileProblems(name));
        try {
            final long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                problems.add(tooLarge(name, size));
                return unread;
            }
            final String text = Utf8Text.decode(Files.readAllBytes(file));
            sources.add(new RuleSource(name, text));
            return RuleFileReader.read(name, text, check);
        } catch (Utf8Text.NotUtf8Exception e) {
            problems.add(new RuleProblem(name, e.line(), e.column(), "the file is not valid UTF-8"));
        } catch (IOException e) {
            problems.add(new RuleProblem(name, 1, 1, "cannot read the file: " + FileErrorReason.of(e)));
        }
        return unread;
    }

    private static RuleProblem tooLarge(final String file, final long bytes) {
        return new RuleProblem(file, 1, 1, "the file is " + bytes + " bytes; rule files are limited to 1 MiB ("
                + MAX_FILE_BYTES + " bytes)");
    }

    private static long utf8Length(final String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
