package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.model.SeriesCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
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
