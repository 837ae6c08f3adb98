package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A series' key names it on the repartition topic and evaluation rebuilds the series from it: the key must be
 * unique, and reading it back must give the same series, whatever its label values hold.
 */
class SeriesKeyTest {

    @Test
    void aKeyIsPromQlNotationWithSortedLabels() {
        final Series s = new Series("cpu_usage_percent", Labels.of("instance", "node-7", "cluster", "backend"));
        assertThat(s.key()).isEqualTo("cpu_usage_percent{cluster=\"backend\",instance=\"node-7\"}");
        assertThat(new Series("up", Labels.EMPTY).key()).isEqualTo("up{}");
    }

    @Test
    void quotesBackslashesAndNewlinesAreEscaped() {
        final Series s = new Series("m", Labels.of("a", "x\",b=\"y", "c", "back\\slash\nnew"));
        assertThat(s.key()).isEqualTo("m{a=\"x\\\",b=\\\"y\",c=\"back\\\\slash\\nnew\"}");
        assertThat(Series.fromKey(s.key())).isEqualTo(s);
        assertThat(Series.fromKey(s.key()).labels().get("a")).isEqualTo("x\",b=\"y");
    }

    @Test
    void readingAKeyBackGivesTheSameSeries() {
        Tries.run(0x5E_0001L, 2_000, r -> new Named(name(r), labels(r)), c -> {
            final Series s = new Series(c.name(), Labels.of(c.labels()));
            final Series back = Series.fromKey(s.key());
            assertThat(back).isEqualTo(s);
            assertThat(back.labels().toMap()).isEqualTo(s.labels().toMap());
            assertThat(back.key()).isEqualTo(s.key());
        });
    }

    @Test
    void differentSeriesHaveDifferentKeys() {
        Tries.run(0x5E_0002L, 1_000, r -> List.of(labels(r), labels(r)), c -> {
            final Series x = new Series("m", Labels.of(c.get(0)));
            final Series y = new Series("m", Labels.of(c.get(1)));
            assertThat(x.key().equals(y.key())).isEqualTo(x.equals(y));
        });
    }

    @Test
    void keyBytesAreTheKeyInUtf8() {
        Tries.run(0x5E_0003L, 2_000, r -> new KeyFirst(new Named(name(r), labels(r)), r.nextBoolean()), c -> {
            final Series s = new Series(c.series().name(), Labels.of(c.series().labels()));
            final Series fresh = new Series(c.series().name(), Labels.of(c.series().labels()));
            if (c.keyFirst()) {
                fresh.key(); // the bytes of a key already built, rather than written directly
            }
            assertThat(fresh.keyBytes()).isEqualTo(s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    @Test
    void aSeriesWithItsLabelsKeyHasTheSameKeyBytes() {
        Tries.run(0x5E_0004L, 2_000, r -> new Named(name(r), labels(r)),
                c -> aSeriesWithItsLabelsKeyHasTheSameKeyBytes(c.name(), c.labels()));
    }

    private static void aSeriesWithItsLabelsKeyHasTheSameKeyBytes(final String name, final Map<String, String> labels) {
        final Labels set = Labels.of(labels);
        final Series s = new Series(name, set);
        final Series known = Series.withLabelsKey(name, s.labels(), Series.labelsKey(s.labels()));
        assertThat(known).isEqualTo(s);
        assertThat(known.keyBytes()).isEqualTo(s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(known.key()).isEqualTo(s.key());
        // Written where they go (an ASCII name and labels), its key's bytes are the same.
        if (known.keyBytesLength() >= 0) {
            final byte[] written = new byte[known.keyBytesLength() + 3];
            assertThat(known.writeKeyBytes(written, 3)).isEqualTo(written.length);
            assertThat(java.util.Arrays.copyOfRange(written, 3, written.length)).isEqualTo(known.keyBytes());
        }
        assertThat(s.keyBytesLength()).as("a series without its labels' key part").isEqualTo(-1);
        // The hashes it keeps are those of its key, as a series without them computes them.
        assertThat(known.keyHash()).isEqualTo(s.key().hashCode()).isEqualTo(s.keyHash())
                .isEqualTo(Series.keyHashOf(s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(known.partitionHash()).isEqualTo(s.partitionHash())
                .isEqualTo(org.apache.kafka.common.utils.Utils.murmur2(
                        s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void theLabelsKeyIsOnlyForPlainLabelsOfASeries() {
        assertThat(new String(Series.labelsKey(Labels.of("instance", "node-7", "cluster", "backend")),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{cluster=\"backend\",instance=\"node-7\"}");
        assertThat(Series.labelsKey(Labels.EMPTY)).isEqualTo("{}".getBytes());
        assertThat(Series.labelsKey(Labels.of("a", "x\"y"))).isNull();
        assertThat(Series.labelsKey(Labels.of("a", "caf\u00e9"))).isNull();
        assertThat(Series.labelsKey(Labels.of("__name__", "up", "a", "b"))).isNull();
        // A name beyond ASCII still gets its key in UTF-8.
        final Series s = Series.withLabelsKey("m\u00e9", Labels.of("a", "b"), Series.labelsKey(Labels.of("a", "b")));
        assertThat(s.keyBytes()).isEqualTo("m\u00e9{a=\"b\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void keyBytesOfAPlainSeriesAndOfOneThatIsNot() {
        final Series plain = new Series("cpu", Labels.of("instance", "node-7", "cluster", "backend"));
        assertThat(new String(plain.keyBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("cpu{cluster=\"backend\",instance=\"node-7\"}");
        assertThat(new Series("up", Labels.EMPTY).keyBytes()).isEqualTo("up{}".getBytes());
        final Series escaped = new Series("m", Labels.of("a", "x\"\\\né"));
        assertThat(escaped.keyBytes()).isEqualTo(escaped.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void equalLabelsHaveEqualHashes() {
        Tries.run(0x5E_0005L, 1_000, SeriesKeyTest::labels, labels -> {
            final Labels a = Labels.of(labels);
            final Labels b = Labels.of(new java.util.TreeMap<>(labels));
            assertThat(a).isEqualTo(b);
            assertThat(a.hashCode()).isEqualTo(b.hashCode()).isEqualTo(java.util.Arrays.hashCode(pairsOf(b)));
        });
    }

    private static String[] pairsOf(final Labels labels) {
        final String[] pairs = new String[2 * labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            pairs[2 * i] = labels.name(i);
            pairs[2 * i + 1] = labels.value(i);
        }
        return pairs;
    }

    @Test
    void whatNoSeriesWritesIsRefused() {
        for (String bad : new String[] {"", "{}", "m", "m{", "m{a=\"1\"", "m{a=1}", "m{a=\"1\"b=\"2\"}",
                "m{b=\"1\",a=\"2\"}", "m{a=\"\"}", "m{a=\"1\",a=\"2\"}", "m{__name__=\"x\"}"}) {
            assertThatThrownBy(() -> Series.fromKey(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void labelsKeepTheLastValueOfANameAndDropEmptyOnes() {
        assertThat(Labels.of("b", "1", "a", "2", "b", "3", "c", "").toMap())
                .containsExactly(Map.entry("a", "2"), Map.entry("b", "3"));
        assertThat(Labels.of("a", "1", "a", "")).isEqualTo(Labels.EMPTY);
        final Map<String, String> m = new HashMap<>();
        m.put("z", "1");
        m.put("y", null);
        m.put("x", "2");
        assertThat(Labels.of(m).names()).containsExactly("x", "z");
    }

    /** A metric name and labels, as generated. */
    private record Named(String name, Map<String, String> labels) { }

    /** A series, and whether its key is built before its key's bytes are asked for. */
    private record KeyFirst(Named series, boolean keyFirst) { }

    private static final String NAME_CHARS = Gen.LOWER + "_:";
    private static final String LABEL_NAME_CHARS = "abcde_";
    /** Values drawn from what escaping and the key's own syntax use, to find a value that ends a label early. */
    private static final String VALUE_CHARS = "ab\"\\\n,={} " + Gen.range('\u00e0', '\u00e3');

    /** 1 to 12 characters; now and then one alone, from an end of the range or a separator. */
    private static String name(final Random r) {
        return Gen.edge(r) ? Gen.pick(r, "a", "z", "_", ":") : Gen.string(r, NAME_CHARS, 1, 12);
    }

    /**
     * Up to six labels, now and then none; names of 1 to 3 characters (now and then one alone), values of 0 to 6
     * (now and then an empty one, which no series keeps, or one character alone).
     */
    private static Map<String, String> labels(final Random r) {
        final Map<String, String> labels = new HashMap<>();
        final int size = Gen.edge(r) ? 0 : Gen.between(r, 0, 6);
        while (labels.size() < size) {
            final String name = Gen.edge(r) ? Gen.pick(r, "a", "e", "_") : Gen.string(r, LABEL_NAME_CHARS, 1, 3);
            labels.put(name, Gen.edge(r) ? Gen.pick(r, "", "a", " ", "\u00e0", "\u00e3")
                    : Gen.string(r, VALUE_CHARS, 0, 6));
        }
        return labels;
    }
}
