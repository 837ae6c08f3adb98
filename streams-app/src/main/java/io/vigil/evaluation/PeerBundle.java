package io.vigil.evaluation;

import io.vigil.ingest.SeriesBundler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The peer values of one evaluation pass bound for one partition of the peers topic: one record per peer-group task
 * and pass (more where that would be too large) rather than one per group. Each record through Kafka Streams and the
 * broker costs about the same whatever it carries, and a fleet's outlier rules make a group per cluster: a task's
 * pass sent as many records as there are clusters.
 *
 * @param partition  the peers partition every group of this bundle belongs to (their keys' partition, as Kafka's
 *                   default partitioner gives it)
 * @param partitions how many partitions that was computed for, checked when sent
 * @param values     the groups' values, in the order they were evaluated
 */
public record PeerBundle(int partition, int partitions, List<PeerValues> values) implements EvaluationOutput {

    /** About the most a bundle's record carries ({@link RecordParts#MAX_BYTES}); the bench's passes take 60 KB. */
    public static final int MAX_BYTES = RecordParts.MAX_BYTES;

    public PeerBundle {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " of " + partitions);
        }
        values = List.copyOf(values);
    }

    /**
     * {@code values} by the partition of their group key among {@code partitions}, partitions in order, each
     * partition's in bundles of about {@link #MAX_BYTES} at most: a pass over many instants, or one instant of a fleet
     * of many groups, made records above the producer's {@code max.request.size}, which fails the stream thread. A
     * group's values at an instant larger than that alone are cut into parts ({@link PeerValues#cut}), which the peer
     * stage merges again.
     */
    static List<PeerBundle> of(final List<PeerValues> values, final int partitions) {
        if (values.isEmpty()) {
            return List.of();
        }
        final List<List<List<PeerValues>>> byPartition = new ArrayList<>(partitions);
        final int[] bytes = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (PeerValues whole : values) {
            final int p = partitionOf(whole.groupKey(), partitions);
            final List<List<PeerValues>> bundles = byPartition.get(p);
            for (PeerValues v : whole.cut(MAX_BYTES)) {
                final int size = v.estimatedBytes();
                if (bundles.isEmpty() || bytes[p] + size > MAX_BYTES) {
                    bundles.add(new ArrayList<>());
                    bytes[p] = 0;
                }
                bundles.get(bundles.size() - 1).add(v);
                bytes[p] += size;
            }
        }
        final List<PeerBundle> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (List<PeerValues> bundle : byPartition.get(p)) {
                out.add(new PeerBundle(p, partitions, bundle));
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
