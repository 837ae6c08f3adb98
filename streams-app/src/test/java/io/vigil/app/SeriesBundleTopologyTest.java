package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.alerts.AlertEventJson;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.PeerBundle;
import io.vigil.evaluation.PeerMessageCodec;
import io.vigil.evaluation.PeerProgress;
import io.vigil.evaluation.PeerValues;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.SeriesBundle;
import io.vigil.ingest.SeriesBundler;
import io.vigil.ingest.SeriesMessage;
import io.vigil.ingest.SeriesMessageCodec;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datapoints cross the series repartition topic in bundles: sent before each commit and before each watermark, to
 * the partition of their series, and evaluated exactly as one record per point was.
 */
class SeriesBundleTopologyTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    /** Kafka Streams' name for the series repartition topic of the test application. */
    private static final String REPARTITION = "vigil-test-" + VigilTopology.SERIES_REPARTITION + "-repartition";
    private static final byte[] KEY = "node-1".getBytes(StandardCharsets.UTF_8);
    /** The test driver has one partition, whose task evaluates every series: this sends them through the repartition. */
    static final Map<String, Object> THROUGH_THE_REPARTITION = Map.of(IngestProcessor.OWN_SERIES_IN_TASK_CONFIG, "false");

    @TempDir
    Path dir;

    @Test
    void pointsNotFollowedByAWatermarkAreStillSentInTheCommitThatCoversTheirInput() {
        try (TopologyFixture f = new TopologyFixture(new LiveRules(TopologyFixture.parse(TopologyTest.RULES)), dir,
                Instant.ofEpochMilli(T0), TopologyFixture.settings(List.of(InputTopic.auto("metrics")),
                IngestLimits.defaults()), THROUGH_THE_REPARTITION)) {
            final TestOutputTopic<byte[], byte[]> repartition = f.driver.createOutputTopic(REPARTITION,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            // The first record of a source moves its watermark: its points are sent ahead of the watermark.
            f.send(batch(List.of("n1", "n2", "n3"), T0 + 10_000));
            assertThat(kinds(repartition.readValuesToList())).containsExactly("bundle of 3", "watermark");

            // Same timestamp: no watermark follows, so only the flush before the driver's commit can send these.
            f.send(batch(List.of("n4", "n5"), T0 + 10_000));
            final List<byte[]> sent = repartition.readValuesToList();
            assertThat(kinds(sent)).containsExactly("bundle of 2");
            assertThat(points(sent.get(0))).containsExactly(
                    "cpu{cluster=\"backend\",instance=\"n4\"} 95.0 @" + (T0 + 10_000),
                    "cpu{cluster=\"backend\",instance=\"n5\"} 95.0 @" + (T0 + 10_000));
        }
    }

    @Test
    void aKeyedRecordsPointsOfTheTasksOwnSeriesStayInTheTaskAndAnUnkeyedRecordsCrossTheRepartition() {
        try (TopologyFixture f = new TopologyFixture(TopologyTest.RULES, dir, Instant.ofEpochMilli(T0))) {
            final TestOutputTopic<byte[], byte[]> repartition = f.driver.createOutputTopic(REPARTITION,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            f.metrics.pipeInput(KEY, batch(List.of("n1", "n2"), T0 + 10_000).getBytes(StandardCharsets.UTF_8));
            assertThat(kinds(repartition.readValuesToList())).as("the one partition evaluates every series")
                    .containsExactly("watermark");

            // Its series may come on other partitions too: one path for all of a series' points keeps them in order.
            f.send(batch(List.of("n3"), T0 + 20_000));
            assertThat(kinds(repartition.readValuesToList())).containsExactly("bundle of 1", "watermark");
        }
    }

    @Test
    void bundlesOfAnySizeGiveTheAlertsThatOneRecordPerPointGives() {
        final RuleSet rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        // Many points to an input record, so that bundles hold many points between commits.
        final List<String> records = new ArrayList<>();
        final List<String> lines = FleetRecords.generate();
        for (int i = 0; i < lines.size(); i += 40) {
            records.add("[" + String.join(",", lines.subList(i, Math.min(lines.size(), i + 40))) + "]");
        }
        final List<String> unbundled = events(rules, records, 0, false, "off");
        assertThat(unbundled).hasSizeGreaterThan(10);
        assertThat(events(rules, records, SeriesBundler.DEFAULT_MAX_POINTS, false, "default")).isEqualTo(unbundled);
        assertThat(events(rules, records, 3, false, "three")).isEqualTo(unbundled);
    }

    @Test
    void pointsEvaluatedInTheTaskThatIngestsThemGiveTheAlertsTheRepartitionGives() {
        final RuleSet rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final List<String> records = FleetRecords.generate();
        final List<String> repartitioned = events(rules, records, SeriesBundler.DEFAULT_MAX_POINTS, false, "through");
        assertThat(repartitioned).hasSizeGreaterThan(10);
        assertThat(events(rules, records, SeriesBundler.DEFAULT_MAX_POINTS, true, "in-task")).isEqualTo(repartitioned);
    }

    @Test
    void aPointsPartitionIsTheOneTheProducerGivesARecordKeyedByItsSeries() {
        for (int i = 0; i < 1_000; i++) {
            final byte[] key = ("cpu{instance=\"node-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
            for (int partitions : new int[] {1, 3, 4, 12}) {
                assertThat(SeriesBundler.partitionOf(key, partitions))
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
            }
        }
    }

    @Test
    void theSeriesPartitionerSendsABundleToItsPartitionAndRefusesOneComputedForAnotherCount() {
        final VigilTopology.BundlePartitioner<byte[]> partitioner = VigilTopology.BundlePartitioner.series();
        final SeriesBundle bundle = new SeriesBundle(2, 4);
        bundle.add("up".getBytes(StandardCharsets.UTF_8), "up".hashCode(), 1, 1_000, 1_000);
        final byte[] bytes = bundle.take();
        assertThat(partitioner.partitions("t", null, bytes, 4)).contains(Set.of(2));
        assertThatThrownBy(() -> partitioner.partitions("t", null, bytes, 8))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("partition 2 of 4");
        assertThat(partitioner.partitions("t", null,
                SeriesMessageCodec.encode(new SeriesMessage.SourceIdle("m/0")), 3)).contains(Set.of(0, 1, 2));
        assertThat(partitioner.partitions("t", "up".getBytes(StandardCharsets.UTF_8),
                SeriesMessageCodec.encode(new SeriesMessage.Watermark("m/0", 5)), 1)).contains(Set.of(0));
        assertThat(partitioner.partitions("t", "k".getBytes(StandardCharsets.UTF_8), new byte[] {SeriesMessageCodec.POINT},
                2)).isEqualTo(Optional.empty());
    }

    @Test
    void thePeersPartitionerSendsABundleToItsPartitionAndEveryProgressReportEverywhere() {
        final VigilTopology.BundlePartitioner<String> partitioner = VigilTopology.BundlePartitioner.peers();
        final byte[] bundle = PeerMessageCodec.encode(new PeerBundle(1, 4,
                List.of(new PeerValues("g", 10, List.of(new PeerValues.Member("up", 1))))));

        assertThat(partitioner.partitions("t", "g", bundle, 4)).contains(Set.of(1));
        assertThatThrownBy(() -> partitioner.partitions("t", "g", bundle, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("peer bundle for partition 1 of 4");
        assertThat(partitioner.partitions("t", "progress", PeerMessageCodec.encode(new PeerProgress(0, 5)), 3))
                .contains(Set.of(0, 1, 2));
        // One group's values (as written before bundles): its key's partition, by the default partitioner.
        assertThat(partitioner.partitions("t", "g", PeerMessageCodec.encode(new PeerValues("g", 10, List.of())), 4))
                .isEqualTo(Optional.empty());
    }

    /** @param ownInTask whether the ingesting task evaluates its own series' points ({@code false}: repartitioned) */
    private List<String> events(final RuleSet rules, final List<String> records, final int maxPoints,
                                final boolean ownInTask, final String name) {
        final List<String> events = new ArrayList<>();
        try (TopologyFixture f = new TopologyFixture(new LiveRules(rules), dir.resolve(name),
                Instant.ofEpochMilli(FleetRecords.T0).plus(Duration.ofDays(1)),
                TopologyFixture.settings(List.of(InputTopic.auto("metrics")), IngestLimits.defaults()),
                Map.of(SeriesBundler.MAX_POINTS_CONFIG, maxPoints,
                        IngestProcessor.OWN_SERIES_IN_TASK_CONFIG, String.valueOf(ownInTask)))) {
            // Keyed: a record without a key has its points cross the repartition whatever the setting.
            records.forEach(r -> f.metrics.pipeInput(KEY, r.getBytes(StandardCharsets.UTF_8)));
            f.events().forEach(e -> events.add(AlertEventJson.writeString(e)));
        }
        return events;
    }

    private static String batch(final List<String> instances, final long ts) {
        return "[" + String.join(",", instances.stream().map(i -> TopologyTest.point(i, 95, ts)).toList()) + "]";
    }

    private static List<String> kinds(final List<byte[]> values) {
        return values.stream().map(v -> SeriesBundle.isBundle(v) ? "bundle of " + points(v).size()
                : SeriesMessageCodec.decode(null, v) instanceof SeriesMessage.Watermark ? "watermark" : "other").toList();
    }

    private static List<String> points(final byte[] bundle) {
        final List<String> points = new ArrayList<>();
        SeriesBundle.read(bundle, (key, value, ts, recordTs) -> points.add(key + " " + value + " @" + ts));
        return points;
    }
}
