package io.vigil.evaluation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The series states of one evaluator task, a {@link CommitWrittenStore}: each changed state is encoded once per
 * commit rather than once per datapoint.
 */
public final class SeriesStore extends CommitWrittenStore {

    // The changed states under their own key are a list and a flag on each, not a map: without commits (replay) the
    // list holds every series, and a map entry per series cost more than some of the series' own fields.
    private final List<SeriesState> changed = new ArrayList<>();
    /** Deleted keys, with the length of `changed` at the time: a state listed before its key's deletion is not written. */
    private final Map<String, Integer> deletedAt = new HashMap<>();
    /** Changed states stored under another key than their own (Vigil's self-alerts). */
    private final Map<String, SeriesState> changedElsewhere = new HashMap<>();

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
    }

    @Override
    void writeChanges() {
        for (int i = 0; i < changed.size(); i++) {
            final SeriesState state = changed.get(i);
            state.setUnsaved(false);
            // Built once here: a state holds its key in pieces.
            final String key = state.key();
            if (deletedAt.isEmpty() || deletedAt.getOrDefault(key, -1) <= i) {
                inner.put(key, SeriesStateCodec.encode(key, state));
            }
        }
        for (Map.Entry<String, SeriesState> e : changedElsewhere.entrySet()) {
            inner.put(e.getKey(), SeriesStateCodec.encode(e.getKey(), e.getValue()));
        }
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
