package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderValidTest {

    private static final String ALL_KINDS = """
            groups:
              - name: backend-nodes
                every: 10s
                rules:
                  - alert: NodeTrafficFarBelowPeers
                    series: net_transmit_bytes_total{cluster="backend", role=~"api|web"}
                    aggregate: rate
                    window: 1m
                    outlier:
                      peers: [cluster]
                      direction: low
                      z: 4
                      min_change: 0.5
                      min_peers: 5
                    for: 1m
                    keep_firing_for: 2m
                    labels: {severity: page, team: sre}
                    annotations:
                      summary: "{{ $labels.instance }} sends {{ $value }} B/s, far below its {{ $labels.cluster }} peers"
                  - alert: CpuHigh
                    series: cpu_usage_percent
                    threshold: {above: 90, recover: 80}
              - name: databases
                every: 30s
                rules:
                  - alert: DbCpuSurge
                    series: '{__name__="db_cpu", role!="replica"}'
                    aggregate: p95
                    window: 2m
                    deviation: {baseline: 1h, direction: up, z: 6}
                    annotations: {summary: "{{$value}} vs {{ $median }} (z {{ $z }})"}
                  - alert: DbSilent
                    series: db_connections{env!~"dev|test"}
                    absent: {after: 2m}
            """;

    @Test
    void readsAllFourKindsIntoTheExactRecords() {
        final LoadResult result = RuleLoader.parse("rules/all.yaml", ALL_KINDS);

        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        final List<RuleGroup> groups = result.ruleSet().groups();
        assertThat(groups).extracting(RuleGroup::name).containsExactly("backend-nodes", "databases");
        assertThat(groups.get(0).every()).isEqualTo(Duration.ofSeconds(10));
        assertThat(groups.get(0).sourceFile()).isEqualTo("rules/all.yaml");

        final Rule outlier = groups.get(0).rules().get(0);
        assertThat(outlier).isEqualTo(new Rule("backend-nodes", "NodeTrafficFarBelowPeers",
                new SeriesSelector("net_transmit_bytes_total", List.of(
                        LabelMatcher.of("cluster", LabelMatcher.Type.EQUAL, "backend"),
                        LabelMatcher.of("role", LabelMatcher.Type.REGEX, "api|web"))),
                Aggregate.RATE, Duration.ofMinutes(1), Duration.ofSeconds(10),
                new Condition.Outlier(List.of("cluster"), Direction.LOW, 4, 0.5, 5),
                Duration.ofMinutes(1), Duration.ofMinutes(2),
                Map.of("severity", Template.literal("page"), "team", Template.literal("sre")),
                Map.of("summary", Template.literal(
                        "{{ $labels.instance }} sends {{ $value }} B/s, far below its {{ $labels.cluster }} peers")),
                "rules/all.yaml", 5, 9));

        final Rule threshold = groups.get(0).rules().get(1);
        assertThat(threshold).isEqualTo(new Rule("backend-nodes", "CpuHigh",
                new SeriesSelector("cpu_usage_percent", List.of()), Aggregate.AVG, Duration.ofMinutes(1),
                Duration.ofSeconds(10), new Condition.Threshold(true, 90, OptionalDouble.of(80)),
                Duration.ZERO, Duration.ZERO, Map.of(), Map.of(), "rules/all.yaml", 20, 9));

        final Rule deviation = groups.get(1).rules().get(0);
        assertThat(deviation.selector()).isEqualTo(new SeriesSelector("db_cpu",
                List.of(LabelMatcher.of("role", LabelMatcher.Type.NOT_EQUAL, "replica"))));
        assertThat(deviation.aggregate()).isEqualTo(Aggregate.P95);
        assertThat(deviation.window()).isEqualTo(Duration.ofMinutes(2));
        assertThat(deviation.every()).isEqualTo(Duration.ofSeconds(30));
        assertThat(deviation.condition()).isEqualTo(new Condition.Deviation(Duration.ofHours(1), Direction.HIGH, 6, 0));
        assertThat(deviation.line()).isEqualTo(26);

        final Rule absent = groups.get(1).rules().get(1);
        assertThat(absent.condition()).isEqualTo(new Condition.Absent(Duration.ofMinutes(2)));
        assertThat(absent.selector().toString()).isEqualTo("db_connections{env!~\"dev|test\"}");
    }

    @Test
    void parsedTemplatesRenderWithTheEvaluationsNumbers() {
        final Rule deviation = RuleLoader.parse("all.yaml", ALL_KINDS).ruleSet().groups().get(1).rules().get(0);

        assertThat(deviation.annotations().get("summary").render(Labels.EMPTY, new TemplateValues(21.496866, 3.0, 7.25)))
                .isEqualTo("21.4969 vs 3 (z 7.25)");
    }

    @Test
    void appliesTheDefaults() {
        final LoadResult result = RuleLoader.parse("d.yaml", """
                groups:
                  - name: g
                    rules:
                      - alert: A
                        series: up
                        deviation: {baseline: 1h, z: 3}
                      - alert: B
                        series: up
                        outlier: {peers: [cluster, dc], z: 3}
                      - alert: C
                        series: up
                        threshold: {below: 1}
                      - alert: D
                        series: up
                        deviation: {baseline: 4d, z: 4, method: stddev}
                """);

        assertThat(result.problems()).isEmpty();
        final List<Rule> rules = result.ruleSet().rules();
        assertThat(rules.get(0).every()).isEqualTo(Duration.ofSeconds(10));
        assertThat(rules.get(0).window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(rules.get(0).aggregate()).isEqualTo(Aggregate.AVG);
        assertThat(rules.get(0).condition()).isEqualTo(new Condition.Deviation(Duration.ofHours(1), Direction.BOTH, 3, 0));
        assertThat(rules.get(1).condition()).isEqualTo(
                new Condition.Outlier(List.of("cluster", "dc"), Direction.BOTH, 3, 0, 5));
        assertThat(rules.get(2).condition()).isEqualTo(new Condition.Threshold(false, 1, OptionalDouble.empty()));
        assertThat(rules.get(2).forDuration()).isZero();
        assertThat(rules.get(0).condition()).extracting("method").isEqualTo(BaselineMethod.MAD);
        assertThat(rules.get(3).condition()).isEqualTo(
                new Condition.Deviation(Duration.ofDays(4), Direction.BOTH, 4, 0, BaselineMethod.STDDEV));
    }

    @Test
    void readsMinDeltaOfBothKindsThatJudgeByDeviations() {
        final LoadResult result = RuleLoader.parse("d.yaml", """
                groups:
                  - name: g
                    rules:
                      - alert: A
                        series: errors
                        deviation: {baseline: 1h, z: 3, min_delta: 5}
                      - alert: B
                        series: errors
                        outlier: {peers: [cluster], z: 3, min_delta: 0.5}
                """);
        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().rules()).extracting(Rule::condition).containsExactly(
                new Condition.Deviation(Duration.ofHours(1), Direction.BOTH, 3, 0, BaselineMethod.MAD, 5),
                new Condition.Outlier(List.of("cluster"), Direction.BOTH, 3, 0, 5, 0.5));
        assertThat(RuleLoader.parse("d.yaml", """
                groups:
                  - name: g
                    rules:
                      - alert: A
                        series: errors
                        deviation: {baseline: 1h, z: 3, min_delta: -1}
                """).problems()).extracting(RuleProblem::message).singleElement().asString().contains("min_delta");
    }

    /**
     * The default window, 1m, must be a multiple of the group's every: where it is not, a rule that leaves the window
     * out gets the shortest multiple above 1m, rather than an error for every such rule (absent rules use none).
     */
    @Test
    void theDefaultWindowIsAMultipleOfTheGroupsEvery() {
        final LoadResult result = RuleLoader.parse("w.yaml", """
                groups:
                  - name: slow
                    every: 2m
                    rules:
                      - alert: Gone
                        series: up
                        absent: {after: 10m}
                      - alert: High
                        series: up
                        threshold: {above: 1}
                  - name: odd
                    every: 40s
                    rules:
                      - alert: High
                        series: up
                        threshold: {above: 1}
                      - alert: Given
                        series: up
                        window: 2m
                        threshold: {above: 1}
                """);

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().rules()).extracting(Rule::window).containsExactly(Duration.ofMinutes(2),
                Duration.ofMinutes(2), Duration.ofSeconds(80), Duration.ofMinutes(2));
    }

    @Test
    void anEmptyFileHasNoGroups() {
        assertThat(RuleLoader.parse("empty.yaml", "# nothing yet\n").ok()).isTrue();
        // Its text is kept all the same: a task keeps the files it ran, and an empty one is one of them.
        assertThat(RuleLoader.parse("empty.yaml", "").ruleSet())
                .isEqualTo(new RuleSet(List.of(), List.of(new RuleSource("empty.yaml", ""))));
    }

    @Test
    void loadsYamlFilesOfADirectoryRecursivelyInPathOrder(@TempDir final Path dir) throws IOException {
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b/two.yml"), group("second"));
        Files.writeString(dir.resolve("a.yaml"), group("first"));
        Files.writeString(dir.resolve("notes.txt"), "not: [rules");

        final LoadResult result = RuleLoader.load(List.of(dir));

        assertThat(result.problems()).isEmpty();
        assertThat(result.ruleSet().groups()).extracting(RuleGroup::name).containsExactly("first", "second");
        assertThat(result.ruleSet().rules().get(1).sourceFile()).isEqualTo(dir.resolve("b/two.yml").toString());
    }

    static String group(final String name) {
        return "groups:\n  - name: " + name + "\n    rules:\n      - alert: A\n        series: up\n"
                + "        absent: {after: 1m}\n";
    }
}
