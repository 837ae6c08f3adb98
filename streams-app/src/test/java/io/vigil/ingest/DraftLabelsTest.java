package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A draft's labels replaced a {@link LinkedHashMap}: after any sequence of puts (a name given again refused, as
 * {@link Map#putIfAbsent} refuses it) they must read as that map would (order, values, lookups), and make the labels {@link Labels#of(Map)} makes of it without
 * {@code __name__}, below and beyond the size where they switch to a map themselves.
 */
class DraftLabelsTest {

    private record Op(String name, String value) { }

    @Test
    void readsAsALinkedHashMapWould() {
        Tries.run(0xD4A_0001L, 3_000, DraftLabelsTest::ops, DraftLabelsTest::readsAsALinkedHashMapWould);
    }

    private static void readsAsALinkedHashMapWould(final List<Op> ops) {
        final DraftLabels draft = new DraftLabels();
        final Map<String, String> map = new LinkedHashMap<>();
        for (Op op : ops) {
            assertThat(draft.put(op.name(), op.value())).isEqualTo(map.putIfAbsent(op.name(), op.value()) == null);
            assertThat(draft.get(op.name())).isEqualTo(map.get(op.name()));
        }
        final List<String> expected = new ArrayList<>();
        map.forEach((name, value) -> {
            expected.add(name);
            expected.add(value);
        });
        assertThat(draft.pairs()).containsExactlyElementsOf(expected);
        assertThat(draft.get("__name__")).isEqualTo(map.get("__name__"));
        final Map<String, String> withoutName = new LinkedHashMap<>(map);
        withoutName.remove("__name__");
        final Labels labels = draft.toLabels("__name__");
        assertThat(labels).isEqualTo(Labels.of(withoutName));
        assertThat(labels.toMap()).containsExactlyEntriesOf(Labels.of(withoutName).toMap());
    }

    /**
     * Up to 80 puts (mostly up to about 55, now and then 80, so that some drafts outgrow the arrays); few names, so
     * that names repeat.
     */
    private static List<Op> ops(final Random r) {
        return Gen.list(r, Gen.edge(r) ? Gen.pick(r, 0, 1) : Gen.size(r, 0, 80, 3_000), random -> {
            final String name = switch (random.nextInt(3)) {
                case 0 -> Gen.edge(random) ? Gen.pick(random, "a", "c") : Gen.string(random, "abc", 1, 2);
                case 1 -> Gen.edge(random) ? Gen.pick(random, "aaaa", "zzzz") : Gen.string(random, Gen.LOWER, 4, 4);
                default -> "__name__";
            };
            final String value = Gen.edge(random) ? Gen.pick(random, "", "x", "\"") : Gen.string(random, "xy\"", 0, 2);
            return new Op(name, value);
        });
    }
}
