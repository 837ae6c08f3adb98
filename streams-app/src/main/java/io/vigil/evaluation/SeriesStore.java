package io.vigil.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The series states of one evaluator task, written to their changelogged store once per commit rather than once per
 * datapoint.
 *
 * <p>Every datapoint changes its series' state; encoding the whole state (windows, baselines, alerts) on each one was
 * the engine's largest cost. The evaluator's states live in memory anyway, so this store only remembers which ones
 * changed and encodes each once, when Kafka Streams flushes the task's stores just before it commits. Exactly-once
 * holds: the writes land in the changelog inside the same transaction as the input offsets they reflect, and a task
 * that dies uncommitted is rebuilt from the changelog and replays its input, as before.
 *
 * <p>That hook is {@link CachedStateStore#flushCache()}, which {@code StreamTask.prepareCommit} calls on every store
 * that implements it (Kafka's record caches use it the same way); it is an internal interface of Kafka Streams, pinned
 * with Kafka's version. Without commits ({@code vigil replay}) nothing is ever encoded, which is what a replay wants.
 * Reads ({@code /api/alerts}, restore) see the committed states.
 */
public final class SeriesStore implements StateStore, ReadOnlyKeyValueStore<String, byte[]>, CachedStateStore<String, byte[]> {

    private final KeyValueStore<String, byte[]> inner;
    // The changed states under their own key are a list and a flag on each, not a map: without commits (replay) the
    // list holds every series, and a map entry per series cost more than some of the series' own fields.
    private final List<SeriesState> changed = new ArrayList<>();
    /** Deleted keys, with the length of `changed` at the time: a state listed before its key's deletion is not written. */
    private final Map<String, Integer> deletedAt = new HashMap<>();
    /** Changed states stored under another key than their own (Vigil's self-alerts). */
    private final Map<String, SeriesState> changedElsewhere = new HashMap<>();

    private SeriesStore(final KeyValueStore<String, byte[]> inner) {
        this.inner = inner;
    }

    /** A builder of this store over the key-value store {@code inner} builds (in memory, changelogged or not). */
    public static StoreBuilder<SeriesStore> builder(final StoreBuilder<KeyValueStore<String, byte[]>> inner) {
        return new Builder(inner);
    }

    /** Remembers that {@code state} changed; it is encoded at the next commit. */
    void changed(final String key, final SeriesState state) {
        if (state.unsaved()) {
            return;
        }
        if (key.equals(state.key())) {
            state.setUnsaved(true);
            changed.add(state);
        } else {
            changedElsewhere.put(key, state);
        }
    }

    void delete(final String key) {
        changedElsewhere.remove(key);
        deletedAt.put(key, changed.size());
        inner.delete(key);
    }

    @Override
    public void flushCache() {
        for (int i = 0; i < changed.size(); i++) {
            final SeriesState state = changed.get(i);
            state.setUnsaved(false);
            if (deletedAt.isEmpty() || deletedAt.getOrDefault(state.key(), -1) <= i) {
                inner.put(state.key(), SeriesStateCodec.encode(state.key(), state));
            }
        }
        for (Map.Entry<String, SeriesState> e : changedElsewhere.entrySet()) {
            inner.put(e.getKey(), SeriesStateCodec.encode(e.getKey(), e.getValue()));
        }
        forgetChanges();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    private void forgetChanges() {
        for (SeriesState state : changed) {
            state.setUnsaved(false);
        }
        changed.clear();
        deletedAt.clear();
        changedElsewhere.clear();
    }

    @Override
    public void clearCache() {
        forgetChanges();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener<String, byte[]> listener, final boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        forgetChanges();
        inner.init(context, root);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void close() {
        forgetChanges();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public byte[] get(final String key) {
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<String, byte[]> range(final String from, final String to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
        return inner.all();
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    private record Builder(StoreBuilder<KeyValueStore<String, byte[]>> inner) implements StoreBuilder<SeriesStore> {

        @Override
        public StoreBuilder<SeriesStore> withCachingEnabled() {
            return new Builder(inner.withCachingEnabled());
        }

        @Override
        public StoreBuilder<SeriesStore> withCachingDisabled() {
            return new Builder(inner.withCachingDisabled());
        }

        @Override
        public StoreBuilder<SeriesStore> withLoggingEnabled(final Map<String, String> config) {
            return new Builder(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<SeriesStore> withLoggingDisabled() {
            return new Builder(inner.withLoggingDisabled());
        }

        @Override
        public SeriesStore build() {
            return new SeriesStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
