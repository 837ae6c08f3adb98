package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.InputFormat;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.TimestampPrecision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest in the production topology: each input topic read in its own format, and timestamps out of bounds. */
class IngestTopologyTest {

    private static final Instant NOW = Instant.parse("2022-06-21T06:00:00Z");
    private static final long T0 = NOW.toEpochMilli();
    private static final long DAY = 86_400_000L;

    @TempDir
    Path stateDir;
    private TopologyFixture fixture;
    private LiveRules rules;

    @BeforeEach
    void start() {
        final List<InputTopic> topics = List.of(InputTopic.auto("metrics"),
                new InputTopic("telegraf", InputFormat.INFLUX, TimestampPrecision.SECONDS),
                new InputTopic("telegraf-json", InputFormat.TELEGRAF_JSON, TimestampPrecision.NANOSECONDS),
                new InputTopic("prom", InputFormat.JSON, TimestampPrecision.NANOSECONDS));
        rules = new LiveRules(TopologyFixture.parse(TopologyTest.RULES));
        fixture = new TopologyFixture(rules, stateDir, NOW,
                TopologyFixture.settings(topics, IngestLimits.defaults()).withPartitionedBySeries(partitionedBySeries()),
                SeriesBundleTopologyTest.THROUGH_THE_REPARTITION);
    }

    /** {@code topics.partitioned_by_series}: ingest's outputs go to evaluation in its own task, not a repartition. */
    boolean partitionedBySeries() {
        return false;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aRecordIsDecodedInTheFormatOfItsTopic() {
        final String line = "cpu,host=n1 usage=42 " + (T0 / 1000 - 60);
        final String nativeJson = TopologyTest.point("n1", 40, T0 - 60_000);
        final String telegrafJson = "{\"name\":\"cpu\",\"tags\":{\"host\":\"n1\"},\"fields\":{\"usage\":42},"
                + "\"timestamp\":" + (T0 / 1000 - 60) + "}";
        send("telegraf", line);            // seconds, as configured
        send("telegraf", nativeJson);      // not line protocol: its topic says so
        send("telegraf-json", telegrafJson);
        send("prom", nativeJson);
        send("prom", line);                // not JSON
        send("metrics", line);             // detected as line protocol, in nanoseconds: 1970
        send("metrics", nativeJson);

        assertThat(accepted("telegraf")).isEqualTo(1);
        assertThat(accepted("telegraf-json")).isEqualTo(1);
        assertThat(accepted("prom")).isEqualTo(1);
        assertThat(accepted("metrics")).isEqualTo(2);
        final List<TestRecord<byte[], byte[]>> dead = fixture.dlq.readRecordsToList();
        assertThat(dead).extracting(r -> header(r.headers(), "vigil.source.topic") + " "
                        + header(r.headers(), "vigil.error").split(":")[0])
                .containsExactly("telegraf invalid_line", "prom unparseable");
    }

    @Test
    void aPointFarBehindItsPartitionsNewestIsDeadLetteredAndOneMerelyLateIsDropped() {
        send("metrics", TopologyTest.point("n1", 40, T0));
        final String old = TopologyTest.point("n1", 40, T0 - 8 * DAY);
        send("metrics", old);
        send("metrics", TopologyTest.point("n1", 40, T0 - DAY)); // behind by more than grace, less than max_age
        send("prom", TopologyTest.point("n1", 40, T0 - 8 * DAY)); // another partition: its own newest counts

        final List<TestRecord<byte[], byte[]>> dead = fixture.dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(old);
        assertThat(header(dead.get(0).headers(), "vigil.error")).isEqualTo("old_timestamp: "
                + "cpu{cluster=\"backend\",instance=\"n1\"} at 2022-06-13T06:00:00Z is 8d behind "
                + "the newest timestamp 2022-06-21T06:00:00Z on metrics/0, more than the allowed 7d");
        assertThat(header(dead.get(0).headers(), "vigil.source.offset")).isEqualTo("1");
        assertThat(fixture.registry.get("vigil.ingest.rejected").tag("reason", "old_timestamp").counter().count())
                .isEqualTo(1.0);
        assertThat(fixture.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
        assertThat(accepted("prom")).isEqualTo(1);
    }

    /** A timestamp in seconds where milliseconds are read lands in 1970: its dead letter says what it likely is. */
    @Test
    void aTimestampInSecondsIsDeadLetteredNamingTheLikelyUnit() {
        send("metrics", TopologyTest.point("n1", 40, T0));
        send("metrics", TopologyTest.point("n1", 40, T0 / 1_000));

        final List<TestRecord<byte[], byte[]>> dead = fixture.dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0).headers(), "vigil.error")).startsWith("old_timestamp: "
                + "cpu{cluster=\"backend\",instance=\"n1\"} at 1970-01-20T").endsWith(", more than the allowed 7d;"
                + " as 1,000 times that it is near the others: seconds for milliseconds?");
    }

    /**
     * A producer whose clock runs ahead (by more than grace, within max_future_skew) holds its partition's other
     * producers back: their points are late. Not refused (design.md says why), but counted and logged, naming the
     * series, so that the clock can be found; the log at most every 10 minutes per partition.
     */
    @Test
    void aPointAheadOfTheWallClockByMoreThanGraceIsCountedAndLoggedWithItsSeries() {
        final String logged;
        try (CapturedLogs logs = new CapturedLogs()) {
            send("metrics", TopologyTest.point("fast", 40, T0 + 240_000)); // 4 minutes ahead of the wall clock
            send("metrics", TopologyTest.point("n1", 40, T0));              // a right clock: late against it
            send("metrics", TopologyTest.point("fast", 40, T0 + 250_000));
            send("metrics", TopologyTest.point("n2", 40, T0 + 10_000));     // ahead, but within grace: not counted
            send("prom", TopologyTest.point("n3", 40, T0 + 14_000));
            logged = logs.text();
        }
        assertThat(fixture.registry.get("vigil.ingest.ahead.of.clock").counter().count()).isEqualTo(2.0);
        assertThat(fixture.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(2.0);
        assertThat(logged).containsOnlyOnce("ahead of this machine's clock").contains(
                "input metrics/0: cpu{cluster=\"backend\",instance=\"fast\"} is stamped 240000 ms ahead of this"
                        + " machine's clock, more than grace (15000 ms)");
    }

    /** A point dropped as late is logged with its series and times, once per partition in 10 minutes. */
    @Test
    void aPointDroppedAsLateIsLoggedOnce() {
        final String logged;
        try (CapturedLogs logs = new CapturedLogs()) {
            send("metrics", TopologyTest.point("n1", 40, T0));
            send("metrics", TopologyTest.point("n2", 40, T0 - 60_000));
            send("metrics", TopologyTest.point("n3", 40, T0 - 60_000));
            logged = logs.text();
        }
        assertThat(fixture.registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(2.0);
        assertThat(logged).containsOnlyOnce("dropped as late").contains("input metrics/0: cpu{cluster=\"backend\","
                + "instance=\"n2\"} at " + java.time.Instant.ofEpochMilli(T0 - 60_000) + " dropped as late: its"
                + " evaluation instant " + java.time.Instant.ofEpochMilli(T0 - 60_000) + " has run (this partition's"
                + " event time reached " + java.time.Instant.ofEpochMilli(T0) + ", at least the instant + grace (15s))");
    }

    /**
     * A producer that starts sending what Vigil refuses makes its series fall silent: the log says why at once, the
     * first record of each reason, then at most every 10 minutes per reason (DeadLetterLogTest), not once per record.
     */
    @Test
    void theFirstDeadLetterOfEachReasonIsLogged() {
        final String logged;
        try (CapturedLogs logs = new CapturedLogs()) {
            send("metrics", "{\"name\":\"cpu\",\"labels\":{\"i\":\"a\",\"i\":\"b\"},\"value\":1,\"timestamp\":" + T0 + "}");
            send("metrics", "{\"name\":\"cpu\",\"labels\":{\"i\":\"c\",\"i\":\"d\"},\"value\":1,\"timestamp\":" + T0 + "}");
            send("metrics", "{\"name\":\"cpu\"");
            logged = logs.text();
        }
        assertThat(fixture.dlq.readRecordsToList()).hasSize(3);
        assertThat(logged).containsOnlyOnce("more invalid_labels are").containsOnlyOnce("more unparseable are")
                .contains("input written to metrics.dlq: invalid_labels: label \"i\" is given twice at line 1, column 33"
                        + " (byte offset 32) (the record of metrics/0 at offset 0, as its vigil.source.* headers say); more"
                        + " invalid_labels are counted in"
                        + " vigil_ingest_rejected_total{reason=\"invalid_labels\"} and logged at most every 10 minutes");
    }

    @Test
    void theOldPointsOfABatchAreRejectedAloneAndTheRestCount() {
        send("metrics", TopologyTest.point("n1", 40, T0));
        send("metrics", "[" + TopologyTest.point("n2", 40, T0 + 10_000) + "," + TopologyTest.point("n3", 40, 0) + "]");
        final List<TestRecord<byte[], byte[]>> dead = fixture.dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0).headers(), "vigil.error"))
                .startsWith("1 rejection, 1 datapoint accepted: old_timestamp: ");
        assertThat(accepted("metrics")).isEqualTo(2);
    }

    @Test
    void pointsOfAMetricNoRuleNamesGoNoFurtherUntilARuleNamesIt() {
        final String memory = TopologyFixture.point("mem", java.util.Map.of("instance", "n1"), 97, T0);
        send("metrics", memory);
        send("metrics", TopologyTest.point("n1", 40, T0 + 10_000));
        assertThat(unselected()).as("mem: no rule names it").isEqualTo(1);
        assertThat(accepted("metrics")).as("valid all the same").isEqualTo(2);

        rules.replace(TopologyFixture.parse(TopologyTest.RULES + """
                  - name: memory
                    every: 10s
                    rules:
                      - alert: MemoryHigh
                        series: mem
                        aggregate: last
                        window: 10s
                        threshold: {above: 90}
                """));
        send("metrics", TopologyFixture.point("mem", java.util.Map.of("instance", "n1"), 97, T0 + 20_000));
        assertThat(unselected()).as("a rule loaded since names it").isEqualTo(1);
        assertThat(accepted("metrics")).isEqualTo(3);
    }

    @Test
    void theSeriesRepartitionCarriesOnlyThePointsOfMetricsARuleNames() {
        send("metrics", "[" + TopologyFixture.point("mem", java.util.Map.of("instance", "n1"), 97, T0) + ","
                + TopologyTest.point("n1", 40, T0) + "]");
        send("metrics", TopologyFixture.point("disk", java.util.Map.of("instance", "n1"), 12, T0 + 10_000));

        assertThat(unselected()).isEqualTo(2);
        if (partitionedBySeries()) {
            return; // no series repartition: the points go to the evaluation in ingest's task
        }
        final TestOutputTopic<byte[], byte[]> series = fixture.driver.createOutputTopic(
                "vigil-test-" + VigilTopology.SERIES_REPARTITION + "-repartition",
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        final List<String> points = new java.util.ArrayList<>();
        for (byte[] value : series.readValuesToList()) {
            if (io.vigil.ingest.SeriesBundle.isBundle(value)) {
                io.vigil.ingest.SeriesBundle.read(value, (key, v, ts, recordTs) -> points.add(key + " " + v));
            }
        }
        assertThat(points).containsExactly("cpu{cluster=\"backend\",instance=\"n1\"} 40.0");
    }

    @Test
    void theProgressChangelogHoldsEachSourcesNewestWhenItMovedAsOfEachCommit() {
        // The test driver commits after every record: one changelog record per record at most, here.
        send("metrics", "[" + TopologyTest.point("n1", 40, T0) + "," + TopologyTest.point("n2", 40, T0 + 10_000) + "]");
        send("metrics", TopologyTest.point("n1", 40, T0 - 5_000)); // behind: no write
        send("metrics", TopologyTest.point("n1", 40, T0 + 20_000));
        send("prom", TopologyTest.point("n1", 40, T0));

        // The format a restart restores from: String keys, Long values.
        final TestOutputTopic<String, Long> changelog = fixture.driver.createOutputTopic(
                "vigil-test-" + IngestProcessor.PROGRESS_STORE + "-changelog", new StringDeserializer(),
                new LongDeserializer());
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("metrics/0", T0 + 10_000),
                KeyValue.pair("metrics/0", T0 + 20_000), KeyValue.pair("prom/0", T0));
    }

    private void send(final String topic, final String value) {
        final TestInputTopic<byte[], byte[]> input = fixture.input(topic);
        input.pipeInput(null, value.getBytes(StandardCharsets.UTF_8));
    }

    private double accepted(final String topic) {
        final FunctionCounter c = fixture.registry.find("vigil.ingest.datapoints").tag("topic", topic).functionCounter();
        return c == null ? 0 : c.count();
    }

    private double unselected() {
        return fixture.registry.get("vigil.ingest.unselected").counter().count();
    }

    private static String header(final Headers headers, final String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

}
