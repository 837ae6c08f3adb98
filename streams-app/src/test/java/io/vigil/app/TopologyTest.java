package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology in Kafka Streams' test driver: ingest, dead letters, grace and lateness, alert events. */
class TopologyTest {

    static final String RULES = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu{cluster="backend"}
                    aggregate: max
                    window: 30s
                    threshold: {above: 90}
                    for: 20s
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} at {{ $value }}"
            """;

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();

    @TempDir
    java.nio.file.Path stateDir;

    private TopologyFixture fixture;
    private SimpleMeterRegistry registry;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void start() {
        fixture = new TopologyFixture(RULES, stateDir, Instant.ofEpochMilli(T0));
        registry = fixture.registry;
        dlq = fixture.dlq;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    static String point(final String instance, final double value, final long ts) {
        return TopologyFixture.point("cpu", Map.of("instance", instance, "cluster", "backend"), value, ts);
    }

    private void send(final String value) {
        fixture.send(value);
    }

    private List<AlertEvent> events() {
        return fixture.events();
    }

    @Test
    void aThresholdHeldForTwentySecondsGoesPendingThenFiringThenResolves() {
        for (int i = 1; i <= 12; i++) {
            final double v = i >= 3 && i <= 6 ? 95 : 40;
            send(point("n1", v, T0 + i * 10_000L));
            send(point("n2", 40, T0 + i * 10_000L));
        }
        final List<AlertEvent> events = events();
        assertThat(events).extracting(AlertEvent::status)
                .containsExactly(EventStatus.PENDING, EventStatus.FIRING, EventStatus.RESOLVED);
        final AlertEvent firing = events.get(1);
        assertThat(firing.labels().toMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "alertname", "CpuHigh", "instance", "n1", "cluster", "backend", "severity", "page"));
        assertThat(firing.annotations()).containsEntry("summary", "n1 at 95");
        assertThat(firing.activeAt()).isEqualTo(Instant.ofEpochMilli(T0 + 30_000));
        assertThat(firing.startsAt()).contains(Instant.ofEpochMilli(T0 + 50_000));
        assertThat(firing.rule()).isEqualTo("nodes/CpuHigh");
        assertThat(firing.generatorURL()).isEqualTo("http://vigil:8080/rules/nodes/CpuHigh");
        // max over (T-30s, T] still sees the last 95 (at 60 s) until T = 90 s.
        assertThat(events.get(2).endsAt()).contains(Instant.ofEpochMilli(T0 + 90_000));
        assertThat(events).extracting(AlertEvent::fingerprint).containsOnly(firing.fingerprint());
    }

    @Test
    void outOfOrderPointsWithinGraceCountAndLatePointsBeyondItAreDroppedAndCounted() {
        send(point("n1", 40, T0 + 10_000));
        send(point("n1", 40, T0 + 30_000));
        send(point("n1", 95, T0 + 20_000)); // 10 s behind the newest: within grace, counts for T=20s and T=30s
        for (int i = 4; i <= 9; i++) {
            send(point("n1", 40, T0 + i * 10_000L));
        }
        send(point("n1", 99, T0 + 40_000)); // 50 s behind the newest (90 s): beyond grace
        for (int i = 10; i <= 14; i++) {
            send(point("n1", 40, T0 + i * 10_000L));
        }
        // Pending at 20 s (95 seen), still true at 30 s and 40 s (window 30 s), fires at 40 s (for 20 s),
        // resolves at 50 s. The late 99 at 40 s would have kept it firing longer had it counted.
        assertThat(events()).extracting(e -> e.status() + "@" + (e.status() == EventStatus.PENDING ? e.activeAt()
                        : e.status() == EventStatus.FIRING ? e.startsAt().orElseThrow() : e.endsAt().orElseThrow()))
                .containsExactly("PENDING@2022-06-21T06:00:20Z", "FIRING@2022-06-21T06:00:40Z",
                        "RESOLVED@2022-06-21T06:00:50Z");
        assertThat(registry.get("vigil.ingest.late.dropped").counter().count()).isEqualTo(1.0);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheGoodPointsOfABatchStillCount() {
        send("{not json at all");
        final String batch = "[" + point("n1", 95, T0 + 10_000) + ",{\"name\":\"cpu\",\"value\":\"high\",\"timestamp\":"
                + (T0 + 10_000) + "}]";
        send(batch);
        final List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json at all");
        assertThat(new String(dead.get(1).value(), StandardCharsets.UTF_8)).isEqualTo(batch);
        final Headers headers = dead.get(1).headers();
        assertThat(header(headers, "vigil.error")).contains("invalid_value");
        assertThat(header(headers, "vigil.source.topic")).isEqualTo("metrics");
        assertThat(header(headers, "vigil.source.partition")).isEqualTo("0");
        assertThat(header(headers, "vigil.source.offset")).isEqualTo("1");
        assertThat(header(dead.get(0).headers(), "vigil.error")).startsWith("unparseable");
        assertThat(registry.get("vigil.ingest.rejected").tag("reason", "invalid_value").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("vigil.ingest.datapoints").functionCounter().count()).isEqualTo(1.0);
    }

    /** formats.md: a dead letter keeps the original bytes as value; a record without any became one of 0 bytes. */
    @Test
    void aRecordWithoutAValueIsDeadLetteredWithoutOne() {
        fixture.metrics.pipeInput("k".getBytes(StandardCharsets.UTF_8), (byte[]) null);
        final List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value()).isNull();
            assertThat(r.key()).asString(StandardCharsets.UTF_8).isEqualTo("k");
            assertThat(header(r.headers(), "vigil.error")).isEqualTo("empty: the record has no value");
        });
    }

    private static String header(final Headers headers, final String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
