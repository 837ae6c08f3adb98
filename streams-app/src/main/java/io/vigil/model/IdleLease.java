package io.vigil.model;

/**
 * How long an input partition's idle notice holds at the evaluators, and how often its ingest task renews it while
 * the partition stays idle. An idle partition is left out of event time; if its reader dies (an instance killed), no
 * notice says so, and until another instance takes the partition over (the group's session timeout, 45 s on a
 * cluster, then the restore) the points written there wait unread while event time moves on without them: read
 * after the takeover, their instants had run, and they were dropped as late (a failover audit, 2026-12-07: 192
 * points of a partition, and 55 in one of three unforced failovers). A notice that holds no longer than the grace
 * lets no such point's instant run, but for a point written in the moment the last notice took to arrive: one written
 * after its reader died is stamped after the notice's last renewal, and its instant waits a grace past that. The lease
 * counts from when an evaluator reads the notice, not from its stamp, so that hosts whose clocks disagree do not
 * see every notice run out as it comes. Renewed three times a lease, so a renewal a commit or a busy moment late
 * still comes in time.
 */
public final class IdleLease {

    /** A lease shorter than this would be renewed too often to matter, for a grace of a second or none. */
    private static final long MIN_LEASE_MS = 3_000;

    private IdleLease() {
    }

    /** How long a notice holds from when an evaluator reads it. */
    public static long holdsMs(final long graceMs) {
        return Math.max(MIN_LEASE_MS, graceMs);
    }

    /** How often an idle partition's notice is announced again. */
    public static long renewEveryMs(final long graceMs) {
        return holdsMs(graceMs) / 3;
    }
}
