package io.vigil.app;

import java.util.NoSuchElementException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The share of a store that an instance holding none of its tasks has: nothing. */
final class EmptyStore implements ReadOnlyKeyValueStore<String, byte[]> {

    static final EmptyStore INSTANCE = new EmptyStore();

    private EmptyStore() {
    }

    @Override
    public byte[] get(final String key) {
        return null;
    }

    @Override
    public KeyValueIterator<String, byte[]> range(final String from, final String to) {
        return new Nothing();
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
        return new Nothing();
    }

    @Override
    public long approximateNumEntries() {
        return 0;
    }

    private static final class Nothing implements KeyValueIterator<String, byte[]> {
        @Override
        public void close() {
        }

        @Override
        public String peekNextKey() {
            throw new NoSuchElementException();
        }

        @Override
        public boolean hasNext() {
            return false;
        }

        @Override
        public KeyValue<String, byte[]> next() {
            throw new NoSuchElementException();
        }
    }
}
