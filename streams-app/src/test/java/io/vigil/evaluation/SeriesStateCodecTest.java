package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.model.SeriesCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SeriesStateCodecTest {

    private static final Series SERIES = new Series("db_connections", Labels.of("instance", "db-1", "role", "primary"));

    private static SeriesState sample() {
        final SeriesState s = new SeriesState(SERIES);
        s.add(1_000, 10);
        s.add(2_000, 12.5);
        s.setLastPruned(500);
        s.baseline("g/Surge", 8).offer(11);
        s.setAlert("g/Surge", new AlertStatus(AlertState.FIRING, 1_000, 2_000, Long.MIN_VALUE, Long.MIN_VALUE));
        s.setNumbers("g/Surge", new AlertNumbers(12.5, 11, 4.2));
        return s;
    }

    @Test
    void aStateStoredUnderItsSeriesKeyLeavesTheLabelsToTheKey() {
        final SeriesState s = sample();
        final byte[] bytes = SeriesStateCodec.encode(SERIES.key(), s);
        assertThat(bytes[0]).isEqualTo((byte) 2);
        assertThat(bytes.length).isLessThan(SeriesStateCodec.encode("another key", s).length - 30);
        assertSame(SeriesStateCodec.decode(SERIES.key(), bytes), s);
    }

    @Test
    void aStateStoredUnderAnotherKeyCarriesItsSeries() {
        final SeriesState s = sample();
        final byte[] bytes = SeriesStateCodec.encode("\u0001self/alert", s);
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertSame(SeriesStateCodec.decode("\u0001self/alert", bytes), s);
    }

    @Test
    void statesOfTheFirstVersionAreStillRead() throws IOException {
        // Version 1 as the previous release wrote it: the series, then the same layout as version 2.
        final byte[] v2 = SeriesStateCodec.encode(SERIES.key(), sample());
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            SeriesCodec.write(out, SERIES);
            out.write(Arrays.copyOfRange(v2, 1, v2.length));
        }
        assertSame(SeriesStateCodec.decode(SERIES.key(), bytes.toByteArray()), sample());
    }

    @Test
    void theBytesOfAStateAreTheSameAsTheReleaseBeforeWrote() {
        // Pinned: a changelog written by one version is restored by the next, and the in-memory layout of the points
        // (offsets from a base timestamp) is not the stored one (whole timestamps).
        final SeriesState s = sample();
        s.add(2_000 + 40 * 86_400_000L, -0.0);
        assertThat(HexFormat.of().formatHex(SeriesStateCodec.encode(SERIES.key(), s))).isEqualTo(GOLDEN_V2);
        assertThat(HexFormat.of().formatHex(SeriesStateCodec.encode("\u0001self/alert", s))).isEqualTo(GOLDEN_V1);
        final SeriesState narrow = sample();
        narrow.add(1_700_000_000_000L, Double.NaN);
        assertThat(HexFormat.of().formatHex(SeriesStateCodec.encode(SERIES.key(), narrow))).isEqualTo(GOLDEN_NARROW);
        assertSame(SeriesStateCodec.decode(SERIES.key(), HexFormat.of().parseHex(GOLDEN_V2)), s);
        assertSame(SeriesStateCodec.decode("\u0001self/alert", HexFormat.of().parseHex(GOLDEN_V1)), s);
    }

    private static final String GOLDEN_V2 = "0200000000000001f40000000300000000000003e8402400000000000000000000000007d04029000000000000000000"
            + "00cdfe67d0800000000000000000010007672f5375726765000800010001000000010000000140260000000000000001"
            + "0007672f53757267650200000000000003e800000000000007d080000000000000008000000000000000402900000000"
            + "000040260000000000004010cccccccccccd";
    private static final String GOLDEN_V1 = "01000e64625f636f6e6e656374696f6e7300020008696e7374616e6365000464622d310004726f6c6500077072696d61"
            + "727900000000000001f40000000300000000000003e8402400000000000000000000000007d040290000000000000000"
            + "0000cdfe67d0800000000000000000010007672f53757267650008000100010000000100000001402600000000000000"
            + "010007672f53757267650200000000000003e800000000000007d0800000000000000080000000000000004029000000"
            + "00000040260000000000004010cccccccccccd";
    private static final String GOLDEN_NARROW = "0200000000000001f40000000300000000000003e8402400000000000000000000000007d04029000000000000000001"
            + "8bcfe568007ff800000000000000010007672f5375726765000800010001000000010000000140260000000000000001"
            + "0007672f53757267650200000000000003e800000000000007d080000000000000008000000000000000402900000000"
            + "000040260000000000004010cccccccccccd";

    private static void assertSame(final SeriesState actual, final SeriesState expected) {
        assertThat(actual.series()).isEqualTo(expected.series());
        assertThat(actual.series().key()).isEqualTo(expected.series().key());
        assertThat(actual.size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.timestamp(i)).isEqualTo(expected.timestamp(i));
            assertThat(actual.value(i)).isEqualTo(expected.value(i));
        }
        assertThat(actual.lastPruned()).isEqualTo(expected.lastPruned());
        assertThat(actual.alerts()).isEqualTo(expected.alerts());
        assertThat(actual.numbers("g/Surge")).isEqualTo(expected.numbers("g/Surge"));
        assertThat(actual.baselines().keySet()).isEqualTo(expected.baselines().keySet());
        assertThat(actual.baselines().get("g/Surge").samples())
                .isEqualTo(expected.baselines().get("g/Surge").samples());
    }
}
