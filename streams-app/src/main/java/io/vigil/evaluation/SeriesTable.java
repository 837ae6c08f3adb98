package io.vigil.evaluation;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The series states of one task by key: an open-addressing table of the states themselves, each knowing its key.
 * A {@code HashMap} spent a 32-byte node and a table slot (about 40 bytes) on each of a million series;
 * this spends one slot and two bytes beside it (its class and its tag): 8 to 16 bytes, as full as the table is.
 *
 * <p>Linear probing; a removed state leaves a tombstone until the next resize, so that removing while iterating (the
 * evaluation pass forgets series as it goes) moves nothing the iterator has yet to see. Beside each slot, a byte of
 * its state's hash ({@link #tags}): a lookup passes the states in other slots of its run by that byte, not by
 * reading each state. Not thread-safe, like the task that owns it.
 */
final class SeriesTable implements Iterable<SeriesState> {

    private static final SeriesState TOMBSTONE = new SeriesState(new Series("removed", Labels.EMPTY));
    private static final int MIN_CAPACITY = 16;

    private SeriesState[] slots = new SeriesState[MIN_CAPACITY];
    /**
     * Beside each slot, its state's {@link SeriesState#visitClass()}: an evaluation pass that visits some classes only
     * reads these bytes in order, where reading the class from each state cost a cache miss per series skipped.
     */
    private byte[] classes = new byte[MIN_CAPACITY];
    /**
     * Beside each slot, {@link #tag} of its state's hash. A table is 3/8 to 3/4 full, so a lookup passes about one
     * other state in two before its own, and reading a state is a cache miss where a fleet's states outgrow the
     * cache: the tag leaves one passed state in 256 to be read. One byte more per slot, 1.3 to 2.7 per state.
     */
    private byte[] tags = new byte[MIN_CAPACITY];
    /** Live states. */
    private int size;
    /** Live states and tombstones: what makes probes long. */
    private int used;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    SeriesState get(final String key) {
        final SeriesState[] table = slots;
        final int mask = table.length - 1;
        final byte[] tagOf = tags;
        final int hash = key.hashCode();
        final byte tag = tag(hash);
        for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
            final SeriesState s = table[i];
            if (s == null) {
                return null;
            }
            // The hash first: a state's key is in pieces, and probes pass states whose first piece is the same.
            if (tagOf[i] == tag && s.keyHash() == hash && s != TOMBSTONE && s.hasKey(key)) {
                return s;
            }
        }
    }

    /**
     * The state of the series whose key is the ASCII bytes {@code key[offset, offset + length)}, of hash {@code hash}
     * ({@link KeyBytes#hash}), or null: {@link #get(String)} without the key string.
     */
    SeriesState get(final byte[] key, final int offset, final int length, final int hash) {
        final SeriesState[] table = slots;
        final byte[] tagOf = tags;
        final int mask = table.length - 1;
        final byte tag = tag(hash);
        for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
            final SeriesState s = table[i];
            if (s == null) {
                return null;
            }
            if (tagOf[i] == tag && s.keyHash() == hash && s != TOMBSTONE && s.hasKey(key, offset, length, hash)) {
                return s;
            }
        }
    }

    /**
     * The state of the series whose key is the interned pieces {@code head} and {@code tail}, of hash {@code hash}, or
     * null: {@link #get(String)} comparing references, not the key's characters. A probe loop of its own, as the
     * other two have: one loop taking the comparison as a function would put a call into each lookup of every point.
     */
    SeriesState get(final int hash, final String head, final String tail) {
        final SeriesState[] table = slots;
        final byte[] tagOf = tags;
        final int mask = table.length - 1;
        final byte tag = tag(hash);
        for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
            final SeriesState s = table[i];
            if (s == null) {
                return null;
            }
            // The tombstone's key is a series' too ("removed{}"): it is skipped as in the other lookups.
            if (tagOf[i] == tag && s.keyHash() == hash && s != TOMBSTONE && s.hasKey(head, tail)) {
                return s;
            }
        }
    }

    /**
     * The state in the first slot a key of hash {@code hash} would be in, or null: read ahead of {@link #get}, so that
     * the memory a lookup will touch is being fetched while other work goes on.
     */
    SeriesState firstCandidate(final int hash) {
        final SeriesState[] table = slots;
        return table[slot(hash, table.length - 1)];
    }

    /** Holds {@code state} under its key, in place of any state held under it. Not while iterating. */
    void put(final SeriesState state) {
        if ((used + 1) * 4L > slots.length * 3L) {
            resize();
        }
        final int mask = slots.length - 1;
        int free = -1;
        for (int i = slot(state.keyHash(), mask); ; i = (i + 1) & mask) {
            final SeriesState s = slots[i];
            if (s == null) {
                if (free < 0) {
                    free = i;
                    used++;
                }
                slots[free] = state;
                classes[free] = state.visitClass();
                tags[free] = tag(state.keyHash());
                size++;
                return;
            }
            if (s == TOMBSTONE) {
                if (free < 0) {
                    free = i;
                }
            } else if (s.sameKey(state)) {
                slots[i] = state;
                classes[i] = state.visitClass();
                tags[i] = tag(state.keyHash());
                return;
            }
        }
    }

    private static int slot(final int hash, final int mask) {
        return (hash ^ (hash >>> 16)) & mask;
    }

    /**
     * A byte of {@code hash} told apart from its slot: the top byte after a Fibonacci multiply, where the slot is
     * made of the low bits, so that the states of one run (whose slots are near) still differ in it.
     */
    private static byte tag(final int hash) {
        return (byte) ((hash * 0x9E3779B9) >>> 24);
    }

    /**
     * Rebuilds the table without tombstones, with at least twice the live states' slots; it is rebuilt again once 3/4
     * full, so a table is between about 3/8 and 3/4 full: 8 to 16 bytes per state.
     */
    private void resize() {
        int capacity = MIN_CAPACITY;
        while (capacity < (size + 1) * 2L) {
            capacity <<= 1;
        }
        final SeriesState[] old = slots;
        slots = new SeriesState[capacity];
        classes = new byte[capacity];
        tags = new byte[capacity];
        size = 0;
        used = 0;
        final int mask = capacity - 1;
        for (SeriesState s : old) {
            if (s != null && s != TOMBSTONE) {
                int i = slot(s.keyHash(), mask);
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = s;
                classes[i] = s.visitClass();
                tags[i] = tag(s.keyHash());
                size++;
                used++;
            }
        }
    }

    /** Reads each state's visit class again, after they changed (a rule reload). */
    void reclassify() {
        for (int i = 0; i < slots.length; i++) {
            classes[i] = slots[i] == null || slots[i] == TOMBSTONE ? 0 : slots[i].visitClass();
        }
    }

    /** The states, in no particular order; {@link Iterator#remove} is supported, {@link #put} is not meanwhile. */
    @Override
    public Iterator<SeriesState> iterator() {
        return iterator(null);
    }

    /**
     * {@link #iterator()} over the states whose visit class {@code c} has {@code visit[c]} set, or all states if
     * {@code visit} is null.
     */
    Iterator<SeriesState> iterator(final boolean[] visit) {
        return new Iterator<>() {
            private final SeriesState[] table = slots;
            private final byte[] classOf = classes;
            private int next = advance(0);
            private int last = -1;

            private int advance(final int from) {
                int i = from;
                while (i < table.length
                        && (visit != null && !visit[classOf[i]] || table[i] == null || table[i] == TOMBSTONE)) {
                    i++;
                }
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < table.length;
            }

            @Override
            public SeriesState next() {
                if (next >= table.length) {
                    throw new NoSuchElementException();
                }
                last = next;
                next = advance(next + 1);
                return table[last];
            }

            @Override
            public void remove() {
                if (last < 0 || table[last] == TOMBSTONE) {
                    throw new IllegalStateException();
                }
                table[last] = TOMBSTONE;
                size--;
            }
        };
    }
}
