package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's table of series states against a HashMap, removals while iterating included, over keys whose hashes
 * collide and keys that begin like others (a state holds its key in pieces and compares its hash first).
 */
class SeriesTableTest {

    private static final List<Series> SERIES = pool();

    /**
     * 64 label values of one hash ("Aa" and "BB" hash alike), each under two names and with a second label, and
     * integers, of which "1" begins "10" and "m" begins "mm"; and the key of the table's tombstone.
     */
    private static List<Series> pool() {
        final List<Series> out = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            final StringBuilder value = new StringBuilder();
            for (int b = 0; b < 6; b++) {
                value.append((i >> b & 1) == 0 ? "Aa" : "BB");
            }
            out.add(new Series("m", Labels.of("i", value.toString())));
            out.add(new Series("mm", Labels.of("i", value.toString())));
            out.add(new Series("m", Labels.of("i", value.toString(), "j", "x")));
        }
        for (int i = 0; i < 108; i++) {
            out.add(new Series("m", Labels.of("i", Integer.toString(i))));
        }
        // The key the table's tombstone is made of: a removed state must not be found under it.
        out.add(new Series("removed", Labels.EMPTY));
        return out;
    }

    private static SeriesState state(final int i) {
        return new SeriesState(SERIES.get(i));
    }

    @Test
    void thePoolHasCollidingKeys() {
        final Set<Integer> hashes = new HashSet<>();
        SERIES.forEach(s -> hashes.add(s.key().hashCode()));
        assertThat(hashes.size()).isLessThan(SERIES.size() - 100);
    }

    @Test
    void aStateHasExactlyItsOwnKey() {
        for (Series series : SERIES) {
            final SeriesState state = new SeriesState(series);
            final String key = series.key();
            assertThat(state.key()).isEqualTo(key);
            assertThat(state.keyHash()).isEqualTo(key.hashCode());
            assertThat(state.hasKey(new String(key.toCharArray()))).isTrue();
            assertThat(state.sameKey(new SeriesState(Series.fromKey(key)))).isTrue();
            assertThat(state.hasKey(key + "x")).isFalse();
            assertThat(state.hasKey(key.substring(0, key.length() - 1))).isFalse();
            assertThat(state.hasKey(key.substring(key.indexOf('{')))).isFalse();
            for (Series other : SERIES) {
                if (other != series) {
                    assertThat(state.hasKey(other.key())).as("%s has %s", key, other).isFalse();
                    assertThat(state.sameKey(new SeriesState(other))).isFalse();
                }
            }
        }
    }

    /** A lookup by the key's ASCII bytes, as a repartition record carries them, at {@code at} in a larger array. */
    private static SeriesState getByBytes(final SeriesTable table, final String key, final int at) {
        final byte[] ascii = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final byte[] bytes = new byte[at + ascii.length + 2];
        System.arraycopy(ascii, 0, bytes, at, ascii.length);
        final long hash = KeyBytes.hash(bytes, at, ascii.length);
        assertThat(hash).isEqualTo(key.hashCode() & 0xFFFF_FFFFL);
        return table.get(bytes, at, ascii.length, (int) hash);
    }

    @Test
    void aStateHasItsOwnKeyAsBytes() {
        for (Series series : SERIES) {
            final SeriesState state = new SeriesState(series);
            final SeriesTable table = new SeriesTable();
            table.put(state);
            assertThat(getByBytes(table, series.key(), 1)).isSameAs(state);
            for (Series other : SERIES) {
                if (other != series) {
                    assertThat(getByBytes(table, other.key(), 0)).as("%s has %s", series, other).isNull();
                }
            }
        }
    }

    @Test
    void holdsWhatAMapWouldHold() {
        for (long seed = 0; seed < 50; seed++) {
            final Random random = new Random(seed);
            final SeriesTable table = new SeriesTable();
            final Map<String, SeriesState> expected = new HashMap<>();
            for (int step = 0; step < 2_000; step++) {
                final int action = random.nextInt(10);
                final SeriesState s = state(random.nextInt(SERIES.size()));
                if (action < 6) {
                    table.put(s);
                    expected.put(s.key(), s);
                } else if (action < 9) {
                    assertThat(table.get(s.key())).isSameAs(expected.get(s.key()));
                    assertThat(getByBytes(table, s.key(), step % 3)).isSameAs(expected.get(s.key()));
                    assertThat(table.get(s.keyHash(), s.keyHead(), s.keyTail())).isSameAs(expected.get(s.key()));
                    assertThat(getByBytes(table, s.key() + "x", 1)).isNull();
                    assertThat(getByBytes(table, s.key().substring(0, s.key().length() - 1), 0)).isNull();
                    assertThat(table.get(s.key() + "x")).isNull();
                    assertThat(table.get(s.key().substring(0, s.key().length() - 1))).isNull();
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
                assertThat(getByBytes(table, s.key(), 2)).isSameAs(s);
            }
        }
    }
}
