package io.vigil.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.EventStatus;
import io.vigil.model.Labels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DemoReportTest {

    private static final long START = 1_700_000_000_000L;
    private static final List<Incident> INCIDENTS = List.of(
            new Incident("node-07 leaves", Duration.ofMinutes(60), "node-07"),
            new Incident("db-1 silent", Duration.ofMinutes(86), "db-1"));

    private static AlertEvent firing(final String alertname, final String instance, final Duration at) {
        final Instant t = Instant.ofEpochMilli(START).plus(at);
        return new AlertEvent("f" + alertname + instance, EventStatus.FIRING,
                Labels.of("alertname", alertname, "instance", instance), Map.of("summary", alertname + " on " + instance),
                t, Optional.of(t), Optional.empty(), OptionalDouble.of(1), "g/" + alertname, "http://x");
    }

    @Test
    void detectionsDelaysAndACleanRun() {
        final StringWriter text = new StringWriter();
        final DemoReport report = new DemoReport(START, INCIDENTS, new PrintWriter(text));
        report.onEvent(firing("NodeTrafficFarBelowPeers", "node-07", Duration.ofMinutes(62).plusSeconds(50)));
        report.onEvent(firing("DatabaseSilent", "db-1", Duration.ofMinutes(88)));
        assertThat(report.detections()).extracting(d -> d.delay(START).orElseThrow())
                .containsExactly(Duration.ofSeconds(170), Duration.ofMinutes(2));
        assertThat(report.printSummary(Duration.ofSeconds(45), Duration.ofSeconds(55))).isTrue();
        assertThat(text.toString())
                .contains("  +62:50  FIRING    NodeTrafficFarBelowPeers      node-07  NodeTrafficFarBelowPeers on node-07")
                .contains("detected by NodeTrafficFarBelowPeers 2m50s after it began")
                .contains("No false alarms")
                .contains("1h35m of cluster time played in 45 s; 55 s in all");
    }

    /** Resolved as its series went silent, an alert says so before its last summary ("holds 517 connections"). */
    @Test
    void aResolveForWantOfDataSaysSoBeforeItsLastSummary() {
        final StringWriter text = new StringWriter();
        final DemoReport report = new DemoReport(START, INCIDENTS, new PrintWriter(text));
        final Instant began = Instant.ofEpochMilli(START).plus(Duration.ofMinutes(81));
        final Instant ended = began.plus(Duration.ofMinutes(5).plusSeconds(50));
        report.onEvent(new AlertEvent("f", EventStatus.RESOLVED, Labels.of("alertname", "DatabaseCpuHigh", "instance",
                "db-1"), Map.of("summary", "db-1 CPU p90 at 94.9%", "resolved_reason", "no data in its 1m window"),
                ended, Optional.of(began), Optional.of(ended), OptionalDouble.of(94.9), "g/DatabaseCpuHigh", "http://x"));
        report.printHeld();
        assertThat(text.toString()).isEqualTo("  +86:50  RESOLVED  DatabaseCpuHigh               db-1     no data in its"
                + " 1m window (last: db-1 CPU p90 at 94.9%)" + System.lineSeparator());
    }

    @Test
    void anUndetectedIncidentAndAFalseAlarmAreShownAndFailTheRun() {
        final StringWriter text = new StringWriter();
        final DemoReport report = new DemoReport(START, INCIDENTS, new PrintWriter(text));
        report.onEvent(firing("NodeCpuFarBelowPeers", "node-03", Duration.ofMinutes(36)));
        report.onEvent(firing("NodeCpuFarBelowPeers", "node-07", Duration.ofMinutes(50)));
        report.onEvent(firing("DatabaseSilent", "db-1", Duration.ofMinutes(88)));
        assertThat(report.printSummary(Duration.ofSeconds(45), Duration.ofSeconds(55))).isFalse();
        assertThat(report.falseAlarms()).extracting(a -> a.labels().get("instance")).containsExactly("node-03", "node-07");
        assertThat(text.toString()).contains("node-07 leaves").contains("NOT DETECTED").contains("2 false alarm(s)");
    }

    @Test
    void linesAreShownInScenarioOrderOnceHeldLongEnough() {
        final StringWriter text = new StringWriter();
        final AtomicLong nanos = new AtomicLong();
        final DemoReport report = new DemoReport(START, INCIDENTS, new PrintWriter(text), nanos::get);
        report.incidentBegins(INCIDENTS.get(0));
        report.onEvent(firing("NodeTrafficCollapsed", "node-07", Duration.ofMinutes(63).plusSeconds(40)));
        nanos.addAndGet(DemoReport.HOLD.toNanos() / 3);
        // The outlier pages come in later, though they fired earlier; the two of one instant in either order.
        report.onEvent(firing("NodeTrafficFarBelowPeers", "node-07", Duration.ofMinutes(62).plusSeconds(50)));
        report.onEvent(firing("NodeCpuFarBelowPeers", "node-07", Duration.ofMinutes(62).plusSeconds(50)));
        report.printDue();
        assertThat(text.toString()).isEmpty();

        nanos.addAndGet(DemoReport.HOLD.toNanos() * 2 / 3);
        report.printDue();
        assertThat(text.toString().lines()).containsExactly(
                "  +60:00  incident: node-07 leaves",
                "  +62:50  FIRING    NodeCpuFarBelowPeers          node-07  NodeCpuFarBelowPeers on node-07",
                "  +62:50  FIRING    NodeTrafficFarBelowPeers      node-07  NodeTrafficFarBelowPeers on node-07",
                "  +63:40  FIRING    NodeTrafficCollapsed          node-07  NodeTrafficCollapsed on node-07");

        report.onEvent(firing("DatabaseSilent", "db-1", Duration.ofMinutes(88)));
        report.printDue();
        assertThat(text.toString().lines()).hasSize(4);
        assertThat(report.printSummary(Duration.ofSeconds(45), Duration.ofSeconds(55))).isTrue();
        assertThat(text.toString().lines().skip(4).findFirst()).contains(
                "  +88:00  FIRING    DatabaseSilent                db-1     DatabaseSilent on db-1");
        // Of two alerts of the incident's first instant, the summary names the same one in every run.
        assertThat(text.toString()).contains("detected by NodeCpuFarBelowPeers 2m50s after it began");
    }
}
