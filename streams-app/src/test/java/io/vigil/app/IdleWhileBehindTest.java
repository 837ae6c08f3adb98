package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEventJson;
import io.vigil.evaluation.LiveRules;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.SeriesMessage;
import io.vigil.ingest.SeriesMessageCodec;
import io.vigil.ingest.SourceLag;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition is idle only when it is caught up, and only as this run has seen it. Otherwise a partition catching up
 * on a backlog counts as idle, the evaluators run past every point it has yet to send, and those points are dropped
 * as late, as happened to RunMatchesReplayIT#aRestartedEngineNeitherRefiresNorForgets on a busy machine. The ways in:
 * <ul>
 *   <li>a start with a backlog hands one partition's records to processing while the idle timeout (wall clock) runs
 *       out for the others. Here the test driver's wall clock plays the busy machine: it passes the idle timeout
 *       between the records of partition "a" and those of partition "b";</li>
 *   <li>records polled and buffered by Kafka Streams are not in the consumer's lag, and a record's wall clock is the
 *       time its batch started, so a partition that has just had records could look silent for the timeout;</li>
 *   <li>an idle notice the previous run announced just before it stopped is still unread in the repartition topic
 *       when the next run starts. Here it is put there by hand.</li>
 * </ul>
 */
class IdleWhileBehindTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    /** Far from the data's time, so that a silent stream's time does not move on with the wall clock. */
    private static final Instant WALL_CLOCK = Instant.parse("2024-01-01T00:00:00Z");
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path stateDir;

    /** What the consumer would say about partition "b"; "a" is always caught up. */
    private final AtomicReference<OptionalLong> lagOfB = new AtomicReference<>(OptionalLong.of(0));
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> a;
    private TestInputTopic<byte[], byte[]> b;
    private TestOutputTopic<String, byte[]> alerts;

    private void start(final SourceLag lag) {
        final TopologySettings settings = new TopologySettings(List.of(InputTopic.auto("a"), InputTopic.auto("b")),
                "alerts", "metrics.dlq",
                Duration.ofSeconds(15), Duration.ofHours(24), IDLE_TIMEOUT, IngestLimits.defaults(), "http://vigil:8080",
                Map.of("a", 1, "b", 1));
        final Properties props = VigilTopology.streamsDefaults("vigil-idle-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(VigilTopology.build(new LiveRules(TopologyFixture.parse(TopologyTest.RULES)),
                settings, new SimpleMeterRegistry(), lag), props, WALL_CLOCK);
        a = driver.createInputTopic("a", new ByteArraySerializer(), new ByteArraySerializer());
        b = driver.createInputTopic("b", new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic("alerts", new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void startWithLagOfB() {
        start((topic, partition) -> topic.equals("b") ? lagOfB.get() : OptionalLong.of(0));
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    /** 60 steps of 10 s; each node above the threshold from step 10 to 29. */
    private static void send(final TestInputTopic<byte[], byte[]> topic, final String node) {
        send(topic, node, 0, 60);
    }

    private static void send(final TestInputTopic<byte[], byte[]> topic, final String node, final int from, final int to) {
        for (int step = from; step < to; step++) {
            final double cpu = step >= 10 && step < 30 ? 95 : 40;
            topic.pipeInput(null, TopologyTest.point(node, cpu, T0 + step * 10_000L).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Long enough for every source to be announced idle, and for the evaluators to hear it. */
    private void idleTimeoutPasses() {
        driver.advanceWallClockTime(IDLE_TIMEOUT.multipliedBy(2));
        driver.advanceWallClockTime(IDLE_TIMEOUT.multipliedBy(2));
    }

    private List<String> events() {
        return TopologyFixture.describe(alerts.readValuesToList().stream().map(AlertEventJson::read).toList());
    }

    private static final List<String> BOTH_INCIDENTS = List.of(
            "PENDING CpuHigh node-a @2022-06-21T06:01:40Z", "FIRING CpuHigh node-a @2022-06-21T06:02:00Z",
            "RESOLVED CpuHigh node-a @2022-06-21T06:05:20Z",
            "PENDING CpuHigh node-b @2022-06-21T06:01:40Z", "FIRING CpuHigh node-b @2022-06-21T06:02:00Z",
            "RESOLVED CpuHigh node-b @2022-06-21T06:05:20Z");

    @Test
    void bothPartitionsReadInTimeGiveBothIncidents() {
        startWithLagOfB();
        send(a, "node-a");
        send(b, "node-b");
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS);
    }

    @Test
    void aPartitionWithRecordsWaitingIsNotTakenForIdle() {
        startWithLagOfB();
        send(a, "node-a");
        lagOfB.set(OptionalLong.of(60));
        idleTimeoutPasses();
        assertThat(events()).as("nothing is due before b's points arrive").isEmpty();

        send(b, "node-b");
        lagOfB.set(OptionalLong.of(0));
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS);
    }

    @Test
    void aPartitionWhoseLagIsNotKnownYetIsNotTakenForIdle() {
        startWithLagOfB();
        send(a, "node-a");
        lagOfB.set(OptionalLong.empty());
        idleTimeoutPasses();
        send(b, "node-b");
        lagOfB.set(OptionalLong.of(0));
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS);
    }

    @Test
    void anEmptyCaughtUpPartitionStillFallsIdle() {
        startWithLagOfB();
        send(a, "node-a");
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS.subList(0, 3));
    }

    /**
     * A record's wall clock is the time its batch started; on a busy machine the idle check may come more than the
     * idle timeout after that although the partition has just had records, with more of them polled and buffered by
     * Kafka Streams (so its consumer lag is 0). One step of the driver's clock past the timeout plays that.
     */
    @Test
    void aPartitionThatHadRecordsSinceTheLastCheckIsNotIdle() {
        startWithLagOfB();
        send(a, "node-a");
        send(b, "node-b", 0, 5);
        driver.advanceWallClockTime(IDLE_TIMEOUT.plusSeconds(1));
        send(b, "node-b", 5, 60);
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS);
    }

    @Test
    void anIdleNoticeFromBeforeTheStartIsNotTrusted() {
        startWithLagOfB();
        final TestInputTopic<byte[], byte[]> series = driver.createInputTopic("vigil-idle-test-series-repartition",
                new ByteArraySerializer(), new ByteArraySerializer());
        series.pipeInput(new TestRecord<>("a/0".getBytes(StandardCharsets.UTF_8),
                SeriesMessageCodec.encode(new SeriesMessage.SourceIdle("a/0")), WALL_CLOCK.minusSeconds(10)));
        send(b, "node-b");
        send(a, "node-a");
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS);
    }

    @Test
    void anIdleNoticeFromThisRunIsTrusted() {
        startWithLagOfB();
        final TestInputTopic<byte[], byte[]> series = driver.createInputTopic("vigil-idle-test-series-repartition",
                new ByteArraySerializer(), new ByteArraySerializer());
        series.pipeInput(new TestRecord<>("a/0".getBytes(StandardCharsets.UTF_8),
                SeriesMessageCodec.encode(new SeriesMessage.SourceIdle("a/0")), WALL_CLOCK));
        send(b, "node-b");
        assertThat(events()).as("a is idle: b's points are evaluated at once")
                .containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS.subList(3, 6));
    }

    /**
     * A watermark of a topic no longer in the input, written by an earlier run and still unread on the repartition, is
     * ignored: taken in, its partition joined the clock as active and held event time at its timestamp for good, as
     * the restored clock's sources of a removed topic did (a review).
     */
    @Test
    void aWatermarkOfATopicNoLongerReadDoesNotHoldEvaluationBack() {
        start(SourceLag.CAUGHT_UP);
        final TestInputTopic<byte[], byte[]> series = driver.createInputTopic("vigil-idle-test-series-repartition",
                new ByteArraySerializer(), new ByteArraySerializer());
        series.pipeInput(new TestRecord<>("extra/0".getBytes(StandardCharsets.UTF_8),
                SeriesMessageCodec.encode(new SeriesMessage.Watermark("extra/0", T0)), WALL_CLOCK));
        send(a, "node-a");
        send(b, "node-b");
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS);
    }

    /** The failure this guards against: judged by the wall clock alone, b's backlog is lost. */
    @Test
    void judgedByTheWallClockAloneAPartitionNotReadYetLosesItsPoints() {
        start(SourceLag.CAUGHT_UP);
        send(a, "node-a");
        idleTimeoutPasses();
        send(b, "node-b");
        idleTimeoutPasses();
        assertThat(events()).containsExactlyInAnyOrderElementsOf(BOTH_INCIDENTS.subList(0, 3));
    }
}
