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
                    final double v = random.nextInt(1000) / 10.0;
                    state.add(t, v);
                    expected.put(t, v);
                } else {
                    final List<Long> times = new ArrayList<>(expected.keySet());
                    final long through = times.get(random.nextInt(times.size()));
                    assertThat(state.pruneThrough(through)).isTrue();
                    lastPruned = Math.max(lastPruned, expected.headMap(through, true).lastKey());
                    expected.headMap(through, true).clear();
                }
                assertHolds(state, expected, lastPruned);
            }
        }
    }

    private static void assertHolds(final SeriesState state, final TreeMap<Long, Double> expected,
                                    final long lastPruned) {
        assertThat(state.size()).isEqualTo(expected.size());
        int i = 0;
        for (Map.Entry<Long, Double> e : expected.entrySet()) {
            assertThat(state.timestamp(i)).isEqualTo(e.getKey());
            assertThat(state.value(i)).isEqualTo(e.getValue());
            i++;
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
        }
        assertThat(state.firstIndexAfter(Long.MAX_VALUE)).isEqualTo(expected.size());
        assertThat(state.lastSeenAt(Long.MIN_VALUE + 1)).isEqualTo(lastPruned);
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
