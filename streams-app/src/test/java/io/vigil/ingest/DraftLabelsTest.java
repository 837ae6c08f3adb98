package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A draft's labels replaced a {@link LinkedHashMap}: after any sequence of puts and removes they must read as that
 * map would (order, values, lookups), and make the labels {@link Labels#of(Map)} makes of it without
 * {@code __name__}, below and beyond the size where they switch to a map themselves.
 */
class DraftLabelsTest {

    private record Op(boolean remove, String name, String value) { }

    @Property(tries = 3_000)
    void readsAsALinkedHashMapWould(@ForAll("ops") final List<Op> ops) {
        final DraftLabels draft = new DraftLabels();
        final Map<String, String> map = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.remove()) {
                draft.remove(op.name());
                map.remove(op.name());
            } else {
                draft.put(op.name(), op.value());
                map.put(op.name(), op.value());
            }
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

    @Provide
    Arbitrary<List<Op>> ops() {
        // Few names, so that names repeat and get removed; up to 60, so that some drafts outgrow the arrays.
        final Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'c').ofMinLength(1).ofMaxLength(2),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(4),
                Arbitraries.just("__name__"));
        final Arbitrary<String> values = Arbitraries.strings().withChars('x', 'y', '"').ofMaxLength(2);
        final Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 9), names, values)
                .as((roll, name, value) -> new Op(roll == 0, name, value));
        return op.list().ofMaxSize(80);
    }
}
