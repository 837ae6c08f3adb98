package io.vigil.app;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Where each input partition stands before the engine starts, read once for what the start decides from it (whether
 * the lookback leaves records out, how many records wait).
 *
 * @param beginnings each partition's first offset
 * @param ends       each partition's next offset (read_uncommitted: its end)
 * @param firstReads where the engine reads a partition with no committed offset from, as Kafka Streams' reset policy
 *                   will: the first record at or after the lookback's start (the end when none is that recent), or
 *                   the beginning without a lookback
 */
record InputPositions(Map<TopicPartition, Long> beginnings, Map<TopicPartition, Long> ends,
                      Map<TopicPartition, Long> firstReads) {

    InputPositions {
        beginnings = Map.copyOf(beginnings);
        ends = Map.copyOf(ends);
        firstReads = Map.copyOf(firstReads);
    }

    /** @param lookback how far before now a partition with no committed offset is read from; empty: its beginning */
    static InputPositions read(final Admin admin, final Collection<String> inputs, final Optional<Duration> lookback)
            throws ExecutionException, InterruptedException, TimeoutException {
        final Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(inputs).allTopicNames().get(30, TimeUnit.SECONDS).values().forEach(d ->
                d.partitions().forEach(p -> {
                    final TopicPartition tp = new TopicPartition(d.name(), p.partition());
                    earliest.put(tp, OffsetSpec.earliest());
                    latest.put(tp, OffsetSpec.latest());
                }));
        final Map<TopicPartition, Long> beginnings = offsets(admin, earliest);
        final Map<TopicPartition, Long> ends = offsets(admin, latest);
        final Map<TopicPartition, Long> firstReads = new HashMap<>(beginnings);
        if (lookback.isPresent()) {
            final OffsetSpec since = OffsetSpec.forTimestamp(System.currentTimeMillis() - lookback.get().toMillis());
            final Map<TopicPartition, OffsetSpec> recent = new HashMap<>();
            earliest.keySet().forEach(tp -> recent.put(tp, since));
            // A time with no record at or after it gives -1: the engine then starts at the end.
            offsets(admin, recent).forEach((tp, offset) -> firstReads.put(tp, offset < 0 ? ends.get(tp) : offset));
        }
        return new InputPositions(beginnings, ends, firstReads);
    }

    /** The records of the partitions before where one with no committed offset is read from. */
    long skipped() {
        return firstReads.entrySet().stream().mapToLong(e -> e.getValue() - beginnings.get(e.getKey())).sum();
    }

    private static Map<TopicPartition, Long> offsets(final Admin admin, final Map<TopicPartition, OffsetSpec> specs)
            throws ExecutionException, InterruptedException, TimeoutException {
        final Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }
}
