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

    /**
     * Called on the stream thread that processes the partition, for the record just processed.
     *
     * @return records known to exist on {@code topic}/{@code partition} after {@code offset}: those still waiting
     *         ({@link #of}) and those handed to processing but not processed yet. A transaction's marker takes an
     *         offset, and counts here as a record: on a topic written in transactions, 1 may mean none. Empty while
     *         not known, and wherever there is no Kafka consumer.
     */
    default OptionalLong after(String topic, int partition, long offset) {
        return OptionalLong.empty();
    }

    /**
     * Called on the stream thread that processes the partition.
     *
     * @return the offset of the next record of {@code topic}/{@code partition} that the consumer will hand over; empty
     *         while not known without asking the broker, and wherever there is no Kafka consumer
     */
    default OptionalLong position(String topic, int partition) {
        return OptionalLong.empty();
    }
}
