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

    /**
     * About the most a bundle's record carries: a quarter of the producer's default {@code max.request.size} (1 MiB),
     * the engine's {@code batch.size}; far above a pass of the bench's fleet (60 KB at most, cut nowhere).
     */
    public static final int MAX_BYTES = 256 * 1024;

    public PeerBundle {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " of " + partitions);
        }
        values = List.copyOf(values);
    }

    /**
     * {@code values} by the partition of their group key among {@code partitions}, partitions in order, each
     * partition's in bundles of about {@link #MAX_BYTES} at most (a group's members split over several where one
     * alone is larger): a pass over many instants, or a large fleet's one, made records above the producer's
     * {@code max.request.size}, which fails the stream thread. The peer stage adds up a group's members from however
     * many records they come in.
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
        for (PeerValues v : values) {
            final int p = partitionOf(v.groupKey(), partitions);
            final List<List<PeerValues>> bundles = byPartition.get(p);
            for (PeerValues part : split(v)) {
                final int size = estimatedBytes(part);
                if (bundles.isEmpty() || bytes[p] + size > MAX_BYTES) {
                    bundles.add(new ArrayList<>());
                    bytes[p] = 0;
                }
                bundles.get(bundles.size() - 1).add(part);
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

    /** {@code v}, or its members in parts, each of at most about {@link #MAX_BYTES}. */
    private static List<PeerValues> split(final PeerValues v) {
        if (estimatedBytes(v) <= MAX_BYTES) {
            return List.of(v);
        }
        final List<PeerValues> parts = new ArrayList<>();
        final int head = estimatedHead(v);
        int from = 0;
        int size = head;
        final List<PeerValues.Member> members = v.members();
        for (int i = 0; i < members.size(); i++) {
            final int member = estimatedBytes(members.get(i));
            if (i > from && size + member > MAX_BYTES) {
                parts.add(new PeerValues(v.groupKey(), v.time(), members.subList(from, i)));
                from = i;
                size = head;
            }
            size += member;
        }
        parts.add(new PeerValues(v.groupKey(), v.time(), members.subList(from, members.size())));
        return parts;
    }

    /**
     * About the bytes {@link PeerMessageCodec} writes for {@code v}: a character as a byte, which keys of ASCII names
     * and label values are; a limit far below the producer's leaves room for the rest.
     */
    private static int estimatedBytes(final PeerValues v) {
        int bytes = estimatedHead(v);
        for (PeerValues.Member m : v.members()) {
            bytes += estimatedBytes(m);
        }
        return bytes;
    }

    private static int estimatedHead(final PeerValues v) {
        return Integer.BYTES + v.groupKey().length() + Long.BYTES + Integer.BYTES;
    }

    private static int estimatedBytes(final PeerValues.Member m) {
        return Integer.BYTES + m.seriesKey().length() + Double.BYTES;
    }

    /** The partition a record keyed by {@code groupKey} (a string, UTF-8) would have had. */
    static int partitionOf(final String groupKey, final int partitions) {
        return SeriesBundler.partitionOf(Objects.requireNonNull(groupKey).getBytes(StandardCharsets.UTF_8),
                partitions);
    }
}
