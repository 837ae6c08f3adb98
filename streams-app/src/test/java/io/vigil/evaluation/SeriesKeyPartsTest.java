package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesKeyPartsTest {

    private static final List<String> KEYS = List.of(
            new Series("up", Labels.EMPTY).key(),
            new Series("cpu", Labels.of("instance", "node-7")).key(),
            new Series("cpu", Labels.of("cluster", "c1", "instance", "node-7", "role", "db")).key(),
            // Escaped quotes and a `",` inside a value, and a value beyond Latin-1.
            new Series("m", Labels.of("a", "x\",y", "b", "\\\"", "c", "n\u00e9\u4e2d")).key(),
            "not{a=\"key\",",
            "");

    @Test
    void thePiecesSpellTheKeyAndItsHashAndNoOther() {
        for (String key : KEYS) {
            final String[] parts = SeriesKeyParts.of(key);
            assertThat(SeriesKeyParts.join(parts)).isEqualTo(key);
            assertThat(SeriesKeyParts.hash(parts)).isEqualTo(key.hashCode());
            assertThat(SeriesKeyParts.spell(parts, key)).isTrue();
            for (String other : KEYS) {
                if (!other.equals(key)) {
                    assertThat(SeriesKeyParts.spell(parts, other)).as("%s spells %s", key, other).isFalse();
                }
            }
            assertThat(SeriesKeyParts.spell(parts, key + "x")).isFalse();
            if (!key.isEmpty()) {
                assertThat(SeriesKeyParts.spell(parts, key.substring(0, key.length() - 1))).isFalse();
            }
        }
    }

    @Test
    void seriesSharingALabelPairShareItsPiece() {
        final String[] a = SeriesKeyParts.of(new Series("cpu", Labels.of("instance", "node-7", "role", "db")).key());
        final String[] b = SeriesKeyParts.of(new Series("mem", Labels.of("instance", "node-7", "role", "db")).key());
        assertThat(a).hasSize(2);
        assertThat(a[1]).isSameAs(b[1]);
    }
}
