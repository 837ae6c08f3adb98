package io.vigil.evaluation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The series states of one evaluator task, a {@link CommitWrittenStore}: each changed state is encoded once per
 * commit rather than once per datapoint.
 *
 * <p>In the engine its inner store is a {@link LogOnlyStore}: the states live in the evaluator, which takes them at
 * start ({@link #takeStates}) and hands them back when it closes ({@link #handBack}); the store only writes the
 * changelog. What it answers to reads ({@link #get}, {@link #all}: the HTTP API's interactive queries, from other
 * threads) is a view kept at each commit: the encoded states of the series with an alert, and under
 * {@link #WATCHED_KEY} this task's count of series per rule.
 */
public final class SeriesStore extends CommitWrittenStore {

    /** The view's key of this task's series per rule ({@link #encodeWatched}); no series key starts with a NUL. */
    public static final String WATCHED_KEY = "\u0000watched";

    // The changed states under their own key are a list and a flag on each, not a map: without commits (replay) the
    // list holds every series, and a map entry per series cost more than some of the series' own fields.
    private final List<SeriesState> changed = new ArrayList<>();
    /** Deleted keys, with the length of `changed` at the time: a state listed before its key's deletion is not written. */
    private final Map<String, Integer> deletedAt = new HashMap<>();
    /** Changed states stored under another key than their own (Vigil's self-alerts). */
    private final Map<String, SeriesState> changedElsewhere = new HashMap<>();
    /** What reads see: the states with an alert, and this task's series per rule. Read by other threads. */
    private final Map<String, byte[]> view = new ConcurrentHashMap<>();
    private Supplier<byte[]> watched = () -> null;
    /**
     * The keys whose state the changelog holds in parts ({@link RecordParts}: a state of more than 256 KiB, as a
     * window of days of points a second apart makes), with their number of parts; kept across a task's suspension.
     */
    private final Map<String, Integer> inParts = new HashMap<>();

    private SeriesStore(final KeyValueStore<String, byte[]> inner) {
        super(inner);
    }

    /** A builder of this store over the key-value store {@code inner} builds (in memory, changelogged or not). */
    public static StoreBuilder<SeriesStore> builder(final StoreBuilder<KeyValueStore<String, byte[]>> inner) {
        return new Builder<>(inner, SeriesStore::new);
    }

    /** Remembers that {@code state}, stored under its own key, changed; it is encoded at the next commit. */
    void changed(final SeriesState state) {
        if (!state.unsaved()) {
            state.setUnsaved(true);
            changed.add(state);
        }
    }

    /** Remembers that {@code state}, stored under {@code key}, changed; it is encoded at the next commit. */
    void changed(final String key, final SeriesState state) {
        if (state.unsaved()) {
            return;
        }
        if (state.hasKey(key)) {
            state.setUnsaved(true);
            changed.add(state);
        } else {
            changedElsewhere.put(key, state);
        }
    }

    void delete(final String key) {
        changedElsewhere.remove(key);
        deletedAt.put(key, changed.size());
        inner.delete(key);
        final Integer parts = inParts.remove(key);
        if (parts != null) {
            deleteParts(key, 1, parts);
        }
        view.remove(key);
    }

    /**
     * The committed states (store key to encoded state), for an evaluator that starts and from now on holds them
     * itself; {@link #restored} then shows the ones with alerts.
     */
    Map<String, byte[]> takeStates() {
        view.clear();
        final Map<String, byte[]> out = new HashMap<>();
        final LogOnlyStore bottom = logOnly();
        if (bottom != null) {
            for (Map.Entry<Bytes, byte[]> e : bottom.take().entrySet()) {
                out.put(new String(e.getKey().get(), StandardCharsets.UTF_8), e.getValue());
            }
        } else {
            try (KeyValueIterator<String, byte[]> it = inner.all()) {
                while (it.hasNext()) {
                    final KeyValue<String, byte[]> kv = it.next();
                    out.put(kv.key, kv.value);
                }
            }
        }
        RecordParts.join(out, inParts, inner::delete);
        return out;
    }

    /** A state the evaluator took from {@link #takeStates}, decoded: shown to reads if it has an alert. */
    void restored(final String key, final SeriesState state, final byte[] encoded) {
        show(key, state, encoded);
    }

    /**
     * Gives the store back the states of an evaluator that closes (store key to state, encoded only if the store is
     * read again before it closes: a task resumed or turned into a standby). Not when changes are uncommitted: the
     * task is then closed dirty, store included, and restored from its changelog; were it not, {@link #takeStates}
     * fails rather than start the task from nothing.
     */
    void handBack(final Supplier<Map<String, SeriesState>> states) {
        view.clear();
        final LogOnlyStore bottom = logOnly();
        if (bottom == null || !changed.isEmpty() || !changedElsewhere.isEmpty() || !deletedAt.isEmpty()) {
            return;
        }
        bottom.handBack(() -> {
            final Map<Bytes, byte[]> out = new HashMap<>();
            states.get().forEach((key, state) ->
                    out.put(Bytes.wrap(key.getBytes(StandardCharsets.UTF_8)), SeriesStateCodec.encode(key, state)));
            return out;
        });
    }

    /** What {@link #WATCHED_KEY} shows from the next commit on: {@link #encodeWatched} of this task's counts. */
    void showWatched(final Supplier<byte[]> encodedCounts) {
        this.watched = encodedCounts;
    }

    /** Series per rule id, as {@link #WATCHED_KEY} holds them (rule ids are any text: written as UTF). */
    static byte[] encodeWatched(final Map<String, Integer> seriesPerRule) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(seriesPerRule.size());
            for (Map.Entry<String, Integer> e : seriesPerRule.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The counts {@link #encodeWatched} wrote. */
    public static Map<String, Integer> decodeWatched(final byte[] bytes) {
        final Map<String, Integer> out = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            for (int n = in.readInt(); n > 0; n--) {
                out.put(in.readUTF(), in.readInt());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private void show(final String key, final SeriesState state, final byte[] encoded) {
        if (state.hasActiveAlerts()) {
            view.put(key, encoded);
            state.setShown(true);
        } else if (state.shown()) {
            view.remove(key);
            state.setShown(false);
        }
    }

    /** The log-only store under the metering and logging layers, or null if the inner store keeps its records. */
    private LogOnlyStore logOnly() {
        StateStore store = inner;
        while (store instanceof WrappedStateStore<?, ?, ?> wrapped) {
            store = wrapped.wrapped();
        }
        return store instanceof LogOnlyStore bottom ? bottom : null;
    }

    @Override
    void writeChanges() {
        for (int i = 0; i < changed.size(); i++) {
            final SeriesState state = changed.get(i);
            state.setUnsaved(false);
            // Built once here: a state holds its key in pieces.
            final String key = state.key();
            if (deletedAt.isEmpty() || deletedAt.getOrDefault(key, -1) <= i) {
                write(key, state, SeriesStateCodec.encodeUnderOwnKey(state));
            }
        }
        for (Map.Entry<String, SeriesState> e : changedElsewhere.entrySet()) {
            write(e.getKey(), e.getValue(), SeriesStateCodec.encode(e.getKey(), e.getValue()));
        }
        final byte[] counts = watched.get();
        if (counts != null) {
            view.put(WATCHED_KEY, counts);
        }
    }

    private void write(final String key, final SeriesState state, final byte[] encoded) {
        if (encoded.length <= RecordParts.MAX_BYTES && inParts.isEmpty()) {
            inner.put(key, encoded);
        } else {
            writeInParts(key, encoded);
        }
        show(key, state, encoded);
    }

    /** Writes a state in as many parts as it needs, and deletes the parts it had beyond those. */
    private void writeInParts(final String key, final byte[] encoded) {
        final List<byte[]> parts = RecordParts.split(encoded);
        for (int i = 0; i < parts.size(); i++) {
            inner.put(RecordParts.partKey(key, i), parts.get(i));
        }
        final Integer before = parts.size() > 1 ? inParts.put(key, parts.size()) : inParts.remove(key);
        if (before != null) {
            deleteParts(key, parts.size(), before);
        }
    }

    /** Deletes parts {@code [from, to)} of the state of {@code key}. */
    private void deleteParts(final String key, final int from, final int to) {
        for (int i = Math.max(from, 1); i < to; i++) {
            inner.delete(RecordParts.partKey(key, i));
        }
    }

    @Override
    void closing() {
        view.clear();
        // Closed, the store is restored from its changelog, whose parts takeStates finds again.
        inParts.clear();
    }

    @Override
    public byte[] get(final String key) {
        return view.get(key);
    }

    @Override
    public KeyValueIterator<String, byte[]> range(final String from, final String to) {
        return SortedEntries.of(view, from, to);
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
        return range(null, null);
    }

    @Override
    public long approximateNumEntries() {
        return view.size();
    }

    @Override
    void forgetChanges() {
        for (SeriesState state : changed) {
            state.setUnsaved(false);
        }
        changed.clear();
        deletedAt.clear();
        changedElsewhere.clear();
    }
}
