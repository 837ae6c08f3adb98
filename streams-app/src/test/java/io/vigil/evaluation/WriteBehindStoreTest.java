package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBehindStoreTest {

    private final List<String> encoded = new ArrayList<>();
    private WriteBehindStore<String> store;

    @BeforeEach
    void open() {
        final var inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled();
        store = WriteBehindStore.<String>builder(inner, (key, value) -> {
            encoded.add(key);
            return value.getBytes(StandardCharsets.UTF_8);
        }).build();
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    @Test
    void writesOnlyTheLatestValueOfEachKeyAtTheCommit() {
        store.put("a", "1");
        store.put("a", "2");
        store.put("b", "3");
        assertThat(store.get("a")).isNull();

        store.flushCache();

        assertThat(contents()).containsExactly(KeyValue.pair("a", "2"), KeyValue.pair("b", "3"));
        assertThat(encoded).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aValuePutAndDeletedBetweenCommitsIsNeverWritten() {
        store.put("judged", "1");
        store.delete("judged");
        store.put("waiting", "2");

        store.flushCache();

        assertThat(contents()).containsExactly(KeyValue.pair("waiting", "2"));
        assertThat(encoded).containsExactly("waiting");
    }

    @Test
    void deletesACommittedValueAtOnceEvenIfChangedSince() {
        store.put("a", "1");
        store.flushCache();
        store.put("a", "2");

        store.delete("a");
        assertThat(store.get("a")).isNull();
        store.flushCache();

        assertThat(contents()).isEmpty();
    }

    @Test
    void aKeyPutAgainAfterItsDeleteIsWritten() {
        store.put("a", "1");
        store.flushCache();
        store.delete("a");
        store.put("a", "2");

        store.flushCache();

        assertThat(contents()).containsExactly(KeyValue.pair("a", "2"));
    }

    @Test
    void clearingTheCacheDropsWhatWasNotCommitted() {
        store.put("a", "1");
        store.flushCache();
        store.put("a", "2");
        store.put("b", "3");

        store.clearCache();
        store.flushCache();

        assertThat(contents()).containsExactly(KeyValue.pair("a", "1"));
    }

    @Test
    void aValueInPartsIsWrittenAsOneRecordPerPartAndDeletedWhole() {
        final WriteBehindStore<String> parted = partedStore();
        parted.put("k", "abc");
        parted.put("other", "x");
        parted.flushCache();
        assertThat(contents(parted)).containsExactlyInAnyOrder(KeyValue.pair("k", "a"),
                KeyValue.pair(RecordParts.partKey("k", 1), "b"), KeyValue.pair(RecordParts.partKey("k", 2), "c"),
                KeyValue.pair("other", "x"));

        parted.delete("k");
        assertThat(contents(parted)).containsExactly(KeyValue.pair("other", "x"));
    }

    @Test
    void aValueWrittenAgainInFewerPartsLeavesNoneOfTheOldOnesBehind() {
        final WriteBehindStore<String> parted = partedStore();
        parted.put("k", "abcd");
        parted.flushCache();
        parted.put("k", "ef");
        parted.flushCache();
        assertThat(contents(parted)).containsExactlyInAnyOrder(KeyValue.pair("k", "e"),
                KeyValue.pair(RecordParts.partKey("k", 1), "f"));
    }

    /** A store writing each character of a value as a part of its own. */
    private static WriteBehindStore<String> partedStore() {
        final var inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("parts"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled();
        final WriteBehindStore<String> parted = WriteBehindStore.<String>inParts(inner, (key, value) -> value.chars()
                .mapToObj(c -> String.valueOf((char) c).getBytes(StandardCharsets.UTF_8)).toList()).build();
        parted.init(new MockProcessorContext<>().getStateStoreContext(), parted);
        return parted;
    }

    private List<KeyValue<String, String>> contents() {
        return contents(store);
    }

    private static List<KeyValue<String, String>> contents(final WriteBehindStore<String> store) {
        final List<KeyValue<String, String>> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> all.add(KeyValue.pair(kv.key, new String(kv.value, StandardCharsets.UTF_8))));
        }
        return all;
    }
}
