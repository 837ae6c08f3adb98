package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The window points of a series, held as offsets from a base timestamp, against a plain sorted map. */
class SeriesStateTest {

    private static final Series SERIES = new Series("m", Labels.of("a", "1"));
    private static final long DAY = 86_400_000L;
    private static final int KINDS = 14;

    @Test
    void keepsPointsInTimeOrderWithAnyGapBetweenThem() {
        // Gaps from a second to years: within an int of milliseconds from the base, beyond it (rebased), and beyond
        // any base (whole timestamps until those points are pruned).
        final long[] gaps = {1_000, 10_000, 20 * DAY, 30 * DAY, 400 * DAY, 20_000 * DAY};
        for (long seed = 0; seed < 200; seed++) {
            final Random random = new Random(seed);
            final SeriesState state = new SeriesState(SERIES);
            final TreeMap<Long, Double> expected = new TreeMap<>();
            long lastPruned = Long.MIN_VALUE;
            final long start = 1_700_000_000_000L;
            for (int step = 0; step < 60; step++) {
                final int action = random.nextInt(10);
                if (action < 7 || expected.isEmpty()) {
                    final long gap = gaps[random.nextInt(gaps.length)];
                    final long t = start + (random.nextBoolean() ? 1 : -1) * random.nextLong(gap);
                    final double v = value(random, random.nextInt(KINDS), step);
                    state.add(t, v);
                    expected.put(t, v);
                } else {
                    lastPruned = Math.max(lastPruned, pruneAtRandom(state, expected, random));
                }
                assertHolds(state, expected, lastPruned);
            }
        }
    }

    @Test
    void keepsRegularScrapesWithoutATimestampArrayAndAnyOtherPointExactly() {
        // Mostly points one step after the last (a scrape), sometimes a late, early, repeated or jittered one, and
        // steps from a second to beyond an int of milliseconds.
        final long[] steps = {1_000, 10_000, 30 * DAY, 400 * DAY};
        for (long seed = 0; seed < 200; seed++) {
            final Random random = new Random(seed);
            final long stepMs = steps[random.nextInt(steps.length)];
            final SeriesState state = new SeriesState(SERIES);
            final TreeMap<Long, Double> expected = new TreeMap<>();
            long lastPruned = Long.MIN_VALUE;
            long next = 1_700_000_000_000L;
            for (int step = 0; step < 80; step++) {
                final int action = random.nextInt(20);
                final boolean wasRegular = state.regular();
                if (action < 14 || expected.isEmpty()) {
                    state.add(next, step);
                    expected.put(next, (double) step);
                    next += stepMs;
                } else if (action < 17) {
                    final long t = next - stepMs + (random.nextInt(5) - 2) * (random.nextBoolean() ? 1 : stepMs);
                    state.add(t, -step);
                    expected.put(t, (double) -step);
                } else {
                    lastPruned = Math.max(lastPruned, pruneAtRandom(state, expected, random));
                }
                assertHolds(state, expected, lastPruned);
                final List<Long> times = new ArrayList<>(expected.keySet());
                boolean evenlySpaced = stepMs <= Integer.MAX_VALUE || times.size() <= 1;
                for (int i = 2; i < times.size(); i++) {
                    evenlySpaced &= times.get(i) - times.get(i - 1) == times.get(1) - times.get(0);
                }
                if ((action >= 17 || action < 14 && wasRegular) && evenlySpaced
                        && (times.size() <= 1 || times.get(1) - times.get(0) <= Integer.MAX_VALUE)) {
                    // An evenly spaced window, pruned to that or grown by scrapes from that, needs no timestamp array.
                    assertThat(state.regular()).as("seed %d step %d", seed, step).isTrue();
                }
            }
        }
    }

    /**
     * Values of every kind the window keeps apart: decimals of a few places (kept as digits, rescaled when a value has
     * more), growing counters (rebased), and what only doubles hold: NaN, infinities, -0.0, full-precision ratios.
     */
    private static double value(final Random random, final int kind, final int step) {
        return switch (kind) {
            case 0 -> Double.NaN;
            case 1 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 2 -> -0.0;
            case 3 -> random.nextDouble();
            case 4 -> 0.1 + 0.2;
            case 5 -> 1_000_000_000L * step + random.nextInt(1_000_000);
            case 6 -> (random.nextBoolean() ? 1 : -1) * random.nextLong(1L << 53);
            case 7 -> random.nextInt(100_000) / 1000.0;
            case 8 -> 1e-12 * random.nextInt(100);
            case 9 -> 1e300;
            // A counter by a few thousand a scrape (chars, rebased as it grows) and integers either side of zero
            // further apart than a char reaches (ints).
            case 10 -> 700_000_000_000L + 3_740L * step + random.nextInt(5);
            case 11 -> random.nextInt(80_001) - 40_000;
            default -> random.nextInt(10_000) / 100.0;
        };
    }

    @Test
    void keepsDigitsInCharsWhileTheyFitOne() {
        final SeriesState gauge = new SeriesState(SERIES);
        final SeriesState requests = new SeriesState(SERIES);
        final SeriesState bytes = new SeriesState(SERIES);
        for (int i = 0; i < 13; i++) {
            gauge.add(i * 10_000L, (i * 37 % 100) + 0.25);
            requests.add(i * 10_000L, 718_418_155_101L + 3_741L * i);
            bytes.add(i * 10_000L, 3_592_094_985_220_332L + 21_070_000L * i);
        }
        assertThat(gauge.valueBytes()).isEqualTo(2);
        assertThat(requests.valueBytes()).isEqualTo(2);
        assertThat(bytes.valueBytes()).isEqualTo(4);
        // A window's worth later the counter has moved past what the first digits' base reaches: rebased, still chars.
        for (int i = 13; i < 60; i++) {
            requests.add(i * 10_000L, 718_418_155_101L + 3_741L * i);
            requests.pruneThrough((i - 13) * 10_000L);
            assertThat(requests.valueBytes()).isEqualTo(2);
            assertThat(requests.value(requests.size() - 1)).isEqualTo(718_418_155_101L + 3_741L * i);
        }
        gauge.add(130_000, 1e6);
        assertThat(gauge.valueBytes()).isEqualTo(4);
        gauge.add(140_000, Double.NaN);
        assertThat(gauge.valueBytes()).isEqualTo(8);
        gauge.pruneThrough(140_000);
        gauge.add(150_000, 1.5);
        assertThat(gauge.valueBytes()).isEqualTo(2);
    }

    @Test
    void keepsEveryValueBitForBit() {
        // Long runs of one kind, then another: the digits are rescaled, rebased, given up for doubles, and taken
        // up again once the window empties.
        for (long seed = 0; seed < 300; seed++) {
            final Random random = new Random(seed);
            final SeriesState state = new SeriesState(SERIES);
            final TreeMap<Long, Double> expected = new TreeMap<>();
            long t = 1_700_000_000_000L;
            long lastPruned = Long.MIN_VALUE;
            int kind = random.nextInt(KINDS);
            for (int step = 0; step < 80; step++) {
                if (random.nextInt(10) == 0) {
                    kind = random.nextInt(KINDS);
                }
                final double v = value(random, kind, step);
                t += 10_000;
                final long at = random.nextInt(8) == 0 && !expected.isEmpty() ? expected.lastKey() : t;
                state.add(at, v);
                expected.put(at, v);
                if (random.nextInt(15) == 0) {
                    final long through = random.nextBoolean() ? expected.lastKey() : at - 60_000;
                    state.pruneThrough(through);
                    if (!expected.headMap(through, true).isEmpty()) {
                        lastPruned = Math.max(lastPruned, expected.headMap(through, true).lastKey());
                    }
                    expected.headMap(through, true).clear();
                }
                assertHolds(state, expected, lastPruned);
            }
        }
    }

    private static long bits(final double value) {
        return Double.doubleToRawLongBits(value);
    }

    /** Prunes the state and the expectation through one of the points; returns the newest point pruned. */
    private static long pruneAtRandom(final SeriesState state, final TreeMap<Long, Double> expected,
                                      final Random random) {
        final List<Long> times = new ArrayList<>(expected.keySet());
        final long through = times.get(random.nextInt(times.size()));
        assertThat(state.pruneThrough(through)).isTrue();
        final long newest = expected.headMap(through, true).lastKey();
        expected.headMap(through, true).clear();
        return newest;
    }

    private static void assertHolds(final SeriesState state, final TreeMap<Long, Double> expected,
                                    final long lastPruned) {
        assertThat(state.size()).isEqualTo(expected.size());
        int i = 0;
        for (Map.Entry<Long, Double> e : expected.entrySet()) {
            assertThat(state.timestamp(i)).isEqualTo(e.getKey());
            assertThat(bits(state.value(i))).isEqualTo(bits(e.getValue()));
            i++;
        }
        final double[] values = state.values(state.size(), new double[0]);
        for (int j = 0; j < state.size(); j++) {
            assertThat(bits(values[j])).isEqualTo(bits(state.value(j)));
        }
        final long[] times = state.timestamps(state.size(), new long[0]);
        for (int j = 0; j < state.size(); j++) {
            assertThat(times[j]).isEqualTo(state.timestamp(j));
        }
        assertThat(state.earliestTimestamp()).isEqualTo(expected.isEmpty() ? Long.MAX_VALUE : expected.firstKey());
        assertThat(state.lastPruned()).isEqualTo(lastPruned);
        for (long t : expected.keySet()) {
            assertThat(state.firstIndexAfter(t)).isEqualTo(expected.headMap(t, true).size());
            assertThat(state.firstIndexAfter(t - 1)).isEqualTo(expected.headMap(t, false).size());
            assertThat(state.lastSeenAt(t)).isEqualTo(t);
            // Between points too (evenly spaced points find them by arithmetic), and past either end.
            for (long probe : new long[] {t + 1, t + 4_999, t + 5_000, t + 9_999, t - 60_001, t + 60_001}) {
                assertThat(state.firstIndexAfter(probe)).isEqualTo(expected.headMap(probe, true).size());
                final Map.Entry<Long, Double> seen = expected.floorEntry(probe);
                assertThat(state.lastSeenAt(probe)).isEqualTo(seen != null ? seen.getKey() : lastPruned);
            }
        }
        // A window decoded alone lands at its own indexes, and leaves the rest of the scratch arrays as they were.
        for (int from = 0; from <= state.size(); from++) {
            final int to = from + (state.size() - from) / 2;
            final double[] someValues = state.values(from, to, new double[] {-1, -1});
            final long[] someTimes = state.timestamps(from, to, new long[] {-1, -1});
            // Arrays too short are replaced by new ones, zeroed.
            final long untouched = to <= 2 ? -1 : 0;
            for (int j = 0; j < Math.max(2, to); j++) {
                final boolean inside = j >= from && j < to;
                assertThat(bits(someValues[j])).isEqualTo(inside ? bits(state.value(j)) : bits(untouched));
                assertThat(someTimes[j]).isEqualTo(inside ? state.timestamp(j) : untouched);
            }
        }
        assertThat(state.firstIndexAfter(Long.MAX_VALUE)).isEqualTo(expected.size());
        assertThat(state.lastSeenAt(Long.MIN_VALUE + 1)).isEqualTo(lastPruned);
    }

    @Test
    void holdsAlertsAndBaselinesAsMapsWould() {
        // A single baseline is held without a map, two or more in one: both ways, and back, against sorted maps.
        final String[] rules = {"g/b", "g/a", "g/c"};
        for (long seed = 0; seed < 200; seed++) {
            final Random random = new Random(seed);
            final SeriesState state = new SeriesState(SERIES);
            final TreeMap<String, Baseline> baselines = new TreeMap<>();
            final TreeMap<String, AlertStatus> alerts = new TreeMap<>();
            for (int step = 0; step < 60; step++) {
                final String rule = rules[random.nextInt(rules.length)];
                switch (random.nextInt(5)) {
                    case 0 -> {
                        final Baseline b = state.baseline(rule, 10);
                        assertThat(b).isSameAs(baselines.computeIfAbsent(rule, k -> b));
                    }
                    case 1 -> {
                        final Baseline b = new Baseline(rule, 10);
                        state.putBaseline(b);
                        baselines.put(rule, b);
                    }
                    case 2 -> {
                        state.removeBaseline(rule);
                        baselines.remove(rule);
                    }
                    case 3 -> {
                        final AlertStatus firing = new AlertStatus(AlertState.FIRING, step, step, AlertStatus.NONE,
                                AlertStatus.NONE);
                        state.setAlert(rule, firing);
                        alerts.put(rule, firing);
                        assertThat(state.setNumbers(rule, new AlertNumbers(step, 0, 0))).isTrue();
                    }
                    default -> {
                        state.setAlert(rule, AlertStatus.INACTIVE);
                        alerts.remove(rule);
                    }
                }
                assertThat(new ArrayList<>(state.baselines().entrySet()))
                        .containsExactlyElementsOf(baselines.entrySet());
                assertThat(state.hasBaselines()).isEqualTo(!baselines.isEmpty());
                assertThat(new ArrayList<>(state.alerts().entrySet())).containsExactlyElementsOf(alerts.entrySet());
                assertThat(state.hasActiveAlerts()).isEqualTo(!alerts.isEmpty());
                assertThat(state.isEmpty()).isEqualTo(alerts.isEmpty());
                for (String r : rules) {
                    assertThat(state.alert(r)).isEqualTo(alerts.getOrDefault(r, AlertStatus.INACTIVE));
                    assertThat(state.numbers(r).equals(AlertNumbers.NONE)).isEqualTo(!alerts.containsKey(r));
                }
            }
        }
    }

    @Test
    void aSecondPointAtTheSameTimeReplacesTheFirst() {
        final SeriesState state = new SeriesState(SERIES);
        state.add(5_000, 1);
        state.add(15_000, 2);
        state.add(5_000, 3);
        assertThat(state.size()).isEqualTo(2);
        assertThat(state.value(0)).isEqualTo(3);
        assertThat(state.value(1)).isEqualTo(2);
    }
}
