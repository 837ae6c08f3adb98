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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a resolved event says when the alert resolves for want of data or after a silence: its time, its value and
 * the annotations rendered with it. A pager reads these; "CPU at NaN%" or "silent for 0s" tells it nothing.
 */
class ResolvedAlertsTest {

    private static final Instant START = Instant.parse("2023-11-14T22:00:00Z");

    /** A series silent for 30 s pages; the second rule keeps firing a minute after it is back. */
    private static final String ABSENT_RULES = """
            groups:
              - name: g
                every: 10s
                rules:
                  - alert: Silent
                    series: up
                    absent: {after: 30s}
                    annotations: {summary: "silent for {{ $value }}s"}
                  - alert: SilentKept
                    series: up
                    absent: {after: 30s}
                    keep_firing_for: 1m
                    annotations: {summary: "silent for {{ $value }}s"}
            """;

    @TempDir
    Path dir;

    @Test
    void anAbsentAlertResolvesKeepFiringForAfterTheSeriesCameBackAndSaysHowLongItWasSilent() throws IOException {
        // Points every 10 s from 0 s to 50 s, none until 160 s, then every 10 s to 450 s.
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s <= 450; s += 10) {
            if (s <= 50 || s >= 160) {
                lines.add(point("up", 1, s));
            }
        }

        final List<AlertEvent> events = replay(ABSENT_RULES, lines);

        final AlertEvent silent = resolved(events, "Silent");
        assertThat(silent.endsAt()).contains(START.plusSeconds(160));
        assertThat(silent.value()).hasValue(110.0);
        assertThat(silent.annotations()).containsEntry("summary", "silent for 110s");
        final AlertEvent kept = resolved(events, "SilentKept");
        assertThat(kept.startsAt()).contains(START.plusSeconds(80));
        assertThat(kept.endsAt()).contains(START.plusSeconds(220));
        assertThat(kept.annotations()).containsEntry("summary", "silent for 110s");
    }

    /**
     * Evaluated once a minute, the first point back was pruned by the time keep_firing_for ran out, and the resolve
     * measured the silence to a later point: 115 s where it was 100 s (a rules audit).
     */
    @Test
    void aSilenceKeptFiringAtACoarseStepSaysHowLongItWasWhenItResolves() throws IOException {
        final String rules = """
                groups:
                  - name: g
                    every: 1m
                    rules:
                      - alert: SilentKept
                        series: up
                        absent: {after: 1m}
                        keep_firing_for: 30s
                        annotations: {summary: "silent for {{ $value }}s"}
                """;
        final List<String> lines = new ArrayList<>();
        lines.add(point("up", 1, 5));
        for (int s = 105; s <= 400; s += 10) {
            lines.add(point("up", 1, s));
        }

        final AlertEvent kept = resolved(replay(rules, lines), "SilentKept");

        assertThat(kept.startsAt()).contains(START.plusSeconds(65));
        assertThat(kept.endsAt()).contains(START.plusSeconds(180));
        assertThat(kept.value()).hasValue(100.0);
        assertThat(kept.annotations()).containsEntry("summary", "silent for 100s");
    }

    @Test
    void anAlertResolvingForWantOfDataAfterKeepFiringForShowsItsLastNumbers() throws IOException {
        final String rules = """
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Hot
                        series: cpu
                        aggregate: avg
                        window: 30s
                        threshold: {above: 90}
                        keep_firing_for: 30s
                        annotations: {summary: "CPU at {{ $value }}%"}
                """;
        // Hot for a minute, then the node stops reporting; another series moves event time on.
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s <= 300; s += 10) {
            if (s <= 60) {
                lines.add(point("cpu", 95, s));
            }
            lines.add(point("tick", 0, s));
        }

        final AlertEvent hot = resolved(replay(rules, lines), "Hot");

        assertThat(hot.value()).hasValue(95.0);
        assertThat(hot.annotations()).containsEntry("summary", "CPU at 95%")
                // Not "the heat is over": the node went silent, and the summary is its last word.
                .containsEntry("resolved_reason", "no data in its 30s window");
    }

    @Test
    void aRateResolvingAsItsSeriesStopsSaysItHadTooFewPoints() throws IOException {
        final String rules = """
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Busy
                        series: bytes
                        aggregate: rate
                        window: 30s
                        threshold: {above: 5}
                """;
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s <= 300; s += 10) {
            if (s <= 60) {
                lines.add(point("bytes", 10 * s, s));
            }
            lines.add(point("tick", 0, s));
        }

        final AlertEvent busy = resolved(replay(rules, lines), "Busy");

        assertThat(busy.value()).hasValue(10.0);
        assertThat(busy.annotations())
                .containsEntry("resolved_reason", "fewer than 2 points in its 30s window, which rate needs");
    }

    /**
     * An outlier whose group falls below min_peers is no longer judged and resolves: it says why, with the numbers of
     * its last judgment, where "10 vs NaN" read as the node having come back to its peers; so does one firing on
     * through keep_firing_for meanwhile, whose resolve showed the numbers of the evaluations that judged nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"0s", "30s"})
    void anOutlierResolvingAsItsGroupShrinksSaysTooFewPeers(final String keepFiringFor) throws IOException {
        final String rules = """
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Low
                        series: cpu
                        window: 30s
                        outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}
                        keep_firing_for: %s
                        annotations: {summary: "{{ $value }} vs {{ $median }}"}
                """.formatted(keepFiringFor);
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s <= 400; s += 10) {
            for (int n = 0; n < 6; n++) {
                // node 0 far below the others throughout; nodes 3 to 5 stop at 200 s, leaving 3 of min_peers 5
                if (n < 3 || s < 200) {
                    lines.add(member("cpu", n, n == 0 ? 10 : 50 + n, s));
                }
            }
        }

        final AlertEvent low = resolved(replay(rules, lines), "Low");

        assertThat(low.annotations()).containsEntry("summary", "10 vs 52.5")
                .containsEntry("resolved_reason", "its peer group has fewer than 5 members with a value (min_peers),"
                        + " too few to judge");
    }

    @Test
    void anAlertResolvingAsItsConditionTurnsFalseGivesNoReason() throws IOException {
        final String rules = """
                groups:
                  - name: g
                    every: 10s
                    rules:
                      - alert: Hot
                        series: cpu
                        window: 10s
                        threshold: {above: 90}
                        annotations: {summary: "CPU at {{ $value }}%"}
                """;
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s <= 200; s += 10) {
            lines.add(point("cpu", s <= 60 ? 95 : 20, s));
        }

        final AlertEvent hot = resolved(replay(rules, lines), "Hot");

        assertThat(hot.annotations()).containsEntry("summary", "CPU at 20%").doesNotContainKey("resolved_reason");
    }

    @Test
    void aForgottenSeriesAbsentAlertSaysHowLongItHadBeenSilent() throws IOException {
        final List<String> lines = new ArrayList<>(List.of(point("up", 1, 0)));
        // Another series of the same rule moves event time a day and a minute on.
        for (int s = 0; s <= 86_460; s += 20) {
            lines.add(point("up", 1, s).replace("\"a\"", "\"b\""));
        }

        final AlertEvent forgotten = resolved(replay(ABSENT_RULES, lines), "Silent");

        assertThat(forgotten.annotations()).containsKey("resolved_reason");
        assertThat(forgotten.annotations().get("summary")).matches("silent for 864\\d\\ds");
    }

    private List<AlertEvent> replay(final String rules, final List<String> lines) throws IOException {
        return Backtest.events(dir, rules, lines);
    }

    /** The one resolved event of {@code alert}. */
    private static AlertEvent resolved(final List<AlertEvent> events, final String alert) {
        final List<AlertEvent> resolved = events.stream().filter(e -> e.status() == EventStatus.RESOLVED)
                .filter(e -> alert.equals(e.labels().get("alertname"))).toList();
        assertThat(resolved).hasSize(1);
        return resolved.get(0);
    }

    /** A native JSON datapoint of {@code name}{instance="node-N", cluster="c"} at {@code seconds} after {@link #START}. */
    private static String member(final String name, final int n, final double value, final int seconds) {
        return point(name, value, seconds).replace("{\"instance\":\"a\"}",
                "{\"instance\":\"node-" + n + "\",\"cluster\":\"c\"}");
    }

    /** A native JSON datapoint of {@code name}{instance="a"} at {@code seconds} after {@link #START}. */
    private static String point(final String name, final double value, final int seconds) {
        return "{\"name\":\"" + name + "\",\"labels\":{\"instance\":\"a\"},\"value\":" + value + ",\"timestamp\":"
                + START.plusSeconds(seconds).toEpochMilli() + "}";
    }
}
