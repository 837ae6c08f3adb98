package io.vigil.evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The bottom of the engine's series store: what is written to it reaches the changelog (through Kafka Streams'
 * logging layer above it) and is kept nowhere else, because the evaluator holds every series' state in memory anyway.
 * An in-memory store here kept a second, encoded copy of every state (about as many bytes as the state itself) and
 * sorted it into a tree at every commit.
 *
 * <p>So it holds records only while no evaluator does: what a restore brings (until the evaluator takes it, see
 * {@link #take}) and what an evaluator hands back when it closes without losing its task's store (a task suspended
 * and resumed, or turned into a standby: {@link #handBack}, encoded only if something reads them). A standby task
 * keeps restoring into it, as into any store.
 */
final class LogOnlyStore implements KeyValueStore<Bytes, byte[]> {

    private final String name;
    /** Whole records by key while no evaluator holds them; empty while one does. */
    private Map<Bytes, byte[]> held = new HashMap<>();
    /** Records handed back and not encoded yet (then {@code held} is empty), or null. */
    private Supplier<Map<Bytes, byte[]>> handedBack;
    /** Whether an evaluator holds the records (took them and has not handed them back). */
    private boolean taken;
    private boolean open;

    LogOnlyStore(final String name) {
        this.name = name;
    }

    /** A supplier of these stores, for {@code Stores.keyValueStoreBuilder}. */
    static KeyValueBytesStoreSupplier supplier(final String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new LogOnlyStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }

    /**
     * The records held, for an evaluator that from now on holds them itself: the store keeps none until
     * {@link #handBack}. Fails if another evaluator already took them and never handed them back, which would
     * otherwise start the task from nothing.
     */
    Map<Bytes, byte[]> take() {
        if (taken) {
            throw new IllegalStateException("the series states of store " + name + " are held by an evaluator that "
                    + "closed without handing them back; the task must be restored from its changelog");
        }
        final Map<Bytes, byte[]> records = held();
        held = new HashMap<>();
        taken = true;
        return records;
    }

    /**
     * The whole records of an evaluator that closes while this store may stay open, encoded when first read (most
     * closes are followed by the store's own close, which reads nothing).
     */
    void handBack(final Supplier<Map<Bytes, byte[]>> records) {
        held = new HashMap<>();
        handedBack = records;
        taken = false;
    }

    private Map<Bytes, byte[]> held() {
        if (handedBack != null) {
            held = new HashMap<>(handedBack.get());
            handedBack = null;
        }
        return held;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        forget();
        context.register(root, (key, value) -> put(Bytes.wrap(key), value));
        open = true;
    }

    private void forget() {
        held = new HashMap<>();
        handedBack = null;
        taken = false;
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        if (!taken) {
            // A restore's records; while an evaluator holds the states, its writes only reach the changelog above.
            if (value == null) {
                held().remove(key);
            } else {
                held().put(key, value);
            }
        }
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        final byte[] old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> e : entries) {
            put(e.key, e.value);
        }
    }

    @Override
    public byte[] delete(final Bytes key) {
        final byte[] old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public byte[] get(final Bytes key) {
        return held().get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return SortedEntries.of(held(), from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return range(null, null);
    }

    @Override
    public long approximateNumEntries() {
        return held().size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        forget();
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

    @Override
    public <R> QueryResult<R> query(final Query<R> query, final PositionBound positionBound, final QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public Position getPosition() {
        return Position.emptyPosition();
    }
}
