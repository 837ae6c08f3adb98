package io.vigil.evaluation;

import io.vigil.ingest.SeriesBundler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The peer values of one evaluation pass bound for one partition of the peers topic: one record per peer-group task
 * and pass rather than one per group. Each record through Kafka Streams and the broker costs about the same whatever it
 * carries, and a fleet's outlier rules make a group per cluster: a task's pass sent as many records as there are
 * clusters.
 *
 * @param partition  the peers partition every group of this bundle belongs to (their keys' partition, as Kafka's
 *                   default partitioner gives it)
 * @param partitions how many partitions that was computed for, checked when sent
 * @param values     the groups' values, in the order they were evaluated
 */
public record PeerBundle(int partition, int partitions, List<PeerValues> values) implements EvaluationOutput {

    public PeerBundle {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " of " + partitions);
        }
        values = List.copyOf(values);
    }

    /** {@code values} by the partition of their group key among {@code partitions}, partitions in order. */
    static List<PeerBundle> of(final List<PeerValues> values, final int partitions) {
        if (values.isEmpty()) {
            return List.of();
        }
        final List<List<PeerValues>> byPartition = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (PeerValues v : values) {
            byPartition.get(partitionOf(v.groupKey(), partitions)).add(v);
        }
        final List<PeerBundle> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (!byPartition.get(p).isEmpty()) {
                out.add(new PeerBundle(p, partitions, byPartition.get(p)));
            }
        }
        return out;
    }

    /** The partition a record keyed by {@code groupKey} (a string, UTF-8) would have had. */
    static int partitionOf(final String groupKey, final int partitions) {
        return SeriesBundler.partitionOf(Objects.requireNonNull(groupKey).getBytes(StandardCharsets.UTF_8),
                partitions);
    }
}
