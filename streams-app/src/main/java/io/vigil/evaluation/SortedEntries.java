package io.vigil.evaluation;

import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** A store's range read over a plain map: the entries from {@code from} to {@code to} (inclusive, null: open), sorted. */
final class SortedEntries<K extends Comparable<K>, V> implements KeyValueIterator<K, V> {

    private final Iterator<KeyValue<K, V>> entries;
    /** The entry {@link #next} returns, read ahead so that {@link #peekNextKey} can tell its key; null at the end. */
    private KeyValue<K, V> ahead;

    private SortedEntries(final Iterator<KeyValue<K, V>> entries) {
        this.entries = entries;
        this.ahead = entries.hasNext() ? entries.next() : null;
    }

    static <K extends Comparable<K>, V> KeyValueIterator<K, V> of(final Map<K, V> map, final K from, final K to) {
        return new SortedEntries<>(map.entrySet().stream()
                .filter(e -> (from == null || e.getKey().compareTo(from) >= 0)
                        && (to == null || e.getKey().compareTo(to) <= 0))
                .sorted(Map.Entry.comparingByKey())
                .map(e -> KeyValue.pair(e.getKey(), e.getValue()))
                .iterator());
    }

    @Override
    public boolean hasNext() {
        return ahead != null;
    }

    @Override
    public KeyValue<K, V> next() {
        if (ahead == null) {
            throw new NoSuchElementException();
        }
        final KeyValue<K, V> out = ahead;
        ahead = entries.hasNext() ? entries.next() : null;
        return out;
    }

    @Override
    public void close() {
    }

    @Override
    public K peekNextKey() {
        if (ahead == null) {
            throw new NoSuchElementException();
        }
        return ahead.key;
    }
}
