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
 * <p>A store {@link #inParts} writes a value as one record or several: its first part under its key, part {@code i}
 * under {@link #partKey}. A changelog record above the producer's {@code max.request.size} (1 MiB) fails the stream
 * thread, at every start again, and one peer group's values at an instant are that large from about ten thousand
 * members. Reads of the inner store ({@link #all}) see the parts as records of their own.
 *
 * @param <V> what the task hands over: a value to encode at commit, or the bytes themselves
 */
public final class WriteBehindStore<V> extends CommitWrittenStore {

    /**
     * Between a key and the number of its part. The peer stage's keys end in a separator and 16 hex digits
     * ({@link PeerGroupEvaluator#valueKey}), so no part key is another value's key.
     */
    private static final char PART = '\u0002';

    private final BiFunction<String, V, List<byte[]>> encoder;
    /** Whether a value may be written in several parts, which its later writes and its delete then look for. */
    private final boolean parted;
    private final Map<String, V> changed = new HashMap<>();

    private WriteBehindStore(final KeyValueStore<String, byte[]> inner, final BiFunction<String, V, List<byte[]>> encoder,
                             final boolean parted) {
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

    /** The key part {@code part} of the value of {@code key} is stored under: the key itself for the first. */
    static String partKey(final String key, final int part) {
        return part == 0 ? key : key + PART + part;
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
                inner.put(partKey(e.getKey(), i), parts.get(i));
            }
            deletePartsFrom(e.getKey(), parts.size());
        }
    }

    /** Deletes the parts of {@code key}'s value from part {@code from} on, in a store that writes parts. */
    private void deletePartsFrom(final String key, final int from) {
        if (parted) {
            for (int i = from; inner.get(partKey(key, i)) != null; i++) {
                inner.delete(partKey(key, i));
            }
        }
    }

    @Override
    void forgetChanges() {
        changed.clear();
    }
}
