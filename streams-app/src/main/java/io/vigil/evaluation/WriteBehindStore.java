package io.vigil.evaluation;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A changelogged store of an evaluation task written once per commit rather than once per change.
 *
 * <p>Evaluation changes its state far more often than it commits: every datapoint changes its series' state, and
 * most peer values are judged and deleted within the commit interval they arrived in. Writing each change through to
 * the changelog was the engine's largest cost. The task's state lives in memory anyway, so this store only remembers
 * the latest value of each key changed since the last commit and encodes it once, when Kafka Streams flushes the
 * task's stores just before it commits; a value put and deleted between two commits never reaches the changelog at
 * all. Exactly-once holds: the writes land in the changelog inside the same transaction as the input offsets they
 * reflect, and a task that dies uncommitted is rebuilt from the changelog and replays its input, as before.
 *
 * <p>That hook is {@link CachedStateStore#flushCache()}, which {@code StreamTask.prepareCommit} calls on every store
 * that implements it (Kafka's record caches use it the same way); it is an internal interface of Kafka Streams, pinned
 * with Kafka's version. Without commits ({@code vigil replay}) nothing is ever encoded, which is what a replay wants.
 * Reads ({@link #get}, {@link #all}: restore, {@code /api/alerts}) see the committed values.
 *
 * @param <V> what the task hands over: a value to encode ({@link SeriesState}) or the bytes themselves
 */
public final class WriteBehindStore<V> implements StateStore, ReadOnlyKeyValueStore<String, byte[]>,
        CachedStateStore<String, byte[]> {

    private final KeyValueStore<String, byte[]> inner;
    private final BiFunction<String, V, byte[]> encoder;
    private final Map<String, V> changed = new HashMap<>();

    private WriteBehindStore(final KeyValueStore<String, byte[]> inner, final BiFunction<String, V, byte[]> encoder) {
        this.inner = inner;
        this.encoder = encoder;
    }

    /**
     * A builder of this store over the key-value store {@code inner} builds (in memory, changelogged or not).
     *
     * @param encoder the bytes to store for a key's value, called at commit
     */
    public static <V> StoreBuilder<WriteBehindStore<V>> builder(final StoreBuilder<KeyValueStore<String, byte[]>> inner,
                                                                final BiFunction<String, V, byte[]> encoder) {
        return new Builder<>(inner, encoder);
    }

    /** A builder of this store for values that are their own bytes. */
    public static StoreBuilder<WriteBehindStore<byte[]>> ofBytes(final StoreBuilder<KeyValueStore<String, byte[]>> inner) {
        return builder(inner, (key, bytes) -> bytes);
    }

    /** {@code value} is the key's value from now on; it is encoded at the next commit, if still the latest then. */
    public void put(final String key, final V value) {
        changed.put(key, value);
    }

    /** Deletes {@code key} now: a value never committed is simply forgotten, without a write. */
    public void delete(final String key) {
        changed.remove(key);
        if (inner.get(key) != null) {
            inner.delete(key);
        }
    }

    @Override
    public void flushCache() {
        for (Map.Entry<String, V> e : changed.entrySet()) {
            inner.put(e.getKey(), encoder.apply(e.getKey(), e.getValue()));
        }
        changed.clear();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    @Override
    public void clearCache() {
        changed.clear();
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
        changed.clear();
        inner.init(context, root);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void close() {
        changed.clear();
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

    private record Builder<V>(StoreBuilder<KeyValueStore<String, byte[]>> inner, BiFunction<String, V, byte[]> encoder)
            implements StoreBuilder<WriteBehindStore<V>> {

        @Override
        public StoreBuilder<WriteBehindStore<V>> withCachingEnabled() {
            return new Builder<>(inner.withCachingEnabled(), encoder);
        }

        @Override
        public StoreBuilder<WriteBehindStore<V>> withCachingDisabled() {
            return new Builder<>(inner.withCachingDisabled(), encoder);
        }

        @Override
        public StoreBuilder<WriteBehindStore<V>> withLoggingEnabled(final Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config), encoder);
        }

        @Override
        public StoreBuilder<WriteBehindStore<V>> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled(), encoder);
        }

        @Override
        public WriteBehindStore<V> build() {
            return new WriteBehindStore<>(inner.build(), encoder);
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
