package io.vigil.evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A {@link CommitWrittenStore} of any values: it keeps the latest value of each key changed since the last commit and
 * encodes it once, at the commit. A value put and deleted between two commits never reaches the changelog at all:
 * peer values waiting for their group's judgement mostly come and go that way under load.
 *
 * <p>A store {@link #inParts} writes a value as one record or several, each a value of its own that a restore reads
 * as such, under the keys {@link RecordParts#partKey} gives (see there why: a record too large fails the stream
 * thread).
 *
 * @param <V> what the task hands over: a value to encode at commit, or the bytes themselves
 */
public final class WriteBehindStore<V> extends CommitWrittenStore {

    private final BiFunction<String, V, List<byte[]>> encoder;
    /** Whether a value may be written in several parts, which its later writes and its delete then look for. */
    private final boolean parted;
    private final Map<String, V> changed = new HashMap<>();

    private WriteBehindStore(final KeyValueStore<String, byte[]> inner,
                             final BiFunction<String, V, List<byte[]>> encoder, final boolean parted) {
        super(inner);
        this.encoder = encoder;
        this.parted = parted;
    }

    /**
     * A builder of this store over the key-value store {@code inner} builds (in memory, changelogged or not).
     *
     * @param encoder the bytes to store for a key's value, called at commit
     */
    public static <V> StoreBuilder<WriteBehindStore<V>> builder(final StoreBuilder<KeyValueStore<String, byte[]>> inner,
                                                                final BiFunction<String, V, byte[]> encoder) {
        return new Builder<>(inner, store -> new WriteBehindStore<>(store,
                (key, value) -> List.of(encoder.apply(key, value)), false));
    }

    /**
     * A builder of this store whose values are written in parts: {@code encoder} gives a value's records, at least
     * one, each small enough to send.
     */
    public static <V> StoreBuilder<WriteBehindStore<V>> inParts(final StoreBuilder<KeyValueStore<String, byte[]>> inner,
                                                                final BiFunction<String, V, List<byte[]>> encoder) {
        return new Builder<>(inner, store -> new WriteBehindStore<>(store, encoder, true));
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
        // A value never committed has no parts either: most deletes cost this one lookup.
        if (inner.get(key) != null) {
            inner.delete(key);
            deletePartsFrom(key, 1);
        }
    }

    @Override
    void writeChanges() {
        for (Map.Entry<String, V> e : changed.entrySet()) {
            final List<byte[]> parts = encoder.apply(e.getKey(), e.getValue());
            for (int i = 0; i < parts.size(); i++) {
                inner.put(RecordParts.partKey(e.getKey(), i), parts.get(i));
            }
            deletePartsFrom(e.getKey(), parts.size());
        }
    }

    /** Deletes the parts of {@code key}'s value from part {@code from} on, in a store that writes parts. */
    private void deletePartsFrom(final String key, final int from) {
        if (parted) {
            for (int i = from; inner.get(RecordParts.partKey(key, i)) != null; i++) {
                inner.delete(RecordParts.partKey(key, i));
            }
        }
    }

    @Override
    void forgetChanges() {
        changed.clear();
    }
}
