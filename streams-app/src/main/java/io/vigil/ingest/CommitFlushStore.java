package io.vigil.ingest;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A store that holds nothing and runs its processor's flush just before each commit of its task: how
 * {@link IngestProcessor} sends what its {@link SeriesBundler} has buffered inside the transaction that commits the
 * input it came from, and writes its progress once per commit. It runs one flush: each processor has its own.
 *
 * <p>Kafka Streams has no pre-commit callback for processors; {@code StreamTask.prepareCommit} calls
 * {@link CachedStateStore#flushCache()} on every store of the task that implements it, before it flushes the
 * producer and commits the input offsets (its own record caches forward their dirty entries there, the same way).
 * evaluation's WriteBehindStore uses the same hook. It is an internal interface of Kafka Streams, pinned with Kafka's
 * version. Neither logged nor persistent: what it would hold is rebuilt by replaying uncommitted input.
 */
public final class CommitFlushStore implements StateStore, CachedStateStore<Object, Object> {

    private final String name;
    private Runnable beforeCommit = () -> { };
    private boolean open;

    private CommitFlushStore(final String name) {
        this.name = name;
    }

    public static StoreBuilder<CommitFlushStore> builder(final String name) {
        return new Builder(name);
    }

    /** Runs {@code flush} before each commit of this store's task, until replaced (a processor's {@code init}). */
    public void beforeCommit(final Runnable flush) {
        this.beforeCommit = flush;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public void clearCache() {
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener<Object, Object> listener, final boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        // Registered, or the task's state manager would not know the store and never call flushCache.
        context.register(root, (key, value) -> {
        });
        open = true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        beforeCommit = () -> { };
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    private record Builder(String name) implements StoreBuilder<CommitFlushStore> {

        @Override
        public StoreBuilder<CommitFlushStore> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<CommitFlushStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<CommitFlushStore> withLoggingEnabled(final Map<String, String> config) {
            throw new UnsupportedOperationException("the commit flush store has no state to log");
        }

        @Override
        public StoreBuilder<CommitFlushStore> withLoggingDisabled() {
            return this;
        }

        @Override
        public CommitFlushStore build() {
            return new CommitFlushStore(name);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return name;
        }
    }
}
