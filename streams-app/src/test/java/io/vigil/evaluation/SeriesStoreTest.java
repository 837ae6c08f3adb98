package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.testing.OutlivingStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What reaches the inner store at a flush: the latest state of each key changed since, none of a deleted one. */
class SeriesStoreTest {

    private static final Series A = new Series("m", Labels.of("i", "a"));
    private static final Series B = new Series("m", Labels.of("i", "b"));

    private SeriesStore store;

    @BeforeEach
    void open() {
        store = SeriesStore.builder(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled()).build();
        final MockProcessorContext<String, String> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    private static SeriesState state(final Series series, final double value) {
        final SeriesState state = new SeriesState(series);
        state.add(1_000, value);
        return state;
    }

    /** What the inner store holds for {@code key} (the changelog's latest), null for nothing. */
    private byte[] inStore(final String key) {
        return store.takeStates().get(key);
    }

    private double stored(final String key) {
        return SeriesStateCodec.decode(key, inStore(key)).value(0);
    }

    @Test
    void aStateLargerThanARecordIsWrittenInPartsAndTakenWhole() {
        final SeriesState a = large(A);
        store.changed(A.key(), a);
        store.flushCache();

        final Map<String, byte[]> records = records(store);
        assertThat(records).hasSizeGreaterThan(4).allSatisfy((key, bytes) -> {
            assertThat(key).startsWith(A.key());
            assertThat(bytes.length).isLessThanOrEqualTo(RecordParts.MAX_BYTES);
        });
        final Map<String, byte[]> taken = store.takeStates();
        assertThat(taken).containsOnlyKeys(A.key());
        final SeriesState back = SeriesStateCodec.decode(A.key(), taken.get(A.key()));
        assertThat(back.size()).isEqualTo(a.size());
        assertThat(back.timestamps(a.size(), new long[0])).isEqualTo(a.timestamps(a.size(), new long[0]));
        assertThat(back.values(a.size(), new double[0])).isEqualTo(a.values(a.size(), new double[0]));
    }

    @Test
    void aStateThatShrinksOrIsDeletedLeavesNoPartBehindAlsoAfterARestore() {
        final KeyValueStore<Bytes, byte[]> bytes = Stores.inMemoryKeyValueStore("shared").get();
        final SeriesStore first = over(bytes);
        first.changed(A.key(), large(A));
        first.changed(B.key(), large(B));
        first.flushCache();
        assertThat(records(first)).hasSizeGreaterThan(8);

        // Restored: the parts it finds are known to it.
        final SeriesStore second = over(bytes);
        assertThat(second.takeStates()).containsOnlyKeys(A.key(), B.key());
        second.changed(A.key(), state(A, 1));
        second.delete(B.key());
        second.flushCache();
        assertThat(records(second)).containsOnlyKeys(A.key());
    }

    /** 200,000 points a second apart with a few milliseconds of jitter and full-precision values: ~2.4 MB. */
    private static SeriesState large(final Series series) {
        final Random random = new Random(7);
        final SeriesState state = new SeriesState(series);
        for (int i = 0; i < 200_000; i++) {
            state.add(1_000L * i + random.nextInt(7), random.nextDouble());
        }
        return state;
    }

    /** A store over {@code bytes}, which outlives it as a changelog outlives its task. */
    private static SeriesStore over(final KeyValueStore<Bytes, byte[]> bytes) {
        final SeriesStore store = SeriesStore.builder(Stores.keyValueStoreBuilder(OutlivingStore.of(bytes),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled()).build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    /** What the inner store holds, record by record. */
    private static Map<String, byte[]> records(final SeriesStore store) {
        final Map<String, byte[]> records = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = store.inner.all()) {
            it.forEachRemaining(kv -> records.put(kv.key, kv.value));
        }
        return records;
    }

    @Test
    void writesEachChangedStateOnceAtTheFlush() {
        final SeriesState a = state(A, 1);
        store.changed(A.key(), a);
        store.changed(A.key(), a);
        assertThat(inStore(A.key())).isNull();
        a.add(1_000, 2);
        store.flushCache();
        assertThat(stored(A.key())).isEqualTo(2);
        assertThat(a.unsaved()).isFalse();
        a.add(1_000, 3);
        store.changed(A.key(), a);
        store.flushCache();
        assertThat(stored(A.key())).isEqualTo(3);
    }

    @Test
    void aDeletedKeyIsNotWrittenBackUnlessANewStateCameAfter() {
        final SeriesState a = state(A, 1);
        final SeriesState b = state(B, 1);
        store.changed(A.key(), a);
        store.changed(B.key(), b);
        store.flushCache();
        store.changed(A.key(), a);
        store.changed(B.key(), b);
        store.delete(A.key());
        store.delete(B.key());
        store.changed(B.key(), state(B, 7));
        store.flushCache();
        assertThat(inStore(A.key())).isNull();
        assertThat(stored(B.key())).isEqualTo(7);
    }

    @Test
    void aStateNamedByItselfIsWrittenUnderItsKeyUnlessDeletedAfter() {
        final SeriesState a = state(A, 5);
        final SeriesState b = state(B, 6);
        store.changed(a);
        store.changed(b);
        store.changed(b);
        store.delete(B.key());
        store.flushCache();
        assertThat(stored(A.key())).isEqualTo(5);
        assertThat(store.get(B.key())).isNull();
    }

    @Test
    void aStateUnderAnotherKeyIsWrittenUnderThatKey() {
        final SeriesState a = state(A, 4);
        store.changed("\u0001other", a);
        store.flushCache();
        assertThat(SeriesStateCodec.decode("\u0001other", inStore("\u0001other")).series()).isEqualTo(A);
        assertThat(inStore(A.key())).isNull();
    }

    @Test
    void clearingTheCacheForgetsTheChanges() {
        final SeriesState a = state(A, 1);
        store.changed(A.key(), a);
        store.clearCache();
        assertThat(a.unsaved()).isFalse();
        store.flushCache();
        assertThat(inStore(A.key())).isNull();
    }

    @Test
    void readsSeeTheCommittedStatesWithAnAlertAndTheSeriesPerRule() {
        final SeriesState a = state(A, 1);
        final SeriesState b = state(B, 1);
        a.setAlert("g/High", new AlertStatus(AlertState.FIRING, 1_000, 1_000, AlertStatus.NONE, AlertStatus.NONE));
        store.showWatched(() -> SeriesStore.encodeWatched(java.util.Map.of("g/High", 2, "a\ttab/and\nline", 0)));
        store.changed(A.key(), a);
        store.changed(B.key(), b);
        assertThat(store.get(A.key())).isNull();
        store.flushCache();

        assertThat(store.get(A.key())).isEqualTo(SeriesStateCodec.encode(A.key(), a));
        assertThat(store.get(B.key())).isNull();
        assertThat(SeriesStore.decodeWatched(store.get(SeriesStore.WATCHED_KEY))).containsOnly(
                java.util.Map.entry("g/High", 2), java.util.Map.entry("a\ttab/and\nline", 0));
        assertThat(store.approximateNumEntries()).isEqualTo(2);

        a.setAlert("g/High", AlertStatus.INACTIVE);
        store.changed(A.key(), a);
        store.flushCache();
        assertThat(store.get(A.key())).isNull();
        store.delete(B.key());
        store.close();
        assertThat(store.get(SeriesStore.WATCHED_KEY)).isNull();
    }
}
