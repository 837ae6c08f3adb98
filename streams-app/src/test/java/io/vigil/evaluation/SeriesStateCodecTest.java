package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
        assertThat(bytes[0]).isEqualTo((byte) 4);
        assertThat(bytes.length).isLessThan(SeriesStateCodec.encode("another key", s).length - 30);
        assertSame(SeriesStateCodec.decode(SERIES.key(), bytes), s);
    }

    @Test
    void aStateStoredUnderAnotherKeyCarriesItsSeries() {
        final SeriesState s = sample();
        final byte[] bytes = SeriesStateCodec.encode("\u0001self/alert", s);
        assertThat(bytes[0]).isEqualTo((byte) 3);
        assertSame(SeriesStateCodec.decode("\u0001self/alert", bytes), s);
    }

    @Test
    void statesOfTheFirstTwoVersionsAreStillRead() {
        // As the releases before wrote them: each point as a whole timestamp and a double.
        final SeriesState s = sample();
        s.add(2_000 + 40 * 86_400_000L, -0.0);
        assertSame(SeriesStateCodec.decode(SERIES.key(), HexFormat.of().parseHex(GOLDEN_V2)), s);
        assertSame(SeriesStateCodec.decode("\u0001self/alert", HexFormat.of().parseHex(GOLDEN_V1)), s);
        final SeriesState narrow = sample();
        narrow.add(1_700_000_000_000L, Double.NaN);
        assertSame(SeriesStateCodec.decode(SERIES.key(), HexFormat.of().parseHex(GOLDEN_NARROW)), narrow);
    }

    @Test
    void theBytesOfAStateArePinned() {
        // A changelog written by one version is restored by the next: these bytes stay readable as they are.
        final SeriesState regular = sample();
        regular.add(3_000, 11.25);
        assertThat(HexFormat.of().formatHex(SeriesStateCodec.encode(SERIES.key(), regular))).isEqualTo(GOLDEN_V4);
        assertThat(HexFormat.of().formatHex(SeriesStateCodec.encode("\u0001self/alert", regular)))
                .isEqualTo(GOLDEN_V3);
        assertSame(SeriesStateCodec.decode(SERIES.key(), HexFormat.of().parseHex(GOLDEN_V4)), regular);
        assertSame(SeriesStateCodec.decode("\u0001self/alert", HexFormat.of().parseHex(GOLDEN_V3)), regular);
        final SeriesState whole = sample();
        whole.add(2_000 + 40 * 86_400_000L, -0.0);
        assertThat(HexFormat.of().formatHex(SeriesStateCodec.encode(SERIES.key(), whole))).isEqualTo(GOLDEN_V4_WHOLE);
        assertSame(SeriesStateCodec.decode(SERIES.key(), HexFormat.of().parseHex(GOLDEN_V4_WHOLE)), whole);
    }

    @Test
    void aFleetSeriesTakesTwoBytesAPoint() {
        final SeriesState s = new SeriesState(SERIES);
        for (int i = 0; i < 13; i++) {
            s.add(1_700_000_000_000L + i * 10_000L, 40 + i * 0.25);
        }
        // version, last pruned, count, form and base and step of the times, form and base and scale of the digits
        assertThat(SeriesStateCodec.encode(SERIES.key(), s)).hasSize(1 + 8 + 4 + 13 + 10 + 2 * 13 + 2 + 2);
    }

    @Test
    void everyFormOfThePointsComesBackAsItWas() {
        final Random random = new Random(7);
        final Set<String> forms = new HashSet<>();
        for (int run = 0; run < 2_000; run++) {
            final SeriesState s = new SeriesState(SERIES);
            final long start = 1_700_000_000_000L + random.nextInt(1_000_000);
            final int points = random.nextInt(16);
            final int step = 1 + random.nextInt(20_000);
            for (int i = 0; i < points; i++) {
                s.add(timestamp(random, start, i, step), value(random));
            }
            if (random.nextInt(4) == 0) {
                s.pruneThrough(start + random.nextInt(Math.max(1, points)) * (long) step);
            }
            s.setLastPruned(random.nextBoolean() ? Long.MIN_VALUE : start - 1);
            for (String key : new String[] {SERIES.key(), "\u0001self/alert"}) {
                final SeriesState back = SeriesStateCodec.decode(key, SeriesStateCodec.encode(key, s));
                assertThat(back.size()).as("run %d", run).isEqualTo(s.size());
                for (int i = 0; i < s.size(); i++) {
                    assertThat(back.timestamp(i)).as("run %d point %d", run, i).isEqualTo(s.timestamp(i));
                    assertThat(Double.doubleToRawLongBits(back.value(i))).as("run %d point %d", run, i)
                            .isEqualTo(Double.doubleToRawLongBits(s.value(i)));
                }
                assertThat(back.lastPruned()).isEqualTo(s.lastPruned());
            }
            forms.add(s.regular() + "/" + s.valueBytes());
        }
        assertThat(forms).containsExactlyInAnyOrder("true/2", "true/4", "true/8", "false/2", "false/4", "false/8");
    }

    @Test
    void theAlertsAloneAreReadPastPointsAndBaselinesOfEveryForm() {
        final Random random = new Random(11);
        final Set<String> forms = new HashSet<>();
        for (int run = 0; run < 500; run++) {
            final SeriesState s = new SeriesState(SERIES);
            final long start = 1_700_000_000_000L + random.nextInt(1_000_000);
            final int step = 1 + random.nextInt(20_000);
            final int points = random.nextInt(16);
            for (int i = 0; i < points; i++) {
                s.add(timestamp(random, start, i, step), value(random));
            }
            final int samples = random.nextInt(12);
            for (int i = 0; i < samples; i++) {
                s.baseline("g/Surge", 8).offer(value(random));
            }
            s.setLastPruned(start - 1);
            s.setAlert("g/Surge", new AlertStatus(AlertState.PENDING, start, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE));
            s.setNumbers("g/Surge", new AlertNumbers(value(random), 11, 4.2));
            if (random.nextBoolean()) {
                // A rule whose labels render $value keeps the numbers it became active with.
                s.setLabelNumbers("g/Surge", new AlertNumbers(value(random), 10, 3.5));
            }
            for (String key : new String[] {SERIES.key(), "\u0001self/alert"}) {
                final SeriesStateCodec.StoredAlerts alerts = SeriesStateCodec.decodeAlerts(key,
                        SeriesStateCodec.encode(key, s), Series::fromKey);
                assertThat(alerts.series()).isEqualTo(SERIES);
                assertThat(alerts.alerts()).as("run %d", run).isEqualTo(Map.of("g/Surge",
                        new AlertStatusCodec.Stored(s.alert("g/Surge"), s.numbers("g/Surge"), s.labelNumbers("g/Surge"))));
            }
            forms.add(s.regular() + "/" + s.valueBytes());
        }
        assertThat(forms).containsExactlyInAnyOrder("true/2", "true/4", "true/8", "false/2", "false/4", "false/8");
        // And in the layouts of the first two versions (whole timestamps and doubles).
        final SeriesStateCodec.StoredAlerts v1 = SeriesStateCodec.decodeAlerts("\u0001self/alert",
                HexFormat.of().parseHex(GOLDEN_V1), Series::fromKey);
        final SeriesStateCodec.StoredAlerts v2 = SeriesStateCodec.decodeAlerts(SERIES.key(),
                HexFormat.of().parseHex(GOLDEN_V2), key -> SERIES);
        final SeriesState sample = sample();
        for (SeriesStateCodec.StoredAlerts old : List.of(v1, v2)) {
            assertThat(old.series()).isEqualTo(SERIES);
            assertThat(old.alerts()).isEqualTo(Map.of("g/Surge",
                    new AlertStatusCodec.Stored(sample.alert("g/Surge"), sample.numbers("g/Surge"), AlertNumbers.NONE)));
        }
    }

    /** Mostly on the scrape line; sometimes off it, before it, or weeks away (whole timestamps). */
    private static long timestamp(final Random random, final long start, final int i, final int step) {
        return switch (random.nextInt(12)) {
            case 0 -> start + (long) i * step + 1 + random.nextInt(step);
            case 1 -> start - random.nextInt(100_000);
            case 2 -> start + 40L * 86_400_000 + random.nextInt(1_000);
            default -> start + (long) i * step;
        };
    }

    /** Gauges with a few decimals, large counters, and what only doubles hold. */
    private static double value(final Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> Double.NaN;
            case 1 -> -0.0;
            case 2 -> random.nextDouble();
            case 3 -> random.nextLong() >>> 20;
            case 4 -> random.nextInt(2_000_000_000) / 1000.0;
            default -> random.nextInt(10_000) / 100.0;
        };
    }

    private static final String GOLDEN_V4 = "0400000000000001f4000000030000000000000003e8000003e80000000000000003e802000000fa007d0001"
            + "0007672f53757267650008000100010000000100000001402600000000000000010007672f5375726765020000000000"
            + "0003e800000000000007d0800000000000000080000000000000004029000000000000402600000000000040"
            + "10cccccccccccd";
    private static final String GOLDEN_V3 = "03000e64625f636f6e6e656374696f6e7300020008696e7374616e6365000464622d310004726f6c6500077072"
            + "696d61727900000000000001f4000000030000000000000003e8000003e80000000000000003e802000000fa007d0001"
            + "0007672f53757267650008000100010000000100000001402600000000000000010007672f5375726765020000000000"
            + "0003e800000000000007d0800000000000000080000000000000004029000000000000402600000000000040"
            + "10cccccccccccd";
    private static final String GOLDEN_V4_WHOLE = "0400000000000001f4000000030200000000000003e800000000000007d000000000cdfe67d002402400000000000040"
            + "29000000000000800000000000000000010007672f537572676500080001000100000001000000014026000000000000"
            + "00010007672f53757267650200000000000003e800000000000007d08000000000000000800000000000000040290000"
            + "0000000040260000000000004010cccccccccccd";
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
            assertThat(Double.doubleToRawLongBits(actual.value(i))).isEqualTo(Double.doubleToRawLongBits(expected.value(i)));
        }
        assertThat(actual.lastPruned()).isEqualTo(expected.lastPruned());
        assertThat(actual.alerts()).isEqualTo(expected.alerts());
        assertThat(actual.numbers("g/Surge")).isEqualTo(expected.numbers("g/Surge"));
        assertThat(actual.baselines().keySet()).isEqualTo(expected.baselines().keySet());
        assertThat(actual.baselines().get("g/Surge").samples())
                .isEqualTo(expected.baselines().get("g/Surge").samples());
    }
}
