package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The evaluator's table of series states against a HashMap, removals while iterating included. */
class SeriesTableTest {

    private static SeriesState state(final int i) {
        return new SeriesState(new Series("m", Labels.of("i", Integer.toString(i))));
    }

    @Test
    void holdsWhatAMapWouldHold() {
        for (long seed = 0; seed < 50; seed++) {
            final Random random = new Random(seed);
            final SeriesTable table = new SeriesTable();
            final Map<String, SeriesState> expected = new HashMap<>();
            for (int step = 0; step < 2_000; step++) {
                final int action = random.nextInt(10);
                final SeriesState s = state(random.nextInt(300));
                if (action < 6) {
                    table.put(s);
                    expected.put(s.key(), s);
                } else if (action < 9) {
                    assertThat(table.get(s.key())).isSameAs(expected.get(s.key()));
                } else {
                    // An evaluation pass: every state seen once, some removed on the way.
                    final List<SeriesState> seen = new ArrayList<>();
                    final Iterator<SeriesState> it = table.iterator();
                    while (it.hasNext()) {
                        final SeriesState next = it.next();
                        seen.add(next);
                        if (random.nextInt(3) == 0) {
                            it.remove();
                            expected.remove(next.key());
                        }
                    }
                    assertThat(seen).doesNotHaveDuplicates();
                }
                assertThat(table.size()).isEqualTo(expected.size());
            }
            final List<SeriesState> all = new ArrayList<>();
            table.forEach(all::add);
            assertThat(all).containsExactlyInAnyOrderElementsOf(expected.values());
            for (SeriesState s : expected.values()) {
                assertThat(table.get(s.key())).isSameAs(s);
            }
        }
    }
}
