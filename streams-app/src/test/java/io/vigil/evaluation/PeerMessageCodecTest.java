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
import org.junit.jupiter.api.Test;

class PeerMessageCodecTest {

    private static final Series NODE = new Series("cpu_usage_percent",
            Labels.of("cluster", "b\u00e4ckend", "instance", "node-7"));
    private static final String GROUP = "fleet/NodeCpuFarBelowPeers\u0000cluster=b\u00e4ckend";

    @Test
    void aValueKeepsItsGroupMemberTimeAndValue() {
        final PeerValue value = new PeerValue(GROUP, NODE.key(), 1_796_045_240_000L, -0.0625);

        final byte[] bytes = PeerMessageCodec.encode(value);

        assertThat(PeerMessageCodec.decode(bytes)).isEqualTo(value);
        assertThat(PeerMessageCodec.isBroadcast(bytes)).isFalse();
        assertThat(Series.fromKey(((PeerValue) PeerMessageCodec.decode(bytes)).seriesKey())).isEqualTo(NODE);
    }

    @Test
    void progressIsBroadcast() {
        final byte[] bytes = PeerMessageCodec.encode(new PeerProgress(3, 1_796_045_240_000L));

        assertThat(PeerMessageCodec.decode(bytes)).isEqualTo(new PeerProgress(3, 1_796_045_240_000L));
        assertThat(PeerMessageCodec.isBroadcast(bytes)).isTrue();
    }

    @Test
    void readsValuesWrittenWithLabelsBeforeTheUpgrade() throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(0);
            out.writeUTF("fleet/NodeCpuFarBelowPeers");
            out.writeUTF(GROUP);
            SeriesCodec.write(out, NODE);
            out.writeLong(1_796_045_240_000L);
            out.writeDouble(12.5);
        }

        assertThat(PeerMessageCodec.decode(bytes.toByteArray()))
                .isEqualTo(new PeerValue(GROUP, NODE.key(), 1_796_045_240_000L, 12.5));
    }

    @Test
    void refusesTruncatedAndUnknownMessages() {
        final byte[] whole = PeerMessageCodec.encode(new PeerValue(GROUP, NODE.key(), 1L, 2.0));

        for (int length : new int[] {1, 3, 9, whole.length - 1}) {
            assertThatThrownBy(() -> PeerMessageCodec.decode(Arrays.copyOf(whole, length)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> PeerMessageCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerMessageCodec.decode(new byte[] {9})).hasMessageContaining("kind 9");
    }
}
