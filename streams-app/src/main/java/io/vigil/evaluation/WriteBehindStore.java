package io.vigil.evaluation;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A {@link CommitWrittenStore} of any values: it keeps the latest value of each key changed since the last commit and
 * encodes it once, at the commit. A value put and deleted between two commits never reaches the changelog at all:
 * peer values waiting for their group's judgement mostly come and go that way under load.
 *
 * @param <V> what the task hands over: a value to encode at commit, or the bytes themselves
 */
public final class WriteBehindStore<V> extends CommitWrittenStore {

    private final BiFunction<String, V, byte[]> encoder;
    private final Map<String, V> changed = new HashMap<>();

    private WriteBehindStore(final KeyValueStore<String, byte[]> inner, final BiFunction<String, V, byte[]> encoder) {
        super(inner);
        this.encoder = encoder;
    }

    /**
     * A builder of this store over the key-value store {@code inner} builds (in memory, changelogged or not).
     *
     * @param encoder the bytes to store for a key's value, called at commit
     */
    public static <V> StoreBuilder<WriteBehindStore<V>> builder(final StoreBuilder<KeyValueStore<String, byte[]>> inner,
                                                                final BiFunction<String, V, byte[]> encoder) {
        return new Builder<>(inner, store -> new WriteBehindStore<>(store, encoder));
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
    void writeChanges() {
        for (Map.Entry<String, V> e : changed.entrySet()) {
            inner.put(e.getKey(), encoder.apply(e.getKey(), e.getValue()));
        }
    }

    @Override
    void forgetChanges() {
        changed.clear();
    }
}
