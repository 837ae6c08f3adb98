package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesBundlerTest {

    private static final int PARTITIONS = 3;
    private static final long T0 = 1_796_045_240_000L;

    /** What the bundler sent, in order. */
    private record Sent(byte[] key, byte[] value, long timestamp) {
    }

    private final List<Sent> sent = new ArrayList<>();

    private SeriesBundler bundler(final int maxPoints) {
        return new SeriesBundler(PARTITIONS, maxPoints, (key, value, timestamp) -> sent.add(new Sent(key, value, timestamp)));
    }

    private static Datapoint point(final int node, final long timestampMs) {
        return new Datapoint(new Series("cpu", Labels.of("instance", "node-" + node)), node + 0.5, timestampMs);
    }

    @Test
    void pointsWaitUntilAFlushAndGoToTheirSeriesPartitionInOrder() {
        final SeriesBundler bundler = bundler(SeriesBundler.DEFAULT_MAX_POINTS);
        for (int i = 0; i < 30; i++) {
            bundler.point(point(i % 10, T0 + i), T0 + 100 + i);
        }
        assertThat(sent).isEmpty();
        assertThat(bundler.holdsPoints()).isTrue();

        bundler.flush();
        assertThat(bundler.holdsPoints()).isFalse();
        final List<String> read = new ArrayList<>();
        for (Sent s : sent) {
            final int partition = ByteBuffer.wrap(s.key()).getInt();
            assertThat(SeriesBundle.partitionOf(s.value())).isEqualTo(partition);
            SeriesBundle.read(s.value(), (SeriesBundle.PointReader) (key, value, at, recordTime) -> {
                assertThat(SeriesBundler.partitionOf(key.getBytes(StandardCharsets.UTF_8), PARTITIONS))
                        .isEqualTo(partition);
                read.add(key + "@" + (at - T0));
            });
            // A bundle is stamped with the newest record of its points.
            assertThat(s.timestamp()).isBetween(T0 + 100, T0 + 129);
        }
        assertThat(read).hasSize(30);
        // Within a partition, the points keep the order they were read in.
        for (Sent s : sent) {
            final List<Long> times = new ArrayList<>();
            SeriesBundle.read(s.value(), (SeriesBundle.PointReader) (key, value, at, recordTime) -> times.add(at));
            assertThat(times).isSorted();
        }

        sent.clear();
        bundler.flush();
        assertThat(sent).as("nothing left to send").isEmpty();
    }

    @Test
    void aSeriesPartitionFromItsKeptHashIsTheOneFromItsKeyBytes() {
        for (int i = 0; i < 1_000; i++) {
            final Labels labels = Labels.of("instance", "node-" + i, "cluster", "c" + i % 7);
            final Series made = Series.withLabelsKey("cpu", labels, Series.labelsKey(labels));
            final Series plain = new Series("cpu", labels);
            for (int partitions : new int[] {1, 3, 4, 12}) {
                assertThat(SeriesBundler.partitionOf(made, partitions))
                        .isEqualTo(SeriesBundler.partitionOf(plain, partitions))
                        .isEqualTo(SeriesBundler.partitionOf(plain.keyBytes(), partitions));
            }
        }
    }

    @Test
    void aFullBundleGoesAtOnce() {
        final SeriesBundler bundler = bundler(4);
        for (int i = 0; i < 9; i++) {
            bundler.point(point(1, T0 + i), T0);
        }
        assertThat(sent).hasSize(2);
        assertThat(bundler.holdsPoints()).isTrue();
        bundler.flush();
        assertThat(sent).hasSize(3);
    }

    @Test
    void aWatermarkGoesAfterEveryPointBeforeIt() {
        final SeriesBundler bundler = bundler(SeriesBundler.DEFAULT_MAX_POINTS);
        bundler.point(point(1, T0), T0);
        bundler.point(point(2, T0), T0);
        bundler.message("metrics/0".getBytes(StandardCharsets.UTF_8), new SeriesMessage.Watermark("metrics/0", T0), T0);

        assertThat(bundler.holdsPoints()).isFalse();
        final Sent last = sent.get(sent.size() - 1);
        assertThat(SeriesMessageCodec.decode(last.key(), last.value()))
                .isEqualTo(new SeriesMessage.Watermark("metrics/0", T0));
        assertThat(sent.subList(0, sent.size() - 1)).allSatisfy(s -> assertThat(SeriesBundle.isBundle(s.value())).isTrue());
        assertThat(sent.size() - 1).isBetween(1, 2);
    }

    @Test
    void withoutBundlesEachPointIsARecordKeyedByItsSeries() {
        final SeriesBundler bundler = bundler(0);
        final Datapoint p = point(3, T0);
        bundler.point(p, T0 + 5);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).key()).isEqualTo(p.series().keyBytes());
        assertThat(SeriesMessageCodec.decode(sent.get(0).key(), sent.get(0).value()))
                .isEqualTo(new SeriesMessage.Point(p));
        assertThat(sent.get(0).timestamp()).isEqualTo(T0 + 5);
        assertThat(bundler.holdsPoints()).isFalse();
    }
}
