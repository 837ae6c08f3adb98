package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/** A range read over a map, as Kafka Streams' stores answer one. */
class SortedEntriesTest {

    private static final Map<String, Integer> MAP = Map.of("c", 3, "a", 1, "d", 4, "b", 2);

    @Test
    void readsTheRangeInKeyOrderAndPeeksWithoutMovingOn() {
        final KeyValueIterator<String, Integer> it = SortedEntries.of(MAP, "b", "c");

        assertThat(it.peekNextKey()).isEqualTo("b");
        assertThat(it.next().value).isEqualTo(2);
        assertThat(it.peekNextKey()).isEqualTo("c");
        assertThat(it.next().key).isEqualTo("c");
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::peekNextKey).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void openEndsReadEverything() {
        final KeyValueIterator<String, Integer> it = SortedEntries.of(MAP, null, null);
        final StringBuilder keys = new StringBuilder();
        it.forEachRemaining(kv -> keys.append(kv.key));

        assertThat(keys).hasToString("abcd");
    }
}
