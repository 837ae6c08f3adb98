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

    @Test
    void aBundleCarriesItsPointsInOrderWithTheirSeriesKeysAndItsPartition() {
        final SeriesBundle bundle = new SeriesBundle(3, 4);
        final byte[] other = "mem{instance=\"ñode-1\"}".getBytes(StandardCharsets.UTF_8);
        bundle.add(KEY, SERIES.keyHash(), -0.25, 1_000L, 5_000L);
        bundle.add(other, "mem{instance=\"ñode-1\"}".hashCode(), Double.NaN, 2_000L, 5_001L);
        bundle.add(KEY, SERIES.keyHash(), 7, 3_000L, 4_999L);
        assertThat(bundle.size()).isEqualTo(3);
        final byte[] bytes = bundle.take();
        // A 13-byte header, then per point its key's length and bytes, key hash, value, timestamp and record timestamp.
        assertThat(bytes).hasSize(13 + 3 * 32 + 2 * KEY.length + other.length);
        assertThat(bundle.size()).isZero();
        assertThat(bundle.bytes()).isEqualTo(13);

        assertThat(SeriesBundle.isBundle(bytes)).isTrue();
        assertThat(SeriesMessageCodec.isBroadcast(bytes)).isFalse();
        assertThat(SeriesMessageCodec.isPoint(bytes)).isFalse();
        assertThat(SeriesBundle.partitionOf(bytes)).isEqualTo(3);
        assertThat(SeriesBundle.partitionsOf(bytes)).isEqualTo(4);
        final java.util.List<String> read = new java.util.ArrayList<>();
        SeriesBundle.read(bytes, (key, value, ts, recordTs) -> read.add(key + " " + value + " " + ts + " " + recordTs));
        assertThat(read).containsExactly(SERIES.key() + " -0.25 1000 5000", "mem{instance=\"ñode-1\"} NaN 2000 5001",
                SERIES.key() + " 7.0 3000 4999");
    }

    @Test
    void aBundleBuilderStartsAfreshAfterEachTakeAndGrowsPastItsFirstArray() {
        final SeriesBundle bundle = new SeriesBundle(0, 1);
        for (int i = 0; i < 1_000; i++) {
            bundle.add(KEY, SERIES.keyHash(), i, i, i);
        }
        assertThat(bundle.newestRecordTimestamp()).isEqualTo(999L);
        final byte[] first = bundle.take();
        bundle.add(KEY, SERIES.keyHash(), 1, 2, 3);
        final byte[] second = bundle.take();
        final int[] counts = new int[2];
        SeriesBundle.read(first, (key, value, ts, recordTs) -> {
            assertThat(value).isEqualTo(counts[0]++);
        });
        SeriesBundle.read(second, (key, value, ts, recordTs) -> counts[1]++);
        assertThat(counts).containsExactly(1_000, 1);
    }

    @Test
    void aBundlesPointsReadAsArraysAreThePointsInOrderAndTheArraysAreReused() {
        final SeriesBundle bundle = new SeriesBundle(0, 1);
        for (int i = 0; i < 100; i++) {
            bundle.add(KEY, SERIES.keyHash(), i + 0.5, 1_000L * i, 7L * i);
        }
        final byte[] hundred = bundle.take();
        bundle.add("mem".getBytes(StandardCharsets.UTF_8), "mem".hashCode(), 9, 8, 7);
        final byte[] one = bundle.take();
        final SeriesBundle.Points points = new SeriesBundle.Points();

        points.read(hundred);

        assertThat(points.count()).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            assertThat(new String(hundred, points.keyOffset(i), points.keyLength(i), StandardCharsets.UTF_8))
                    .isEqualTo(SERIES.key());
            assertThat(points.keyHash(i)).isEqualTo(SERIES.key().hashCode() & 0xFFFF_FFFFL);
            assertThat(points.value(i)).isEqualTo(i + 0.5);
            assertThat(points.timestampMs(i)).isEqualTo(1_000L * i);
            assertThat(points.recordTimestamp(i)).isEqualTo(7L * i);
        }
        points.read(one);
        assertThat(points.count()).isEqualTo(1);
        assertThat(new String(one, points.keyOffset(0), points.keyLength(0), StandardCharsets.UTF_8)).isEqualTo("mem");
        assertThat(points.value(0)).isEqualTo(9.0);
        assertThatThrownBy(() -> points.read(java.util.Arrays.copyOf(one, one.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSeriesKeyWrittenFromItsPartsIsTheKeyWrittenWhole() {
        final Labels labels = SERIES.labels();
        final Series parts = Series.withLabelsKey(SERIES.name(), labels, Series.labelsKey(labels));
        final Series accented = new Series("m\u00e9m", Labels.of("instance", "node-1"));
        final SeriesBundle whole = new SeriesBundle(0, 1);
        final SeriesBundle fromSeries = new SeriesBundle(0, 1);
        for (Series s : java.util.List.of(parts, accented, SERIES)) {
            whole.add(s.key().getBytes(StandardCharsets.UTF_8), s.key().hashCode(), 1.5, 1_000L, 2_000L);
            fromSeries.add(s, 1.5, 1_000L, 2_000L);
        }
        assertThat(parts.keyBytesLength()).isPositive();
        assertThat(fromSeries.take()).isEqualTo(whole.take());
    }

    @Test
    void aBundleOfTheFirstKindWithoutHashesIsStillRead() {
        // As ingest wrote them before bundles carried their keys' hashes: an upgrade may find them on the topic.
        final java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(13 + 2 * (28 + KEY.length));
        first.put(SeriesMessageCodec.BUNDLE).putInt(2).putInt(4).putInt(2);
        first.putInt(KEY.length).put(KEY).putDouble(1.5).putLong(1_000L).putLong(1_001L);
        first.putInt(KEY.length).put(KEY).putDouble(2.5).putLong(2_000L).putLong(2_001L);
        final byte[] bytes = first.array();
        assertThat(SeriesBundle.isBundle(bytes)).isTrue();
        assertThat(SeriesBundle.partitionOf(bytes)).isEqualTo(2);

        final SeriesBundle.Points points = new SeriesBundle.Points();
        points.read(bytes);

        assertThat(points.count()).isEqualTo(2);
        assertThat(new String(bytes, points.keyOffset(1), points.keyLength(1), StandardCharsets.UTF_8))
                .isEqualTo(SERIES.key());
        assertThat(points.keyHash(0)).isEqualTo(SeriesBundle.NO_HASH);
        assertThat(points.value(1)).isEqualTo(2.5);
        assertThat(points.timestampMs(1)).isEqualTo(2_000L);
        assertThat(points.recordTimestamp(1)).isEqualTo(2_001L);
    }

    @Test
    void truncatedOrOverlongBundlesAreRefused() {
        final SeriesBundle bundle = new SeriesBundle(0, 1);
        bundle.add(KEY, SERIES.keyHash(), 1, 2, 3);
        final byte[] bytes = bundle.take();
        assertThatThrownBy(() -> SeriesBundle.read(java.util.Arrays.copyOf(bytes, bytes.length - 1), (k, v, t, r) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeriesBundle.read(java.util.Arrays.copyOf(bytes, bytes.length + 1), (k, v, t, r) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeriesBundle.read(new byte[] {SeriesMessageCodec.POINT}, (k, v, t, r) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
