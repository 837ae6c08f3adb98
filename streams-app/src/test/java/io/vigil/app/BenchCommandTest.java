package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil bench} runs end to end (embedded broker, both engines, replay, memory) at a tiny size and writes every
 * row of its table as JSON. Nothing here judges a number: the bench measures, the docs compare.
 */
class BenchCommandTest {

    private static final List<String> ROWS = List.of("cores", "load_average", "replay_dps", "replay_cold_dps", "memory_series",
            "memory_heap_mb", "memory_rss_mb", "memory_bytes_per_series", "memory_used_bytes_per_series", "fill_dps",
            "plain_dps", "catchup_dps", "catchup_ratio", "bare_streams_dps", "bare_streams_ratio", "bare_streams_cpu_us_per_dp",
            "catchup_vs_bare_streams", "catchup_cpu_us_per_dp", "catchup_commits", "catchup_commit_share",
            "catchup_records_per_commit", "catchup_produced", "catchup_dropped", "catchup_heap_per_series",
            "catchup_cold_dps", "catchup_cold_ratio", "catchup_by_series_dps",
            "catchup_by_series_ratio", "catchup_by_series_vs_bare_streams", "catchup_by_series_vs_default", "catchup_by_series_cpu_vs_default",
            "catchup_by_series_commits", "live_dps", "grace_ms",
            "latency_p50_ms", "latency_p99_ms", "latency_max_ms", "latency_samples", "latency_expected_samples",
            "warmup_latency_p50_ms",
            "warmup_latency_p99_ms", "live_cpu_cores", "live_gc_pauses", "live_gc_pause_ms_max",
            "live_slowest_probes_paused", "live_commits_per_s", "live_commit_ms_avg", "live_commit_ms_max", "live_poll_ratio");

    @TempDir
    Path dir;

    @Test
    void aTinyBenchRunsEveryMeasurementAndWritesTheTableAsJson() throws Exception {
        final Path json = dir.resolve("bench.json");
        final CommandRun run = CommandRun.vigil("bench", "--datapoints", "3000", "--replay-datapoints", "3000",
                "--replay-rounds", "2", "--replay-warmup", "0", "--series", "100", "--live-rate", "500",
                "--live-warmup", "6", "--live-seconds", "6", "--grace", "1s", "--memory-series", "300", "--json", json.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("metric", "catch-up: vigil / plain consumer", "live: alert latency p99");
        final JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/context/cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(root.at("/context/options/grace_ms").asLong()).isEqualTo(1000);
        assertThat(root.at("/context/options/replay_datapoints").asLong()).isEqualTo(3000);
        assertThat(root.at("/context/options/replay_rounds").asInt()).isEqualTo(2);
        assertThat(run.out()).contains("vigil replay (no broker, warm, median of 2)");
        assertThat(root.at("/context/options/catchup_rounds").asInt()).as("the catch-up's default").isEqualTo(3);
        assertThat(run.out()).contains("catch-up: vigil engine, exactly_once_v2, committed (median of 3)");
        assertThat(root.at("/context/options/replay_warmup_seconds").asInt()).isZero();
        assertThat(run.err()).as("one warm-up pass, however short the warm-up").contains("replay warm-up pass 1 (not counted)",
                "replay pass 2 of 2").doesNotContain("replay warm-up pass 2");
        assertThat(root.at("/context/options/live_series").asLong()).as("one point per series per 10 s scrape")
                .isEqualTo(5000);
        final List<String> keys = new ArrayList<>();
        for (JsonNode row : root.get("results")) {
            keys.add(row.get("key").asText());
            assertThat(row.get("metric").asText()).isNotBlank();
            assertThat(row.has("unit")).isTrue();
            assertThat(row.has("target")).isTrue();
            assertThat(row.get("value").isNumber()).as(row.toString()).isTrue();
        }
        assertThat(keys).containsExactlyElementsOf(ROWS);
        assertThat(value(root, "memory_series")).isEqualTo(300);
        assertThat(root.at("/context/options/catchup_warmup").asInt()).as("each engine warmed once").isEqualTo(1);
        assertThat(run.err()).contains("warm-up 1 of 1 (not counted)");
        assertThat(value(root, "catchup_cold_ratio")).as("the JVM's first engine against its first plain read")
                .isCloseTo(value(root, "catchup_cold_dps") / coldPlainRate(run.err()), withinPercentage(1));
        assertThat(value(root, "grace_ms")).isEqualTo(1000);
        assertThat(value(root, "latency_samples")).as("probe alerts read").isPositive()
                .isLessThanOrEqualTo(value(root, "latency_expected_samples"));
        assertThat(root.at("/results").findValuesAsText("target")).as("the expected count, also as text")
                .contains(String.format(java.util.Locale.ROOT, "%,d", (long) value(root, "latency_expected_samples")));
        // Each counted round of each reader, beside the medians of the rows.
        final JsonNode rounds = root.at("/context/catchup_rounds");
        assertThat(rounds.get("plain")).hasSize(3);
        for (String reader : List.of("bare_streams", "default", "by_series")) {
            assertThat(rounds.get(reader)).as(reader).hasSize(3);
            for (int i = 0; i < 3; i++) {
                final JsonNode round = rounds.get(reader).get(i);
                assertThat(round.get("ratio_to_plain").asDouble()).as(reader + " round " + (i + 1)).isCloseTo(
                        round.get("datapoints_per_s").asDouble() / rounds.get("plain").get(i).get("datapoints_per_s")
                                .asDouble(), withinPercentage(0.001));
            }
        }
        assertThat(root.at("/context/latency_gc_pauses_ms").isObject()).as("the counted part's pauses, by start").isTrue();
        root.at("/context/latency_gc_pauses_ms").fields().forEachRemaining(e ->
                assertThat(e.getValue().asLong()).as("a pause's length").isNotNegative());
        assertThat(value(root, "live_slowest_probes_paused")).isBetween(0.0, Math.min(10, value(root, "latency_samples")));
        // The rows and the context list the same pauses (the context sums those that began in the same millisecond).
        final JsonNode pausesByStart = root.at("/context/latency_gc_pauses_ms");
        long longestListed = 0;
        for (JsonNode ms : pausesByStart) {
            longestListed = Math.max(longestListed, ms.asLong());
        }
        assertThat(value(root, "live_gc_pauses")).as("pauses counted against those listed")
                .isGreaterThanOrEqualTo(pausesByStart.size());
        assertThat(value(root, "live_gc_pauses") == 0).as("no pause counted exactly when none is listed")
                .isEqualTo(pausesByStart.isEmpty());
        assertThat(value(root, "live_gc_pause_ms_max")).as("the longest pause, against the listed ones")
                .isLessThanOrEqualTo(longestListed);
        final JsonNode slowest = root.at("/context/latency_slowest_probe_by_instant_ms");
        assertThat(slowest.size()).as("an entry per counted instant").isPositive();
        slowest.fields().forEachRemaining(e -> {
            assertThat(Long.parseLong(e.getKey()) % 1000).as("an instant on a whole second").isZero();
            // Read after its append, never before. Not "the grace at least": an alert can be read no sooner than the
            // grace after its probe's instant, but a latency counts from the probe's append, which on a loaded machine
            // comes after the instant (843 ms once, its probe sent 157 ms late).
            assertThat(e.getValue().asLong()).as("its slowest probe, readable after its append").isPositive();
        });
    }

    @Test
    void catchUpAloneComparesAVariantWithTheDefaultRoundByRound() throws Exception {
        final Path json = dir.resolve("ab.json");
        final CommandRun run = CommandRun.vigil("bench", "--phases", "catchup", "--datapoints", "2000", "--series", "100",
                "--unselected-metrics", "3", "--grace", "1s", "--warmup", "0", "--rounds", "2", "--variant", "waiting:max.task.idle.ms=0",
                "--variant", "byinput:topics.partitioned_by_series=true",
                "--variant", "alo:processing.guarantee=at_least_once", "--json", json.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final JsonNode root = new ObjectMapper().readTree(json.toFile());
        final List<String> keys = new ArrayList<>();
        root.get("results").forEach(row -> keys.add(row.get("key").asText()));
        assertThat(keys).doesNotContain("replay_dps", "memory_series", "live_dps")
                .contains("catchup_dps", "catchup_waiting_dps", "catchup_waiting_vs_default",
                        "catchup_waiting_cpu_vs_default", "catchup_byinput_dps", "catchup_byinput_ratio")
                .doesNotContain("catchup_by_series_dps");
        assertThat(value(root, "catchup_waiting_vs_default")).isPositive();
        assertThat(value(root, "bare_streams_dps")).as("Kafka Streams alone read the topic").isPositive();
        assertThat(value(root, "catchup_byinput_vs_bare_streams")).isPositive();
        assertThat(value(root, "catchup_byinput_vs_default")).isPositive();
        assertThat(root.at("/context/catchup_variants/waiting/max.task.idle.ms").asText()).isEqualTo("0");
        assertThat(metric(root, "catchup_dps")).as("the default's guarantee").contains("exactly_once_v2");
        assertThat(metric(root, "catchup_alo_dps")).as("not exactly-once: said so").contains("at_least_once");
        assertThat(metric(root, "catchup_waiting_dps")).doesNotContain("at_least_once");
        assertThat(root.at("/context/catchup_processing_guarantees/alo").asText()).isEqualTo("at_least_once");
        assertThat(run.err()).contains("with the engine (at_least_once), alo, round 2 of 2");
        assertThat(root.at("/context/options/unselected_metrics").asInt()).isEqualTo(3);
        assertThat(run.err()).contains("default, round 2 of 2", "waiting, round 2 of 2",
                "with a plain consumer, round 2 of 2", "with bare Kafka Streams (exactly_once_v2), round 2 of 2");
    }

    @Test
    void unkeyedRecordsAsTheAdapterWritesThemAreCaughtUpByTheDefaultEngineAlone() throws Exception {
        final Path json = dir.resolve("unkeyed.json");
        // A series limit the fleet's 100 series exceed (each of the 4 tasks may hold 2 per rule): the bench raises it.
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), "evaluation: {max_series_per_rule: 5}\n");
        final CommandRun run = CommandRun.vigil("bench", "--phases", "catchup", "--datapoints", "2000", "--series", "100",
                "--grace", "1s", "--warmup", "0", "--rounds", "1", "--unkeyed", "--config", config.toString(),
                "--json", json.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("no keys (as prometheus-kafka-adapter writes)");
        final JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.at("/context/options/unkeyed").asBoolean()).isTrue();
        final List<String> keys = new ArrayList<>();
        root.get("results").forEach(row -> keys.add(row.get("key").asText()));
        assertThat(keys).as("partitioned by series would be wrong on unkeyed records")
                .contains("catchup_dps", "catchup_ratio").doesNotContain("catchup_by_series_dps");
        assertThat(value(root, "catchup_dps")).isPositive();
        assertThat(value(root, "catchup_dropped")).as("a series' points, out of order across partitions, all evaluated;"
                + " every series held, the limit raised to the fleet's (refused ones would count)").isZero();
    }

    @Test
    void anAlertStormIsDeliveredOneRequestAtATimeAndSeveralAtOnce() throws Exception {
        final Path json = dir.resolve("delivery.json");
        final CommandRun run = CommandRun.vigil("bench", "--phases", "delivery", "--storm-alerts", "40",
                "--receiver-delays-ms", "0,5", "--json", json.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        final JsonNode root = new ObjectMapper().readTree(json.toFile());
        final List<String> keys = new ArrayList<>();
        root.get("results").forEach(row -> keys.add(row.get("key").asText()));
        assertThat(keys).contains("delivery_0ms_one_at_a_time_aps", "delivery_0ms_aps", "delivery_0ms_vs_one_at_a_time",
                "delivery_5ms_one_at_a_time_aps", "delivery_5ms_aps", "delivery_5ms_vs_one_at_a_time")
                .doesNotContain("catchup_dps", "replay_dps");
        assertThat(value(root, "delivery_5ms_aps")).isPositive();
        assertThat(root.at("/context/options/storm_alerts").asInt()).isEqualTo(40);
        assertThat(run.err()).contains("writing an alert storm of 40 firing alerts",
                "receiver answering in 5 ms, 8 requests at once at most");
    }

    @Test
    void badOptionsAreRefusedWithOneLineAndExitTwo() {
        final CommandRun run = CommandRun.vigil("bench", "--partitions", "2");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil: --partitions: must be at least 3, not 2" + System.lineSeparator());
        assertThat(CommandRun.vigil("bench", "--grace", "soon").exit()).isEqualTo(2);
        final CommandRun variant = CommandRun.vigil("bench", "--variant", "fast:linger.ms");
        assertThat(variant.exit()).isEqualTo(2);
        assertThat(variant.err()).contains("--variant fast: expected KEY=VALUE");
        assertThat(CommandRun.vigil("bench", "--variant", "default:linger.ms=5").exit()).isEqualTo(2);
        assertThat(CommandRun.vigil("bench", "--variant", "plain:linger.ms=5").exit()).isEqualTo(2);
        assertThat(CommandRun.vigil("bench", "--variant", "bare_streams:linger.ms=5").exit()).isEqualTo(2);
        assertThat(CommandRun.vigil("bench", "--phases", "nothing").exit()).isEqualTo(2);
        assertThat(CommandRun.vigil("bench", "--storm-alerts", "0").err())
                .isEqualTo("vigil: --storm-alerts: must be at least 1, not 0" + System.lineSeparator());
        assertThat(CommandRun.vigil("bench", "--unselected-metrics", "-1").err())
                .isEqualTo("vigil: --unselected-metrics: must be at least 0, not -1" + System.lineSeparator());
        assertThat(CommandRun.vigil("bench", "--unkeyed", "--variant", "b:topics.partitioned_by_series=true").err())
                .isEqualTo("vigil: --variant b: topics.partitioned_by_series=true would evaluate each series of --unkeyed "
                        + "records as several" + System.lineSeparator());
        assertThat(CommandRun.vigil("bench", "--variant", "b:topics.partitioned_by_series=yes").err())
                .isEqualTo("vigil: --variant b: topics.partitioned_by_series: 'yes' is not true or false"
                        + System.lineSeparator());
        final CommandRun replay = CommandRun.vigil("bench", "--replay-datapoints", "0");
        assertThat(replay.exit()).isEqualTo(2);
        assertThat(replay.err()).isEqualTo("vigil: --replay-datapoints: must be at least 1, not 0" + System.lineSeparator());
        assertThat(CommandRun.vigil("bench", "--replay-rounds", "0").err())
                .isEqualTo("vigil: --replay-rounds: must be at least 1, not 0" + System.lineSeparator());
        assertThat(CommandRun.vigil("bench", "--replay-warmup", "-1").err())
                .isEqualTo("vigil: --replay-warmup: must be at least 0, not -1" + System.lineSeparator());
    }

    /** The rate of the first warm-up's plain consumer, as the bench's progress says it. */
    private static double coldPlainRate(final String progress) {
        final Matcher m = Pattern.compile("warm-up: plain consumer ([0-9,]+) datapoints/s").matcher(progress);
        assertThat(m.find()).as(progress).isTrue();
        return Double.parseDouble(m.group(1).replace(",", ""));
    }

    private static String metric(final JsonNode root, final String key) {
        for (JsonNode row : root.get("results")) {
            if (row.get("key").asText().equals(key)) {
                return row.get("metric").asText();
            }
        }
        throw new AssertionError("no row " + key);
    }

    private static double value(final JsonNode root, final String key) {
        for (JsonNode row : root.get("results")) {
            if (row.get("key").asText().equals(key)) {
                return row.get("value").asDouble();
            }
        }
        throw new AssertionError("no row " + key);
    }
}
