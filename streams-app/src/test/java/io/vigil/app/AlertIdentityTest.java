package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert's labels are its identity (its fingerprint, the webhook's groupKey, Alertmanager's alert): rules.md lets
 * a label render {@code $value}, and the alert keeps the one it became active with, so that its pending, firing and
 * resolved events are one alert downstream, not three of which the firing one never resolves.
 */
class AlertIdentityTest {

    private static final Instant START = Instant.parse("2023-11-14T22:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aLabelRenderingTheValueKeepsTheOneTheAlertBecameActiveWith() throws IOException {
        final List<AlertEvent> events = replay("""
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Hot
                        series: cpu
                        aggregate: last
                        window: 10s
                        threshold: {above: 10}
                        for: 20s
                        labels: {level: "{{ $value }}"}
                        annotations: {summary: "at {{ $value }}"}
                """, "cpu", new double[] {1, 20, 22, 25, 30, 1, 1, 1});

        assertThat(events).extracting(AlertEvent::status)
                .containsExactly(EventStatus.PENDING, EventStatus.FIRING, EventStatus.RESOLVED);
        assertThat(events).extracting(AlertEvent::fingerprint).containsOnly(events.get(0).fingerprint());
        assertThat(events).extracting(e -> e.labels().get("level")).containsOnly("20");
        // Annotations are not the alert's identity: they say what each event saw.
        assertThat(events).extracting(e -> e.annotations().get("summary")).containsExactly("at 20", "at 25", "at 1");
    }

    @Test
    void aLabelHumanizingTheValueIsStillTheOneTheAlertBecameActiveWith() throws IOException {
        final List<AlertEvent> events = replay("""
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Busy
                        series: bytes
                        aggregate: last
                        window: 10s
                        threshold: {above: 1000000}
                        for: 20s
                        labels: {level: "{{ $value | humanize }}B/s"}
                        annotations: {summary: "at {{ $value|humanize }}B/s, {{ $value | humanize1024 }}B/s"}
                """, "bytes", new double[] {1, 2_000_000, 2_200_000, 2_500_000, 3_000_000, 1, 1, 1});

        assertThat(events).extracting(AlertEvent::status)
                .containsExactly(EventStatus.PENDING, EventStatus.FIRING, EventStatus.RESOLVED);
        assertThat(events).extracting(AlertEvent::fingerprint).containsOnly(events.get(0).fingerprint());
        assertThat(events).extracting(e -> e.labels().get("level")).containsOnly("2MB/s");
        assertThat(events).extracting(e -> e.annotations().get("summary"))
                .containsExactly("at 2MB/s, 1.907MiB/s", "at 2.5MB/s, 2.384MiB/s", "at 1B/s, 1B/s");
    }

    @Test
    void anOutliersLabelRenderingItsZKeepsTheOneItBecameActiveWith() throws IOException {
        final StringBuilder rules = new StringBuilder("""
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Low
                        series: rps
                        outlier: {peers: [cluster], direction: low, z: 3, min_peers: 5}
                        labels: {z: "{{ $z }}"}
                """);
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s <= 200; s += 10) {
            for (int node = 0; node < 8; node++) {
                // node-0 drops far below its peers from 50 s to 120 s, further each step.
                final double value = node == 0 && s >= 50 && s <= 120 ? 100 - s / 2.0 : 1000 + node;
                lines.add("{\"name\":\"rps\",\"labels\":{\"cluster\":\"c\",\"instance\":\"node-" + node
                        + "\"},\"value\":" + value + ",\"timestamp\":" + START.plusSeconds(s).toEpochMilli() + "}");
            }
        }

        final List<AlertEvent> events = replay(rules.toString(), lines);

        assertThat(events).extracting(AlertEvent::status).containsExactly(EventStatus.FIRING, EventStatus.RESOLVED);
        assertThat(events).extracting(AlertEvent::fingerprint).containsOnly(events.get(0).fingerprint());
        assertThat(events.get(1).labels()).isEqualTo(events.get(0).labels());
    }

    /**
     * A rule label replacing the series' own label makes series that differ only in it one alert downstream: not
     * refused (it may be meant, as a fixed {@code severity} over a series' own), but warned about once, naming both.
     */
    @Test
    void aRuleLabelReplacingTheSeriesOwnIsWarnedAboutOnce() throws IOException {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            for (String node : List.of("node-1", "node-2")) {
                lines.add("{\"name\":\"cpu\",\"labels\":{\"instance\":\"" + node + "\"},\"value\":90,\"timestamp\":"
                        + START.plusSeconds(10L * i).toEpochMilli() + "}");
            }
        }
        final List<AlertEvent> events;
        try (CapturedLogs logs = new CapturedLogs()) {
            events = replay("""
                    groups:
                      - name: g
                        every: 10s
                        rules:
                          - alert: Merged
                            series: cpu
                            window: 10s
                            threshold: {above: 50}
                            labels: {instance: db, severity: page}
                    """, lines);
            assertThat(logs.text()).containsOnlyOnce("rule g/Merged").contains(
                    "its label instance=\"db\" replaces the series' own instance=\"node-");
            assertThat(logs.text()).doesNotContain("its label severity=");
        }
        // What the warning is about: two series, one alert downstream.
        assertThat(events).extracting(AlertEvent::status).contains(EventStatus.FIRING);
        assertThat(events).extracting(AlertEvent::fingerprint).containsOnly(events.get(0).fingerprint());
    }

    private List<AlertEvent> replay(final String rules, final String series, final double[] values) throws IOException {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            lines.add("{\"name\":\"" + series + "\",\"labels\":{\"instance\":\"a\"},\"value\":" + values[i]
                    + ",\"timestamp\":" + START.plusSeconds(10L * i).toEpochMilli() + "}");
        }
        // A point well after the last, so that every instant before it is evaluated.
        lines.add("{\"name\":\"tick\",\"labels\":{},\"value\":0,\"timestamp\":"
                + START.plusSeconds(600).toEpochMilli() + "}");
        return replay(rules, lines);
    }

    private List<AlertEvent> replay(final String rules, final List<String> lines) throws IOException {
        return Backtest.events(dir, rules, lines);
    }
}
