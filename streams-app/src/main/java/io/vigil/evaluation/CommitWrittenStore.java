package io.vigil.evaluation;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A changelogged store of an evaluation task that is written once per commit rather than once per change.
 *
 * <p>Evaluation changes its state far more often than it commits: every datapoint changes its series' state, and
 * progress moves on every pass. Writing each change through to the changelog was the engine's largest cost. The
 * task's state lives in memory anyway, so a subclass only remembers what changed since the last commit and writes it
 * to the inner store (and so to the changelog) when Kafka Streams flushes the task's stores just before it commits.
 * Exactly-once holds: the writes land in the changelog inside the same transaction as the input offsets they reflect,
 * and a task that dies uncommitted is rebuilt from the changelog and replays its input, as before.
 *
 * <p>That hook is {@link CachedStateStore#flushCache()}, which {@code StreamTask.prepareCommit} calls on every store
 * that implements it (Kafka's record caches use it the same way); it is an internal interface of Kafka Streams, pinned
 * with Kafka's version. Without commits ({@code vigil replay}) nothing is ever encoded, which is what a replay wants.
 * Reads ({@link #get}, {@link #all}: restore, {@code /api/alerts}) see the committed values, unless a subclass
 * says otherwise.
 */
public abstract class CommitWrittenStore implements StateStore, ReadOnlyKeyValueStore<String, byte[]>,
        CachedStateStore<String, byte[]> {

    protected final KeyValueStore<String, byte[]> inner;

    /** How many commits this store has seen; none ever without commits ({@code vigil replay}). */
    private long commits;

    CommitWrittenStore(final KeyValueStore<String, byte[]> inner) {
        this.inner = inner;
    }

    /** How many commits this store has written; a task's next record after one is processed after that commit. */
    public final long commits() {
        return commits;
    }

    /** Writes to {@link #inner} what changed since the last commit. */
    abstract void writeChanges();

    /** Forgets what changed since the last commit, written or not. */
    abstract void forgetChanges();

    @Override
    public final void flushCache() {
        commits++;
        writeChanges();
        forgetChanges();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    @Override
    public final void clearCache() {
        forgetChanges();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public final boolean setFlushListener(final CacheFlushListener<String, byte[]> listener, final boolean sendOldValues) {
        return false;
    }

    @Override
    public final String name() {
        return inner.name();
    }

    @Override
    public final void init(final StateStoreContext context, final StateStore root) {
        forgetChanges();
        inner.init(context, root);
    }

    @Override
    public final void flush() {
        inner.flush();
    }

    @Override
    public final void close() {
        forgetChanges();
        closing();
        inner.close();
    }

    /** What a subclass drops when the store closes, beyond the changes. */
    void closing() {
    }

    @Override
    public final boolean persistent() {
        return inner.persistent();
    }

    @Override
    public final boolean isOpen() {
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

    /** Builds a store {@code over} the key-value store {@code inner} builds (in memory, changelogged or not). */
    record Builder<S extends CommitWrittenStore>(StoreBuilder<KeyValueStore<String, byte[]>> inner,
                                                 Function<KeyValueStore<String, byte[]>, S> over)
            implements StoreBuilder<S> {

        @Override
        public StoreBuilder<S> withCachingEnabled() {
            return new Builder<>(inner.withCachingEnabled(), over);
        }

        @Override
        public StoreBuilder<S> withCachingDisabled() {
            return new Builder<>(inner.withCachingDisabled(), over);
        }

        @Override
        public StoreBuilder<S> withLoggingEnabled(final Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config), over);
        }

        @Override
        public StoreBuilder<S> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled(), over);
        }

        @Override
        public S build() {
            return over.apply(inner.build());
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
