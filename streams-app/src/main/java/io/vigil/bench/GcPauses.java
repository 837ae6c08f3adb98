package io.vigil.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The collector's pauses while it listens, as the JVM announces each collection: when it began on the wall clock and
 * how long it took. A pause stops every thread of the process, so an alert whose path crosses one is late by it; the
 * bench matches its slowest probe alerts with the pauses on their paths. The collectors' concurrent cycles (ZGC's
 * "Cycles", G1's "Concurrent GC") are not pauses and are left out.
 */
public final class GcPauses implements AutoCloseable {

    /** A pause that began at {@code startMs} (epoch) and lasted {@code durationMs}, of the collector named. */
    public record Pause(long startMs, long durationMs, String collector) {

        /** Whether it stopped the process at some time within {@code [fromMs, toMs]}. */
        public boolean within(final long fromMs, final long toMs) {
            return startMs <= toMs && startMs + durationMs >= fromMs;
        }
    }

    private final List<Pause> pauses = new CopyOnWriteArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    /**
     * The JVM's start on today's wall clock (epoch ms): collections are timed from the start on the JVM's own elapsed
     * clock, as its uptime is. The start as recorded then ({@code getStartTime()}) drifts from it as the wall clock is
     * adjusted: in a test JVM that had run for minutes on a loaded machine a collection was placed over a second away.
     */
    private final long jvmStartMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getUptime();

    private GcPauses() {
    }

    /** Listens to every collector of this JVM until closed. */
    public static GcPauses listen() {
        final GcPauses listening = new GcPauses();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter && pauses(collector.getName())) {
                emitter.addNotificationListener(listening.listener, null, null);
                listening.emitters.add(emitter);
            }
        }
        return listening;
    }

    /** Whether the collector (by its management name) stops the process, rather than running beside it. */
    static boolean pauses(final String collectorName) {
        final String name = collectorName.toLowerCase(Locale.ROOT);
        return !name.contains("cycles") && !name.contains("concurrent");
    }

    private void onNotification(final Notification notification, final Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        final GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        pauses.add(new Pause(jvmStartMs + info.getGcInfo().getStartTime(), info.getGcInfo().getDuration(),
                info.getGcName()));
    }

    /** The pauses that began within {@code [fromMs, toMs]}, in the order they were announced. */
    public List<Pause> between(final long fromMs, final long toMs) {
        return pauses.stream().filter(p -> p.startMs() >= fromMs && p.startMs() <= toMs).toList();
    }

    /** Whether one of {@code pauses} stopped the process within {@code [fromMs, toMs]}. */
    public static boolean anyWithin(final Collection<Pause> pauses, final long fromMs, final long toMs) {
        return pauses.stream().anyMatch(p -> p.within(fromMs, toMs));
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // never added to it: nothing to remove
            }
        }
        emitters.clear();
    }
}
