package io.vigil.app;

import static io.vigil.app.TopologyFixture.describe;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.RuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules replaced while the topology runs: unchanged rules keep their state, removed ones resolve, new ones start. */
class HotReloadTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    private static final String BEFORE = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 90}
                    for: 1m
                  - alert: CpuNotZero
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 0}
            """;

    /** CpuHigh unchanged (but moved), CpuNotZero removed, CpuLow added. */
    private static final String AFTER = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuLow
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {below: 50}

                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 90}
                    for: 1m
            """;

    @Test
    void unchangedRulesKeepTheirStateRemovedOnesResolveNewOnesStart() {
        final LiveRules live = new LiveRules(TopologyFixture.parse(BEFORE));
        try (TopologyFixture f = new TopologyFixture(live, dir, Instant.ofEpochMilli(T0).plus(Duration.ofDays(1)))) {
            final Map<String, String> n1 = Map.of("instance", "n1");
            for (int step = 0; step <= 5; step++) {
                f.send(TopologyFixture.point("cpu", n1, 95, T0 + step * 10_000L));
            }
            assertThat(describe(f.events())).containsExactly(
                    "PENDING CpuHigh n1 @2022-06-21T06:00:00Z",
                    "FIRING CpuNotZero n1 @2022-06-21T06:00:00Z");

            live.replace(TopologyFixture.parse(AFTER));
            for (int step = 6; step <= 12; step++) {
                f.send(TopologyFixture.point("cpu", n1, step < 10 ? 95 : 10, T0 + step * 10_000L));
            }
            final List<AlertEvent> events = f.events();
            // CpuHigh was pending since 0 s and fires at 60 s as if nothing happened; CpuNotZero resolves, saying why.
            assertThat(describe(events)).containsExactly(
                    "RESOLVED CpuNotZero n1 @2022-06-21T06:00:30Z",
                    "FIRING CpuHigh n1 @2022-06-21T06:01:00Z",
                    "RESOLVED CpuHigh n1 @2022-06-21T06:01:40Z",
                    "FIRING CpuLow n1 @2022-06-21T06:01:40Z");
            assertThat(events.get(0).annotations()).containsKey(AlertEventFactory.RESOLVED_REASON);
        }
    }

    /** The rule path the reloaders below watch, its one file, and what it reloads into. */
    private Path rules;
    private Path nodes;
    private LiveRules live;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A reloader over a rule path holding BEFORE, in force. */
    private RuleReloader reloader(final Duration forget) throws Exception {
        rules = Files.createDirectories(dir.resolve("rules"));
        nodes = Files.writeString(rules.resolve("nodes.yaml"), BEFORE);
        live = new LiveRules(TopologyFixture.parse(BEFORE));
        return new RuleReloader(rules, live, forget, registry);
    }

    @Test
    void theReloaderPutsValidRulesInForceAndRefusesInvalidOnes() throws Exception {
        try (RuleReloader reloader = reloader(Duration.ofDays(1))) {
            final var before = live.current();
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.UNCHANGED);

            Files.writeString(nodes, AFTER);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(live.current()).isSameAs(before);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(live.current()).isNotSameAs(before);
            assertThat(live.current().byId("nodes/CpuLow")).isPresent();
            assertThat(live.current().byId("nodes/CpuNotZero")).isEmpty();

            final var good = live.current();
            Files.writeString(nodes, AFTER.replace("threshold: {below: 50}", "threshold: {beneath: 50}"));
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.REFUSED);
            assertThat(live.current()).isSameAs(good);
            assertThat(reloader.check()).as("the same invalid content is not reported again").isEqualTo(RuleReloader.Result.UNCHANGED);
            assertThat(registry.get("vigil.rules.reloads").tag("result", "refused").counter().count()).isEqualTo(1.0);
            assertThat(registry.get("vigil.rules.last.reload.successful").gauge().value()).isEqualTo(0.0);

            Files.writeString(nodes, AFTER);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(registry.get("vigil.rules.last.reload.successful").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("vigil.rules.last.reload.success.timestamp").gauge().value())
                    .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
        }
    }

    /**
     * Files changed between the load of the rules running and the reloader's start (run starts its broker and engine
     * in between, seconds; a sidecar may fill the directory meanwhile) are loaded at the first checks: the reloader
     * is given the digest taken before the load. Taken at its start, it took the new files for the running ones and
     * never loaded them.
     */
    @Test
    void filesChangedWhileTheEngineStartedAreLoadedAtTheFirstChecks() throws Exception {
        rules = Files.createDirectories(dir.resolve("rules"));
        nodes = Files.writeString(rules.resolve("nodes.yaml"), BEFORE);
        final String digestAtLoad = RuleReloader.digest(rules);
        live = new LiveRules(TopologyFixture.parse(BEFORE));
        Files.writeString(nodes, AFTER);
        try (RuleReloader reloader = new RuleReloader(rules, digestAtLoad, live, Duration.ofDays(1), registry)) {
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(live.current().byId("nodes/CpuLow")).isPresent();
        }
    }

    /** The vigil_rules_loaded_info lines of a /metrics page. */
    private static List<String> loadedInfo(final PrometheusMeterRegistry prometheus) {
        return prometheus.scrape().lines().filter(l -> l.startsWith("vigil_rules_loaded_info")).toList();
    }

    /** The digests vigil_rules_loaded_info exports in {@code registry}. */
    private static List<String> digests(final MeterRegistry registry) {
        return registry.get("vigil.rules.loaded.info").gauges().stream().map(g -> g.getId().getTag("digest")).toList();
    }

    /**
     * Two instances of one application running different rules (a host left with old files) showed nowhere: each
     * applied its own rules to the tasks it was given, resolving and re-firing alerts as tasks moved.
     */
    @Test
    void theRulesRunningAreExportedByTheirDigestOneSeriesAtATime() throws Exception {
        final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        rules = Files.createDirectories(dir.resolve("rules"));
        nodes = Files.writeString(rules.resolve("nodes.yaml"), BEFORE);
        live = new LiveRules(TopologyFixture.parse(BEFORE));
        try (RuleReloader reloader = new RuleReloader(rules, live, Duration.ofDays(1), prometheus)) {
            final List<String> atStart = loadedInfo(prometheus);
            // Simpleclient writes a comma after the last label.
            assertThat(atStart).singleElement().asString()
                    .matches("vigil_rules_loaded_info\\{digest=\"[0-9a-f]{12}\",?} 1\\.0");

            Files.writeString(nodes, AFTER);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(loadedInfo(prometheus)).as("not in force yet").isEqualTo(atStart);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            final List<String> reloaded = loadedInfo(prometheus);
            assertThat(reloaded).as("the old digest's series is gone").singleElement().isNotEqualTo(atStart.get(0));

            Files.writeString(nodes, AFTER.replace("threshold: {below: 50}", "threshold: {beneath: 50}"));
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.REFUSED);
            assertThat(loadedInfo(prometheus)).as("refused files are not the ones running").isEqualTo(reloaded);

            Files.writeString(nodes, BEFORE);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(loadedInfo(prometheus)).as("the same files, the same digest").isEqualTo(atStart);
        }
    }

    /** Hosts mount the same rules at different places, or name them differently on the command line. */
    @Test
    void theSameFilesAtDifferentPlacesGiveTheSameDigest() throws Exception {
        final List<String> here = digestAt("a/rules", BEFORE);
        assertThat(here).hasSize(1);
        assertThat(digestAt("b/etc/vigil/rules", BEFORE)).isEqualTo(here);
        assertThat(digestAt("c/rules", AFTER)).as("other content").hasSize(1).isNotEqualTo(here);
    }

    /** The digest exported by a reloader started on {@code place}, holding {@code nodes} and a file in a folder. */
    private List<String> digestAt(final String place, final String nodes) throws Exception {
        final Path path = Files.createDirectories(dir.resolve(place));
        Files.writeString(path.resolve("nodes.yaml"), nodes);
        Files.writeString(Files.createDirectories(path.resolve("team")).resolve("team.yaml"),
                AFTER.replace("name: nodes", "name: team"));
        final SimpleMeterRegistry own = new SimpleMeterRegistry();
        new RuleReloader(path, new LiveRules(TopologyFixture.parse(nodes)), Duration.ofDays(1), own).close();
        return digests(own);
    }

    /** Such a file overflowed the loader's stack and ended the reloader's thread: no later reload happened. */
    @Test
    void aRegexNestedThousandsDeepIsRefusedAndLaterFilesStillLoad() throws Exception {
        try (RuleReloader reloader = reloader(Duration.ofDays(1))) {
            final var before = live.current();
            final String deep = "(".repeat(100_000) + "a" + ")".repeat(100_000);
            Files.writeString(nodes, AFTER.replaceFirst("series: cpu", "series: 'cpu{job=~\"" + deep + "\"}'"));
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.REFUSED);
            assertThat(live.current()).isSameAs(before);

            Files.writeString(nodes, AFTER);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
        }
    }

    @Test
    void aDeployCaughtHalfwayIsNotLoaded() throws Exception {
        try (RuleReloader reloader = reloader(Duration.ofDays(1))) {
            final var before = live.current();
            // A tool rewriting the path file by file: the first file gone, a check, then the new files.
            Files.delete(nodes);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            Files.writeString(rules.resolve("a.yaml"), AFTER);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(live.current()).as("the path without its rules was never put in force").isSameAs(before);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(live.current().byId("nodes/CpuLow")).isPresent();
            assertThat(live.current().byId("nodes/CpuHigh")).isPresent();
        }
    }

    /** BEFORE's group with an absent rule of this {@code after} more: 10 s after it, the rule can page. */
    private static String silent(final String after) {
        return "      - alert: CpuSilent\n        series: cpu\n        absent: {after: " + after + "}\n";
    }

    @Test
    void aReloadWithAnAbsentRuleThatForgetWouldSilenceIsRefused() throws Exception {
        try (RuleReloader reloader = reloader(Duration.ofMinutes(10))) {
            final var before = live.current();
            Files.writeString(nodes, BEFORE + silent("10m"));
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.REFUSED);
            assertThat(live.current()).isSameAs(before);
            assertThat(RuleLoader.load(List.of(rules)).ok()).as("valid rules, refused for forget alone").isTrue();

            Files.writeString(nodes, BEFORE + silent("9m"));
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(live.current().byId("nodes/CpuSilent")).isPresent();
        }
    }

    @Test
    void theReloaderWatchesWhatALoadReadsThroughLinksAndNothingHidden() throws Exception {
        try (RuleReloader reloader = reloader(Duration.ofDays(1))) {
            final Path shared = Files.createDirectories(dir.resolve("shared"));
            Files.writeString(shared.resolve("team.yaml"), AFTER.replace("name: nodes", "name: team"));
            Files.createSymbolicLink(rules.resolve("team"), Path.of("../shared"));
            assertThat(reloader.check()).as("a linked directory is watched").isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(live.current().byId("team/CpuLow")).isPresent();

            Files.createDirectories(rules.resolve(".git"));
            Files.writeString(rules.resolve(".git/nodes.yaml"), "not: [rules");
            Files.writeString(rules.resolve("notes.txt"), "not rules");
            assertThat(reloader.check()).as("what a load leaves out is not watched")
                    .isEqualTo(RuleReloader.Result.UNCHANGED);
        }
    }

    /** Kubernetes updates a ConfigMap volume by pointing {@code ..data} at a new hidden directory, all at once. */
    @Test
    void aConfigMapUpdateIsReloaded() throws Exception {
        rules = Files.createDirectories(dir.resolve("rules"));
        Files.writeString(Files.createDirectories(rules.resolve("..v1")).resolve("nodes.yaml"), BEFORE);
        Files.writeString(Files.createDirectories(rules.resolve("..v2")).resolve("nodes.yaml"), AFTER);
        final Path data = Files.createSymbolicLink(rules.resolve("..data"), Path.of("..v1"));
        Files.createSymbolicLink(rules.resolve("nodes.yaml"), Path.of("..data/nodes.yaml"));
        live = new LiveRules(TopologyFixture.parse(BEFORE));
        try (RuleReloader reloader = new RuleReloader(rules, live, Duration.ofDays(1), registry)) {
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.UNCHANGED);

            final Path next = Files.createSymbolicLink(rules.resolve("..data_tmp"), Path.of("..v2"));
            Files.move(next, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.SETTLING);
            assertThat(reloader.check()).isEqualTo(RuleReloader.Result.RELOADED);
            assertThat(live.current().byId("nodes/CpuLow")).isPresent();
        }
    }
}
