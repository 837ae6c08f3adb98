package io.vigil.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleFiles;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleProblem;
import io.vigil.rules.SharedAlertIdentity;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    /** Hex digits of the digest in vigil_rules_loaded_info: 48 bits, plenty to tell a few versions apart. */
    static final int SHORT_DIGEST = 12;

    private final Path path;
    private final LiveRules live;
    private final MeterRegistry registry;
    private final ScheduledExecutorService scheduler;
    private String loadedDigest;
    /** New content one check has seen, to be loaded if the next one sees it unchanged; null when none. */
    private String settlingDigest;
    private final Duration forget;
    /**
     * As Prometheus' prometheus_config_last_reload_successful: a refused reload is in the log only, and the files left
     * as they are would be refused again at the next start, which an alert on this gauge says before then.
     */
    private final AtomicInteger lastReloadSuccessful = new AtomicInteger(1);
    private final AtomicLong lastSuccessEpochMs = new AtomicLong(System.currentTimeMillis());
    /**
     * vigil_rules_loaded_info{digest}: which rule files this instance runs, to compare across the instances of one
     * application, which must all run the same (deploy/vigil-self-alerts.yml, VigilRulesDifferBetweenInstances). One
     * series at a time: registering the new digest's row removes the previous one's series, which Prometheus then
     * marks stale at its next scrape.
     */
    private final MultiGauge loadedInfo;

    /** For rules loaded from {@code path} as it is now. */
    RuleReloader(final Path path, final LiveRules live, final Duration forget, final MeterRegistry registry) {
        this(path, digest(path), live, forget, registry);
    }

    /**
     * @param loadedDigest {@link #digest(Path)} of the path taken before the rules running were loaded: files changed
     *                     since (while the broker and the engine started, by a sidecar filling the directory) differ
     *                     from it and are loaded at the first checks, where a digest taken now would take them for
     *                     the rules running
     * @param forget       evaluation.forget, which every absent rule's silence must page within ({@link ForgetCheck})
     */
    RuleReloader(final Path path, final String loadedDigest, final LiveRules live, final Duration forget,
                 final MeterRegistry registry) {
        this.path = path;
        this.live = live;
        this.forget = forget;
        this.registry = registry;
        this.loadedDigest = loadedDigest;
        this.loadedInfo = MultiGauge.builder("vigil.rules.loaded.info")
                .description("1, labelled with the digest (short SHA-256) of the rule files running on this instance,"
                        + " as loaded at start or by the last successful reload: instances of one application running"
                        + " different rules give different digests")
                .register(registry);
        running(loadedDigest);
        // Both results at 0 from the start: increase() sees the first reload of each, and a panel has its series.
        reloads("reloaded");
        reloads("refused");
        Gauge.builder("vigil.rules.last.reload.successful", lastReloadSuccessful,
                        AtomicInteger::get)
                .description("1 when the rule files as they are now were loaded (at start or by the last reload), 0"
                        + " when the last reload refused them and the rules loaded before keep running")
                .register(registry);
        Gauge.builder("vigil.rules.last.reload.success.timestamp", lastSuccessEpochMs,
                        ms -> ms.get() / 1000.0)
                .baseUnit("seconds")
                .description("when the rules running now were loaded, seconds since the epoch")
                .register(registry);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "vigil-rule-reloader");
            t.setDaemon(true);
            return t;
        });
    }

    void start(final Duration interval) {
        scheduler.scheduleWithFixedDelay(this::checkAndCarryOn, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * {@link #check}, whatever it throws: a scheduled task that throws is never run again, so a rule file that broke
     * the loader (a regex nested thousands deep overflowed its stack) silently ended every later reload, with
     * {@code vigil_rules_last_reload_successful} still 1.
     */
    private void checkAndCarryOn() {
        try {
            check();
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("rule files in {} changed but could not be loaded ({}); the previous rules keep running", path,
                    e.toString());
            refused();
        }
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
        // Taken as seen before it is loaded: files whose load throws are refused once, not again every check.
        loadedDigest = digest;
        final LoadResult loaded = RuleLoader.load(List.of(path));
        if (!loaded.ok()) {
            LOG.warn("rule files in {} changed but have {} problem(s); the previous rules keep running:", path,
                    loaded.problems().size());
            for (RuleProblem p : loaded.problems()) {
                LOG.warn("  {}", p);
            }
            refused();
            return Result.REFUSED;
        }
        final Optional<String> tooShort = ForgetCheck.problem(loaded.ruleSet(), forget);
        if (tooShort.isPresent()) {
            LOG.warn("rule files in {} changed, but {}; the previous rules keep running", path, tooShort.get());
            refused();
            return Result.REFUSED;
        }
        live.replace(loaded.ruleSet());
        running(digest);
        LOG.info("rules reloaded from {}: {} rule(s) in {} group(s)", path, loaded.ruleSet().rules().size(),
                loaded.ruleSet().groups().size());
        SharedAlertIdentity.warnings(loaded.ruleSet()).forEach(w -> LOG.warn("{}", w));
        reloads("reloaded").increment();
        lastReloadSuccessful.set(1);
        lastSuccessEpochMs.set(System.currentTimeMillis());
        return Result.RELOADED;
    }

    /** Exports {@code digest} as the rules running, in place of the ones before. */
    private void running(final String digest) {
        loadedInfo.register(List.of(MultiGauge.Row.of(Tags.of("digest", shortDigest(digest)), 1)), false);
    }

    /** The digest as vigil_rules_loaded_info labels it: its first hex digits, enough to tell versions apart. */
    static String shortDigest(final String digest) {
        return digest.length() <= SHORT_DIGEST ? digest : digest.substring(0, SHORT_DIGEST);
    }

    private void refused() {
        reloads("refused").increment();
        lastReloadSuccessful.set(0);
    }

    private Counter reloads(final String result) {
        return Counter.builder("vigil.rules.reloads").tag("result", result)
                .description("rule reloads by result: reloaded, or refused (problems in the files, logged with their"
                        + " file:line:column; the rules loaded before keep running)")
                .register(registry);
    }

    /**
     * A digest of what a load of the path would read: each rule file's name and content, and what keeps an entry
     * from being read (a dangling link), as {@link RuleFiles} lists them. Files a load leaves out (hidden ones, notes,
     * rule unit tests) are left out here too, so that changing them reloads nothing. Files are named relative to the
     * rule path (a file given as the path, by its name), so that instances given the same files at different places
     * ({@code --rules rules/} here, {@code /etc/vigil/rules} there) export the same digest.
     */
    private String digest() {
        return digest(path);
    }

    /** {@link #digest()} of {@code path}. */
    static String digest(final Path path) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            final RuleFiles.Listing listing = RuleFiles.list(List.of(path));
            for (Path f : listing.files()) {
                final Path name = f.equals(path) ? f.getFileName() : path.relativize(f);
                sha.update(String.valueOf(name).getBytes(StandardCharsets.UTF_8));
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
