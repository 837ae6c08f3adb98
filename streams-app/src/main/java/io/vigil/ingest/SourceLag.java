package io.vigil.ingest;

import java.util.OptionalLong;

/**
 * How far this instance is behind on a partition it reads: records that exist in Kafka but have not been handed to
 * processing yet. Ingest asks before it announces a partition idle, as Kafka Streams itself does before it lets a
 * task idle (KIP-695): a partition with records still waiting is slow, not silent. Every stage asks before it
 * commits early because its input has stopped ({@link CommitPacing}).
 */
@FunctionalInterface
public interface SourceLag {

    /** For topologies without a Kafka consumer (replay, the test driver): every partition counts as caught up. */
    SourceLag CAUGHT_UP = (topic, partition) -> OptionalLong.of(0);

    /**
     * Called on the stream thread that processes the partition.
     *
     * @return records of {@code topic}/{@code partition} not yet handed to processing; empty while not known yet
     *         (no fetch of the partition has been answered)
     */
    OptionalLong of(String topic, int partition);
}
