package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A pass's peer values go in one record per peers partition, unless that would be too large a record to send: then in
 * several, a group's values cut into parts if they alone are too large.
 */
class PeerBundleTest {

    private static final int PARTITIONS = 3;
    private static final long T0 = 1_796_045_240_000L;

    @Test
    void aPassIsOneBundlePerPartitionItsGroupsBelongTo() {
        final List<PeerValues> values = List.of(group("a", T0, 3), group("b", T0, 3), group("c", T0, 3),
                group("a", T0 + 10_000, 3));
        final List<PeerBundle> bundles = PeerBundle.of(values, PARTITIONS);
        assertThat(bundles).extracting(PeerBundle::partition).doesNotHaveDuplicates().isSorted();
        assertThat(bundles.stream().mapToInt(b -> b.values().size()).sum()).isEqualTo(values.size());
    }

    @Test
    void manyInstantsOfAFleetGoInRecordsOfAtMostTheBundleSizeWithEveryMemberInOrder() {
        final List<PeerValues> values = new ArrayList<>();
        for (int t = 0; t < 800; t++) {
            for (String cluster : List.of("a", "b", "c", "d")) {
                values.add(group(cluster, T0 + t * 10_000L, 18));
            }
        }
        final List<PeerBundle> bundles = PeerBundle.of(values, PARTITIONS);
        assertThat(bundles.size()).isGreaterThan(PARTITIONS);
        for (PeerBundle b : bundles) {
            assertThat(PeerMessageCodec.encode(b).length).isLessThanOrEqualTo(PeerBundle.MAX_BYTES + 64);
            assertThat(b.values()).allSatisfy(v -> assertThat(PeerBundle.partitionOf(v.groupKey(), PARTITIONS))
                    .isEqualTo(b.partition()));
        }
        assertThat(bundles.stream().flatMap(b -> b.values().stream()).toList())
                .containsExactlyInAnyOrderElementsOf(values);
        for (int p = 0; p < PARTITIONS; p++) {
            final int partition = p;
            assertThat(bundles.stream().filter(b -> b.partition() == partition)
                    .flatMap(b -> b.values().stream()).toList())
                    .as("a partition's groups in the order they were evaluated")
                    .containsExactlyElementsOf(values.stream()
                            .filter(v -> PeerBundle.partitionOf(v.groupKey(), PARTITIONS) == partition).toList());
        }
    }

    @Test
    void aGroupLargerThanABundleIsCutIntoPartsOfAtMostTheBundleSizeWithItsMembersInOrder() {
        final PeerValues huge = group("all", T0, 20_000);
        assertThat(PeerMessageCodec.encode(huge).length).as("one record of it").isGreaterThan(1024 * 1024);
        final List<PeerValues> values = List.of(group("all", T0 - 10_000, 3), huge, group("all", T0 + 10_000, 3));
        final List<PeerBundle> bundles = PeerBundle.of(values, PARTITIONS);
        for (PeerBundle b : bundles) {
            assertThat(PeerMessageCodec.encode(b).length).isLessThanOrEqualTo(PeerBundle.MAX_BYTES + 64);
        }
        final List<PeerValues> sent = bundles.stream().flatMap(b -> b.values().stream()).toList();
        assertThat(sent.get(0)).isEqualTo(values.get(0));
        assertThat(sent.get(sent.size() - 1)).isEqualTo(values.get(2));
        final List<PeerValues> parts = sent.subList(1, sent.size() - 1);
        assertThat(parts).hasSizeGreaterThan(4).allSatisfy(p -> {
            assertThat(p.groupKey()).isEqualTo(huge.groupKey());
            assertThat(p.time()).isEqualTo(T0);
        });
        assertThat(parts.stream().flatMap(p -> p.members().stream()).toList()).isEqualTo(huge.members());
    }

    @Test
    void valuesThatFitAreNotCut() {
        final PeerValues small = group("a", T0, 3);
        assertThat(small.cut(PeerBundle.MAX_BYTES)).containsExactly(small);
    }

    private static PeerValues group(final String cluster, final long time, final int members) {
        return new PeerValues("cpu-low-peers|cluster=" + cluster, time, IntStream.range(0, members)
                .mapToObj(i -> new PeerValues.Member("node_cpu_seconds_total{cluster=\"" + cluster
                        + "\",instance=\"node-" + i + ".prod.example.com:9100\",mode=\"idle\"}", i * 0.5))
                .toList());
    }
}
