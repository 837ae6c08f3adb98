package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.model.SeriesCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerMessageCodecTest {

    private static final Series NODE = new Series("cpu_usage_percent",
            Labels.of("cluster", "b\u00e4ckend", "instance", "node-7"));
    private static final String GROUP = "fleet/NodeCpuFarBelowPeers\u0000cluster=b\u00e4ckend";

    @Test
    void valuesKeepTheirGroupInstantMembersAndValues() {
        final PeerValues values = new PeerValues(GROUP, 1_796_045_240_000L, List.of(
                new PeerValues.Member(NODE.key(), -0.0625), new PeerValues.Member("up{instance=\"n\u00e9\"}", 1e300)));

        final byte[] bytes = PeerMessageCodec.encode(values);

        assertThat(PeerMessageCodec.decode(bytes)).isEqualTo(values);
        assertThat(PeerMessageCodec.isBroadcast(bytes)).isFalse();
        assertThat(PeerMessageCodec.isSingleValue(bytes)).isFalse();
        final PeerValues decoded = (PeerValues) PeerMessageCodec.decode(bytes);
        assertThat(Series.fromKey(decoded.members().get(0).seriesKey())).isEqualTo(NODE);
    }

    @Test
    void aGroupWithoutMembersStaysEmpty() {
        final PeerValues none = new PeerValues(GROUP, -5L, List.of());

        assertThat(PeerMessageCodec.decode(PeerMessageCodec.encode(none))).isEqualTo(none);
    }

    @Test
    void evaluationGroupsItsValuesByGroupAndInstant() {
        final List<PeerValues> grouped = PeerValues.grouped(List.of(
                new PeerValue("g2", "a", 10, 1), new PeerValue("g1", "b", 10, 2), new PeerValue("g2", "c", 10, 3),
                new PeerValue("g2", "d", 20, 4)));

        assertThat(grouped).containsExactly(
                new PeerValues("g2", 10, List.of(new PeerValues.Member("a", 1), new PeerValues.Member("c", 3))),
                new PeerValues("g1", 10, List.of(new PeerValues.Member("b", 2))),
                new PeerValues("g2", 20, List.of(new PeerValues.Member("d", 4))));
    }

    @Test
    void aPassSendsOneBundlePerPeersPartitionEachGroupWhereItsKeyWouldGo() {
        final List<PeerValues> pass = new java.util.ArrayList<>();
        for (int c = 0; c < 50; c++) {
            pass.add(new PeerValues("fleet/NodeCpuFarBelowPeers\u0000cluster=c" + c, 10,
                    List.of(new PeerValues.Member("cpu{instance=\"n" + c + "\"}", c))));
        }

        final List<PeerBundle> bundles = PeerBundle.of(pass, 4);

        assertThat(bundles).extracting(PeerBundle::partition).containsExactly(0, 1, 2, 3);
        assertThat(bundles).flatExtracting(PeerBundle::values).containsExactlyInAnyOrderElementsOf(pass);
        for (PeerBundle b : bundles) {
            assertThat(b.partitions()).isEqualTo(4);
            for (PeerValues v : b.values()) {
                // Where a record keyed by the group would have gone before bundles.
                assertThat(b.partition()).isEqualTo(org.apache.kafka.clients.producer.internals.BuiltInPartitioner
                        .partitionForKey(v.groupKey().getBytes(java.nio.charset.StandardCharsets.UTF_8), 4));
            }
            // In the order evaluation made them.
            assertThat(b.values()).isSortedAccordingTo(java.util.Comparator.comparingInt(pass::indexOf));
        }
        assertThat(PeerBundle.of(List.of(), 4)).isEmpty();
    }

    @Test
    void aBundleKeepsItsPartitionAndGroups() {
        final PeerBundle bundle = new PeerBundle(2, 3, List.of(
                new PeerValues(GROUP, 1_796_045_240_000L, List.of(new PeerValues.Member(NODE.key(), -0.0625),
                        new PeerValues.Member("up{instance=\"n\u00e9\"}", 1e300))),
                new PeerValues("g2", 7L, List.of()),
                new PeerValues("g3", 8L, List.of(new PeerValues.Member("a", Double.MAX_VALUE)))));

        final byte[] bytes = PeerMessageCodec.encode(bundle);

        assertThat(PeerMessageCodec.decode(bytes)).isEqualTo(bundle);
        assertThat(PeerMessageCodec.isBundle(bytes)).isTrue();
        assertThat(PeerMessageCodec.partitionOf(bytes)).isEqualTo(2);
        assertThat(PeerMessageCodec.partitionsOf(bytes)).isEqualTo(3);
        assertThat(PeerMessageCodec.isBroadcast(bytes)).isFalse();
        assertThat(PeerMessageCodec.isBundle(PeerMessageCodec.encode(bundle.values().get(0)))).isFalse();
        for (int length : new int[] {1, 12, 13, 20, bytes.length - 1}) {
            assertThatThrownBy(() -> PeerMessageCodec.decode(Arrays.copyOf(bytes, length)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new PeerBundle(3, 3, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void progressIsBroadcast() {
        final byte[] bytes = PeerMessageCodec.encode(new PeerProgress(3, 1_796_045_240_000L));

        assertThat(PeerMessageCodec.decode(bytes)).isEqualTo(new PeerProgress(3, 1_796_045_240_000L));
        assertThat(PeerMessageCodec.isBroadcast(bytes)).isTrue();
    }

    @Test
    void readsValuesWrittenWithLabelsBeforeTheUpgrade() throws IOException {
        final byte[] bytes = valueWithLabels(GROUP, NODE, 1_796_045_240_000L, 12.5);

        assertThat(PeerMessageCodec.isSingleValue(bytes)).isTrue();
        assertThat(PeerMessageCodec.decode(bytes)).isEqualTo(
                new PeerValues(GROUP, 1_796_045_240_000L, List.of(new PeerValues.Member(NODE.key(), 12.5))));
    }

    /**
     * One member's value as Vigil wrote it before values were grouped (kind 0: the rule id, the group, the member's
     * labels, the time, the value), on the peers topic and in the values store alike.
     */
    static byte[] valueWithLabels(final String group, final Series member, final long time, final double value)
            throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(0);
            out.writeUTF(group.substring(0, group.indexOf('\u0000')));
            out.writeUTF(group);
            SeriesCodec.write(out, member);
            out.writeLong(time);
            out.writeDouble(value);
        }
        return bytes.toByteArray();
    }

    @Test
    void refusesTruncatedAndUnknownMessages() {
        final byte[] whole = PeerMessageCodec.encode(new PeerValues(GROUP, 1L,
                List.of(new PeerValues.Member(NODE.key(), 2.0))));

        for (int length : new int[] {1, 3, 9, 40, whole.length - 1}) {
            assertThatThrownBy(() -> PeerMessageCodec.decode(Arrays.copyOf(whole, length)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> PeerMessageCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerMessageCodec.decode(new byte[] {9})).hasMessageContaining("kind 9");
    }
}
