package io.vigil.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of rule files in {@code vigil run}: checks the rule path for changed content every few seconds, and puts
 * a new rule set in force when it loads cleanly. An invalid version is refused with its problems logged, and the rules
 * already running keep running. A change is taken once two checks in a row found the same content: a deploy that
 * rewrites the rule files one by one is read when it is done, not halfway, where the rules of files not written yet
 * would be removed (their firing alerts resolved) and added again a check later (paging again).
 *
 * <p>Content, not modification times, decides what changed: editors and config-management tools rewrite files in
 * ways that make times unreliable, and rule files are small.
 */
final class RuleReloader implements AutoCloseable {

    /** What a check found. */
    enum Result { UNCHANGED, SETTLING, RELOADED, REFUSED }

    private static final Logger LOG = LoggerFactory.getLogger(RuleReloader.class);

    private final Path path;
    private final LiveRules live;
    private final MeterRegistry registry;
    private final ScheduledExecutorService scheduler;
    private String loadedDigest;
    /** New content one check has seen, to be loaded if the next one sees it unchanged; null when none. */
    private String settlingDigest;
    private final Duration forget;

    /** @param forget evaluation.forget, which every absent rule's silence must page within ({@link ForgetCheck}) */
    RuleReloader(final Path path, final LiveRules live, final Duration forget, final MeterRegistry registry) {
        this.path = path;
        this.live = live;
        this.forget = forget;
        this.registry = registry;
        this.loadedDigest = digest();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "vigil-rule-reloader");
            t.setDaemon(true);
            return t;
        });
    }

    void start(final Duration interval) {
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Checks once; public to tests through the package. */
    Result check() {
        final String digest = digest();
        if (digest.equals(loadedDigest)) {
            settlingDigest = null;
            return Result.UNCHANGED;
        }
        if (!digest.equals(settlingDigest)) {
            settlingDigest = digest;
            return Result.SETTLING;
        }
        settlingDigest = null;
        final LoadResult loaded = RuleLoader.load(List.of(path));
        loadedDigest = digest;
        if (!loaded.ok()) {
            LOG.warn("rule files in {} changed but have {} problem(s); the previous rules keep running:", path,
                    loaded.problems().size());
            for (RuleProblem p : loaded.problems()) {
                LOG.warn("  {}", p);
            }
            registry.counter("vigil.rules.reloads", "result", "refused").increment();
            return Result.REFUSED;
        }
        final Optional<String> tooShort = ForgetCheck.problem(loaded.ruleSet(), forget);
        if (tooShort.isPresent()) {
            LOG.warn("rule files in {} changed, but {}; the previous rules keep running", path, tooShort.get());
            registry.counter("vigil.rules.reloads", "result", "refused").increment();
            return Result.REFUSED;
        }
        live.replace(loaded.ruleSet());
        LOG.info("rules reloaded from {}: {} rule(s) in {} group(s)", path, loaded.ruleSet().rules().size(),
                loaded.ruleSet().groups().size());
        registry.counter("vigil.rules.reloads", "result", "reloaded").increment();
        return Result.RELOADED;
    }

    /**
     * A digest of what a load of the path would read: each rule file's name and content, and what keeps an entry
     * from being read (a dangling link), as {@link RuleFiles} lists them. Files a load leaves out (hidden ones, notes,
     * rule unit tests) are left out here too, so that changing them reloads nothing.
     */
    private String digest() {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            final RuleFiles.Listing listing = RuleFiles.list(List.of(path));
            for (Path f : listing.files()) {
                sha.update(f.toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(f));
            }
            for (RuleProblem p : listing.problems()) {
                sha.update(p.toString().getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            // A file vanishing mid-walk (an editor's rename) looks like a change; the next check settles it.
            return "unreadable:" + e.getMessage();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
