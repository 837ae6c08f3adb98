package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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

    @Property(tries = 2_000)
    void readingAKeyBackGivesTheSameSeries(@ForAll("names") final String name,
                                           @ForAll("labels") final Map<String, String> labels) {
        final Series s = new Series(name, Labels.of(labels));
        final Series back = Series.fromKey(s.key());
        assertThat(back).isEqualTo(s);
        assertThat(back.labels().toMap()).isEqualTo(s.labels().toMap());
        assertThat(back.key()).isEqualTo(s.key());
    }

    @Property(tries = 1_000)
    void differentSeriesHaveDifferentKeys(@ForAll("labels") final Map<String, String> a,
                                          @ForAll("labels") final Map<String, String> b) {
        final Series x = new Series("m", Labels.of(a));
        final Series y = new Series("m", Labels.of(b));
        assertThat(x.key().equals(y.key())).isEqualTo(x.equals(y));
    }

    @Property(tries = 2_000)
    void keyBytesAreTheKeyInUtf8(@ForAll("names") final String name,
                                 @ForAll("labels") final Map<String, String> labels,
                                 @ForAll final boolean keyFirst) {
        final Series s = new Series(name, Labels.of(labels));
        final Series fresh = new Series(name, Labels.of(labels));
        if (keyFirst) {
            fresh.key(); // the bytes of a key already built, rather than written directly
        }
        assertThat(fresh.keyBytes()).isEqualTo(s.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Property(tries = 2_000)
    void aSeriesWithItsLabelsKeyHasTheSameKeyBytes(@ForAll("names") final String name,
                                                   @ForAll("labels") final Map<String, String> labels) {
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

    @Property(tries = 1_000)
    void equalLabelsHaveEqualHashes(@ForAll("labels") final Map<String, String> labels) {
        final Labels a = Labels.of(labels);
        final Labels b = Labels.of(new java.util.TreeMap<>(labels));
        assertThat(a).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode()).isEqualTo(java.util.Arrays.hashCode(pairsOf(b)));
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

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars('_', ':').ofMinLength(1).ofMaxLength(12);
    }

    @Provide
    Arbitrary<Map<String, String>> labels() {
        final Arbitrary<String> labelNames = Arbitraries.strings().withCharRange('a', 'e').withChars('_')
                .ofMinLength(1).ofMaxLength(3);
        // Values drawn from what escaping and the key's own syntax use, to find a value that ends a label early.
        final Arbitrary<String> values = Arbitraries.strings().withChars('a', 'b', '"', '\\', '\n', ',', '=', '{', '}', ' ')
                .withCharRange('\u00e0', '\u00e3').ofMinLength(0).ofMaxLength(6);
        return Arbitraries.maps(labelNames, values).ofMaxSize(6);
    }
}
