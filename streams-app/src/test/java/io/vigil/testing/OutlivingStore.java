package io.vigil.testing;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/** For tests of what a store holds across a restart: the changelog that outlives a task, as one bytes store. */
public final class OutlivingStore {

    private OutlivingStore() {
    }

    /** A supplier of {@code bytes} itself, however many times a store is built over it (an in-memory store's scope). */
    public static KeyValueBytesStoreSupplier of(final KeyValueStore<Bytes, byte[]> bytes) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return bytes.name();
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return bytes;
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }
}
