package io.vigil.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far each partition of the alerts topic is done for a receiver, with several events in flight at once: an offset
 * is committed only once every event before it was delivered or given up on for good, so a restart resumes at the
 * first event not done. The events after it that are done ride along in the commit's metadata
 * ({@value #DONE_PREFIX} and offsets relative to the committed one), so that a restart, or the instance a partition
 * moves to, does not send them again; only those in flight at a crash are (at least once: receivers drop duplicates
 * by {@code Idempotency-Key}). A partition a receiver first reads skips the history before it ({@link AlertHistory}),
 * and says so in the metadata ({@value #HISTORY_PREFIX} and the first offset that is not history) until the committed
 * offset has passed it, so that a restart in the middle reads the history again rather than sending it. Thread-safe:
 * events finish on the delivering threads, the consumer's thread commits.
 */
final class DeliveredOffsets {

    static final String DONE_PREFIX = "vigil-done:";
    static final String HISTORY_PREFIX = "vigil-history-until:";
    /** Kafka refuses commit metadata above {@code offset.metadata.max.bytes} (4,096 by default). */
    private static final int MAX_METADATA_CHARS = 3_000;

    private static final class Partition {
        final TreeSet<Long> notDone = new TreeSet<>();
        /** Offsets done by an earlier reader, past the committed one: not delivered again. */
        final TreeSet<Long> doneBefore = new TreeSet<>();
        long next = -1;
        long committed = -1;
        String committedMetadata = "";
        AlertHistory history = AlertHistory.NONE;

        long committable() {
            return notDone.isEmpty() ? next : notDone.first();
        }

        /** The history still ahead of the commit, and the offsets done past it ({@link #doneAfter}). */
        String metadata() {
            final String done = doneAfter();
            if (committable() >= history.until()) {
                return done;
            }
            return HISTORY_PREFIX + history.until() + (done.isEmpty() ? "" : ";" + done);
        }

        /** The offsets past the committable one that are done, as ranges relative to it, within the size Kafka takes. */
        private String doneAfter() {
            final long from = committable();
            if (notDone.isEmpty() || from + 1 >= next) {
                return "";
            }
            final StringBuilder out = new StringBuilder(DONE_PREFIX);
            long start = -1;
            for (long o = from + 1; o <= next; o++) {
                final boolean done = o < next && !notDone.contains(o);
                if (done && start < 0) {
                    start = o;
                } else if (!done && start >= 0) {
                    if (out.length() > MAX_METADATA_CHARS) {
                        break; // the rest are sent again after a restart
                    }
                    out.append(out.length() > DONE_PREFIX.length() ? "," : "").append(start - from);
                    if (o - 1 > start) {
                        out.append('-').append(o - 1 - from);
                    }
                    start = -1;
                }
            }
            return out.length() > DONE_PREFIX.length() ? out.toString() : "";
        }
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    synchronized void started(final TopicPartition tp, final long offset) {
        final Partition p = partitions.computeIfAbsent(tp, t -> new Partition());
        p.notDone.add(offset);
        p.next = Math.max(p.next, offset + 1);
    }

    synchronized void done(final TopicPartition tp, final long offset) {
        final Partition p = partitions.get(tp);
        if (p != null) {
            p.notDone.remove(offset);
        }
    }

    /**
     * Whether the event at {@code offset} is not to be delivered: done by an earlier reader (the commit's metadata says
     * so), or history the receiver does not get.
     */
    synchronized boolean doneBefore(final TopicPartition tp, final long offset) {
        final Partition p = partitions.get(tp);
        return p != null && (p.doneBefore.remove(offset) || p.history.skips(offset));
    }

    /** From now on {@code tp}'s events in {@code history} that it does not deliver are done without delivery. */
    synchronized void skip(final TopicPartition tp, final AlertHistory history) {
        partitions.computeIfAbsent(tp, t -> new Partition()).history = history;
    }

    /** Events started and not done. */
    synchronized int notDone() {
        int n = 0;
        for (Partition p : partitions.values()) {
            n += p.notDone.size();
        }
        return n;
    }

    /**
     * The offsets to commit, with the events done past each in their metadata: of each partition where either moved
     * since the last {@link #committed}.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> toCommit() {
        final Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        partitions.forEach((tp, p) -> {
            final long offset = p.committable();
            if (offset < 0) {
                return;
            }
            final String metadata = p.metadata();
            if (offset > p.committed || offset == p.committed && !metadata.equals(p.committedMetadata)) {
                out.put(tp, new OffsetAndMetadata(offset, metadata));
            }
        });
        return out;
    }

    /** Records that {@code offsets} (from {@link #toCommit}) were committed. */
    synchronized void committed(final Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> {
            final Partition p = partitions.get(tp);
            if (p != null && o.offset() >= p.committed) {
                p.committed = o.offset();
                p.committedMetadata = Objects.requireNonNullElse(o.metadata(), "");
            }
        });
    }

    /**
     * Starts {@code tp} over from its commit: the events its metadata lists as done are not delivered again. Anything
     * else in the metadata (another tool's, or a cut list) only means more is sent again.
     */
    synchronized void resumeFrom(final TopicPartition tp, final OffsetAndMetadata commit) {
        final Partition p = new Partition();
        partitions.put(tp, p);
        String metadata = commit == null ? null : commit.metadata();
        if (metadata != null && metadata.startsWith(HISTORY_PREFIX)) {
            final int end = metadata.indexOf(';');
            metadata = end < 0 ? "" : metadata.substring(end + 1);
        }
        if (metadata == null || !metadata.startsWith(DONE_PREFIX)) {
            return;
        }
        try {
            for (String range : metadata.substring(DONE_PREFIX.length()).split(",")) {
                final int dash = range.indexOf('-');
                final long first = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
                final long last = dash < 0 ? first : Long.parseLong(range.substring(dash + 1));
                for (long d = first; d <= last && p.doneBefore.size() < 100_000; d++) {
                    p.doneBefore.add(commit.offset() + d);
                }
            }
        } catch (NumberFormatException e) {
            p.doneBefore.clear();
        }
    }

    /**
     * Where a partition's history ends, when its commit (read as the consumer group has it) says the commit was made
     * before the end of the history the receiver skips; -1 if not.
     */
    static long historyUntil(final OffsetAndMetadata commit) {
        final String metadata = commit == null ? null : commit.metadata();
        if (metadata == null || !metadata.startsWith(HISTORY_PREFIX)) {
            return -1;
        }
        final int end = metadata.indexOf(';');
        try {
            final long until = Long.parseLong(metadata.substring(HISTORY_PREFIX.length(), end < 0 ? metadata.length() : end));
            return until > commit.offset() ? until : -1;
        } catch (NumberFormatException e) {
            return -1; // not ours: the history is sent, as before Vigil skipped it
        }
    }

    /**
     * Where {@code tp} is read again from after a pause (its first event not done, or -1 if none was started); from
     * then on it is as if resumed from a commit there, the events done past it not delivered again.
     */
    synchronized long restart(final TopicPartition tp) {
        final Partition p = partitions.get(tp);
        if (p == null || p.next < 0) {
            return -1;
        }
        final long from = p.committable();
        final Partition again = new Partition();
        for (long o = from + 1; o < p.next; o++) {
            if (!p.notDone.contains(o)) {
                again.doneBefore.add(o);
            }
        }
        again.doneBefore.addAll(p.doneBefore);
        again.committed = p.committed;
        again.committedMetadata = p.committedMetadata;
        again.history = p.history;
        partitions.put(tp, again);
        return from;
    }

    synchronized void forget(final Collection<TopicPartition> tps) {
        tps.forEach(partitions::remove);
    }
}
