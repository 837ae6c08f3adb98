package io.vigil.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far each partition of the alerts topic is done for a receiver, with several events in flight at once: an offset
 * is committed only once every event before it was delivered or given up on for good, so a restart resumes at the
 * first event not done (those done after it are sent again: at least once, and receivers drop duplicates by
 * {@code Idempotency-Key}). Thread-safe: events finish on the delivering threads, the consumer's thread commits.
 */
final class DeliveredOffsets {

    private static final class Partition {
        final TreeSet<Long> notDone = new TreeSet<>();
        long next = -1;
        long committed = -1;

        long committable() {
            return notDone.isEmpty() ? next : notDone.first();
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

    /** Events started and not done. */
    synchronized int notDone() {
        int n = 0;
        for (Partition p : partitions.values()) {
            n += p.notDone.size();
        }
        return n;
    }

    /** The offsets to commit: of each partition whose first event not done moved since the last {@link #committed}. */
    synchronized Map<TopicPartition, OffsetAndMetadata> toCommit() {
        final Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        partitions.forEach((tp, p) -> {
            final long offset = p.committable();
            if (offset > p.committed) {
                out.put(tp, new OffsetAndMetadata(offset));
            }
        });
        return out;
    }

    /** Records that {@code offsets} (from {@link #toCommit}) were committed. */
    synchronized void committed(final Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, o) -> {
            final Partition p = partitions.get(tp);
            if (p != null) {
                p.committed = Math.max(p.committed, o.offset());
            }
        });
    }

    /** Where {@code tp} must be read again from: its first event not done, or -1 if none was started. */
    synchronized long resumeAt(final TopicPartition tp) {
        final Partition p = partitions.get(tp);
        return p == null ? -1 : p.committable();
    }

    synchronized void forget(final Collection<TopicPartition> tps) {
        tps.forEach(partitions::remove);
    }

    synchronized void forgetAll() {
        partitions.clear();
    }
}
