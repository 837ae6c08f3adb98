package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.model.SeriesCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SeriesMessageCodecTest {

    private static final Series SERIES = new Series("cpu_usage_percent", Labels.of("instance", "node-7", "cluster", "b"));
    private static final byte[] KEY = SERIES.key().getBytes(StandardCharsets.UTF_8);

    @Test
    void aPointCarriesOnlyItsValueAndTimeAndTakesItsSeriesFromTheKey() {
        final byte[] bytes = SeriesMessageCodec.encode(new SeriesMessage.Point(new Datapoint(SERIES, -0.25, 1_700_000_000_123L)));
        assertThat(bytes).hasSize(17);
        assertThat(SeriesMessageCodec.isPoint(bytes)).isTrue();
        assertThat(SeriesMessageCodec.isBroadcast(bytes)).isFalse();
        assertThat(SeriesMessageCodec.value(bytes)).isEqualTo(-0.25);
        assertThat(SeriesMessageCodec.timestampMs(bytes)).isEqualTo(1_700_000_000_123L);
        assertThat(SeriesMessageCodec.decode(KEY, bytes))
                .isEqualTo(new SeriesMessage.Point(new Datapoint(SERIES, -0.25, 1_700_000_000_123L)));
    }

    @Test
    void pointsOfTheFirstFormatWithTheirLabelsAreStillRead() throws IOException {
        // As an earlier version wrote them, possibly still unread on the repartition topic after an upgrade.
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(0);
            SeriesCodec.write(out, SERIES);
            out.writeDouble(42.5);
            out.writeLong(1_000L);
        }
        final byte[] old = bytes.toByteArray();
        assertThat(SeriesMessageCodec.isPoint(old)).isFalse();
        assertThat(SeriesMessageCodec.isBroadcast(old)).isFalse();
        assertThat(SeriesMessageCodec.decode(KEY, old)).isEqualTo(new SeriesMessage.Point(new Datapoint(SERIES, 42.5, 1_000L)));
    }

    @Test
    void progressMessagesAreBroadcastAndRoundTrip() {
        final byte[] watermark = SeriesMessageCodec.encode(new SeriesMessage.Watermark("metrics/3", 99L));
        final byte[] idle = SeriesMessageCodec.encode(new SeriesMessage.SourceIdle("metrics/3"));
        assertThat(SeriesMessageCodec.isBroadcast(watermark)).isTrue();
        assertThat(SeriesMessageCodec.isBroadcast(idle)).isTrue();
        assertThat(SeriesMessageCodec.decode(null, watermark)).isEqualTo(new SeriesMessage.Watermark("metrics/3", 99L));
        assertThat(SeriesMessageCodec.decode(null, idle)).isEqualTo(new SeriesMessage.SourceIdle("metrics/3"));
    }

    @Test
    void bytesItDidNotWriteAreRefused() {
        assertThatThrownBy(() -> SeriesMessageCodec.decode(KEY, new byte[] {9, 1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeriesMessageCodec.decode(KEY, new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
