package io.vigil.demo;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.alerts.EventStatus;
import io.vigil.model.DurationSyntax;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * What the demo shows: each alert as it fires and resolves, then per incident whether and how fast it was detected,
 * and every alert no incident explains (a false alarm). Computed from the alert events, never written in advance.
 *
 * <p>Lines are shown in the scenario's time order, each held back {@link #HOLD} of wall time after it comes in: the
 * demo plays over a hundred scenario seconds per wall second, so the fraction of a second an outlier's alert takes
 * longer than a threshold's (one stage and one commit more) printed a page of +62:50 below one of +63:40.
 */
public final class DemoReport {

    /** How long a line waits for lines of earlier scenario times still on their way: about three scenario minutes. */
    static final Duration HOLD = Duration.ofMillis(1500);

    /** How an incident was detected, if it was. */
    public record Detection(Incident incident, Optional<AlertEvent> firstAlert) {
        public Optional<Duration> delay(final long scenarioStartMs) {
            return firstAlert.map(a -> Duration.between(Instant.ofEpochMilli(scenarioStartMs).plus(incident.start()),
                    a.startsAt().orElseThrow()));
        }
    }

    private final long startMs;
    private final List<Incident> incidents;
    private final PrintWriter out;
    private final List<AlertEvent> firing = new ArrayList<>();
    private final LongSupplier nanoClock;
    private final PriorityQueue<Line> held = new PriorityQueue<>(Line.ORDER);
    private long arrivals;

    public DemoReport(final long startMs, final List<Incident> incidents, final PrintWriter out) {
        this(startMs, incidents, out, System::nanoTime);
    }

    DemoReport(final long startMs, final List<Incident> incidents, final PrintWriter out,
               final LongSupplier nanoClock) {
        this.startMs = startMs;
        this.incidents = List.copyOf(incidents);
        this.out = out;
        this.nanoClock = nanoClock;
    }

    /**
     * A line to show: its scenario time, whether it is an incident's (shown before the alerts of the same time), its
     * text (alerts of one instant by status and name, not by which came in first), its place among arrivals, when it
     * came in.
     */
    private record Line(long sinceStartMs, boolean incident, String text, long arrival, long arrivedNanos) {
        static final Comparator<Line> ORDER = Comparator.comparingLong(Line::sinceStartMs)
                .thenComparing(Line::incident, Comparator.reverseOrder()).thenComparing(Line::text)
                .thenComparingLong(Line::arrival);
    }

    /** Takes an event as it arrives, to show (pending ones are left out: they are not pages). */
    public synchronized void onEvent(final AlertEvent e) {
        if (e.status() == EventStatus.PENDING) {
            return;
        }
        if (e.status() == EventStatus.FIRING) {
            firing.add(e);
        }
        final Instant at = e.status() == EventStatus.FIRING ? e.startsAt().orElseThrow() : e.endsAt().orElseThrow();
        final long sinceStart = at.toEpochMilli() - startMs;
        hold(sinceStart, false, String.format(Locale.ROOT, "  %s  %-8s  %-29s %-8s %s", clock(sinceStart),
                e.status().jsonName().toUpperCase(Locale.ROOT), e.labels().get("alertname"), e.labels().get("instance"),
                what(e)));
    }

    /**
     * The event's summary; for an alert resolved for a reason other than its condition turning false (its series went
     * silent), the reason first: "RESOLVED ... db-1 holds 517 connections" read as the surge being over.
     */
    private static String what(final AlertEvent e) {
        final String summary = e.annotations().getOrDefault("summary", "");
        final String reason = e.annotations().get(AlertEventFactory.RESOLVED_REASON);
        return reason == null ? summary : reason + " (last: " + summary + ")";
    }

    public synchronized void incidentBegins(final Incident incident) {
        final long sinceStart = incident.start().toMillis();
        hold(sinceStart, true, String.format(Locale.ROOT, "  %s  incident: %s", clock(sinceStart), incident.name()));
    }

    private void hold(final long sinceStartMs, final boolean incident, final String text) {
        held.add(new Line(sinceStartMs, incident, text, arrivals++, nanoClock.getAsLong()));
    }

    /**
     * Prints the lines held for {@link #HOLD}, each after every held line of an earlier scenario time (those are shown
     * early rather than out of order). Called as the demo goes, often.
     */
    public synchronized void printDue() {
        final long now = nanoClock.getAsLong();
        Line last = null;
        for (Line line : held) {
            if (now - line.arrivedNanos() >= HOLD.toNanos() && (last == null || Line.ORDER.compare(line, last) > 0)) {
                last = line;
            }
        }
        while (last != null && !held.isEmpty() && Line.ORDER.compare(held.peek(), last) <= 0) {
            out.println(held.poll().text());
        }
        out.flush();
    }

    /** Prints every line still held. */
    public synchronized void printHeld() {
        while (!held.isEmpty()) {
            out.println(held.poll().text());
        }
        out.flush();
    }

    public synchronized List<Detection> detections() {
        final List<Detection> out = new ArrayList<>();
        for (Incident incident : incidents) {
            final long began = startMs + incident.start().toMillis();
            out.add(new Detection(incident, firing.stream()
                    .filter(a -> a.labels().get("instance").equals(incident.instance()))
                    .filter(a -> a.startsAt().orElseThrow().toEpochMilli() >= began)
                    .min(Comparator.comparing((AlertEvent a) -> a.startsAt().orElseThrow())
                            .thenComparing(a -> a.labels().get("alertname")))));
        }
        return out;
    }

    /** Firing alerts that no incident explains: not on an incident's host, or before the incident began. */
    public synchronized List<AlertEvent> falseAlarms() {
        return firing.stream().filter(a -> incidents.stream().noneMatch(i -> explains(i, a)))
                .sorted(Comparator.comparing((AlertEvent a) -> a.startsAt().orElseThrow())
                        .thenComparing(a -> a.labels().get("alertname")).thenComparing(a -> a.labels().get("instance")))
                .toList();
    }

    private boolean explains(final Incident incident, final AlertEvent alert) {
        return alert.labels().get("instance").equals(incident.instance())
                && alert.startsAt().orElseThrow().toEpochMilli() >= startMs + incident.start().toMillis();
    }

    /**
     * Prints the summary; returns whether every incident was detected without a false alarm.
     *
     * @param played how long the cluster's playing took
     * @param total  how long the whole demo took
     */
    public synchronized boolean printSummary(final Duration played, final Duration total) {
        printHeld();
        out.println();
        out.println("Summary");
        boolean allDetected = true;
        for (Detection d : detections()) {
            if (d.firstAlert().isPresent()) {
                final AlertEvent a = d.firstAlert().get();
                out.printf(Locale.ROOT, "  %-45s began %s  detected by %s %s after it began%n", d.incident().name(),
                        clock(d.incident().start().toMillis()), a.labels().get("alertname"),
                        DurationSyntax.format(d.delay(startMs).orElseThrow()));
            } else {
                allDetected = false;
                out.printf(Locale.ROOT, "  %-45s began %s  NOT DETECTED%n", d.incident().name(),
                        clock(d.incident().start().toMillis()));
            }
        }
        final List<AlertEvent> falseAlarms = falseAlarms();
        if (falseAlarms.isEmpty()) {
            out.println("  No false alarms (the hourly job saturating every node at +12:00 for 2 minutes, the planned"
                    + " restart of node-03 at +35:00, its counter reset and GC pauses did not page).");
        } else {
            out.printf(Locale.ROOT, "  %d false alarm(s):%n", falseAlarms.size());
            falseAlarms.forEach(a -> out.printf(Locale.ROOT, "    %s %s %s%n", clock(a.startsAt().orElseThrow().toEpochMilli() - startMs),
                    a.labels().get("alertname"), a.labels().get("instance")));
        }
        out.printf(Locale.ROOT, "  %s of cluster time played in %.0f s; %.0f s in all, with the broker's and the engine's"
                + " start and the wait for the last alerts.%n", DurationSyntax.format(ClusterSimulator.LENGTH),
                played.toMillis() / 1000.0, total.toMillis() / 1000.0);
        out.flush();
        return allDetected && falseAlarms.isEmpty();
    }

    /** {@code +61:20}: minutes and seconds since the scenario's start. */
    static String clock(final long sinceStartMs) {
        final long s = Math.max(0, sinceStartMs / 1000);
        return String.format(Locale.ROOT, "+%02d:%02d", s / 60, s % 60);
    }
}
