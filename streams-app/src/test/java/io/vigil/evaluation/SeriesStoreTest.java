package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
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
