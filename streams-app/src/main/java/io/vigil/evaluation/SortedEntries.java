package io.vigil.evaluation;

import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** A store's range read over a plain map: the entries from {@code from} to {@code to} (inclusive, null: open), sorted. */
final class SortedEntries<K extends Comparable<K>, V> implements KeyValueIterator<K, V> {

    private final Iterator<Map.Entry<K, V>> entries;

    private SortedEntries(final Iterator<Map.Entry<K, V>> entries) {
        this.entries = entries;
    }

    static <K extends Comparable<K>, V> KeyValueIterator<K, V> of(final Map<K, V> map, final K from, final K to) {
        return new SortedEntries<>(map.entrySet().stream()
                .filter(e -> (from == null || e.getKey().compareTo(from) >= 0)
                        && (to == null || e.getKey().compareTo(to) <= 0))
                .sorted(Map.Entry.comparingByKey())
                .map(e -> Map.entry(e.getKey(), e.getValue()))
                .iterator());
    }

    @Override
    public boolean hasNext() {
        return entries.hasNext();
    }

    @Override
    public KeyValue<K, V> next() {
        final Map.Entry<K, V> e = entries.next();
        return KeyValue.pair(e.getKey(), e.getValue());
    }

    @Override
    public void close() {
    }

    @Override
    public K peekNextKey() {
        throw new UnsupportedOperationException("peekNextKey");
    }
}
