package io.vigil.ingest;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The label sets and metric names (and the last RFC 3339 timestamp) the ingest tasks of a thread have read before,
 * found by their bytes in the input. A fleet sends every series again at every scrape, in the same bytes, and reading a
 * label set (a string per name and value), checking it, sorting it and writing its part of the series key was most of
 * ingest's work per datapoint; a label set found here is none of that. {@link PlainNativeJson} uses it; what it decides
 * is what it would have decided reading the bytes, as identical bytes read identically. A label set that opens with its
 * {@code __name__} (as prometheus-kafka-adapter writes every one) is kept by the bytes after that label, so that it is
 * one label set for all the metrics of a target, as where the name stands apart; each datapoint brings its name.
 *
 * <p>Only label sets that the validator accepts are kept, each with the limits it was checked against. Bounded: at
 * most {@value #MAX_LABEL_SETS} label sets of at most {@value #MAX_LABEL_SET_BYTES} bytes for each ingest task that
 * uses it, and {@value #MAX_NAMES} metric names; a full table keeps what it holds and lets go only of what has not been
 * found for a while ({@link Table}). One per stream thread ({@link ByThread}), shared by the ingest tasks it runs: a
 * fleet sends each target's label set to most partitions (its series spread over them), and the tasks of one thread
 * so keep it once, not once each. Not thread-safe: only the count of tasks is changed from other threads.
 */
public final class KnownLabels {

    /**
     * Label sets kept per ingest task sharing the table: several megabytes at most per task (the bytes read, the
     * {@link Labels} and their strings, the key's part, its series: about 850 bytes for a label set of four with five
     * series, in the memory measurement). Label sets beyond it are read at every scrape: a fleet of 10,000 targets
     * caught up at 0.64x the rate with 4,096 per task as with this bound (docs/performance-log.md, the thirty-ninth
     * round).
     */
    static final int MAX_LABEL_SETS = 8_192;
    /** Longer label sets are read every time: copying and comparing them would cost about as much. */
    static final int MAX_LABEL_SET_BYTES = 1_024;
    /** Metric names kept; a fleet has a few hundred. */
    static final int MAX_NAMES = 1_024;
    /** Longer names are read every time. */
    static final int MAX_NAME_BYTES = 256;
    /**
     * Series kept per ingest task sharing the table, over all label sets: a label set's series are kept while it is,
     * and none more once this many are. About 50 bytes each (the series and two array slots; their keys' bytes are
     * their label set's), and the key string once evaluation has asked for it.
     */
    static final int MAX_SERIES = 4 * MAX_LABEL_SETS;
    /** Series kept per label set: a fleet's exporters send a handful of metric names under each label set. */
    static final int MAX_SERIES_PER_LABEL_SET = 16;
    /**
     * A full table lets go of what it has not found for this long (up to twice this), at most this often: a target
     * is scraped every minute or so, and its label set, read at every scrape, is found well within it.
     */
    static final long UNUSED_MS = 5 * 60_000L;
    /** Longer timestamp strings are read every time (RFC 3339 with nanoseconds and an offset is 35 bytes). */
    static final int MAX_TIMESTAMP_BYTES = 40;

    /** The reader of plain native JSON that uses these, made once: one per thread, as these are. */
    private final PlainNativeJson reader = new PlainNativeJson(this);
    private final Table labelSets = new Table(MAX_LABEL_SETS, this::letGo);
    private final Table names = new Table(MAX_NAMES, name -> { });
    /** The ingest tasks using this table ({@link #join}), which its bounds are counted by: at least one. */
    private final AtomicInteger tasks = new AtomicInteger();
    /** Series kept by the label sets in {@link #labelSets}. */
    private int series;
    /** Series kept at most: {@link #MAX_SERIES} per task, as the label sets. */
    private int maxSeries = MAX_SERIES;
    // The last RFC 3339 timestamp read, as its bytes, and the milliseconds it read as: the datapoints of a scrape, and
    // all those written within one second, share it (the adapter writes it to the second).
    private final byte[] lastTimestamp = new byte[MAX_TIMESTAMP_BYTES];
    private int lastTimestampLength = -1;
    private long lastTimestampMs;

    /** A label set the validator accepted, ready to make series of. */
    static final class LabelSet {
        /** What it was checked against: another validator's limits may not accept it. */
        final IngestLimits limits;
        /** Sorted, without {@code __name__} and empty values. */
        final Labels labels;
        /** Its {@code __name__} label, or null: the metric name of a datapoint without {@code name}. */
        final String metricName;
        /** {@link io.vigil.model.Series#labelsKey(Labels)} of {@link #labels}. */
        final byte[] key;

        /** Where this label set is kept, which bounds the series kept: null until it is. */
        private KnownLabels keptBy;
        /** The series made of it, by metric name: one per name, not one per datapoint. */
        private String[] seriesNames;
        private Series[] series;
        private int seriesCount;

        LabelSet(final IngestLimits limits, final Labels labels, final String metricName, final byte[] key) {
            this.limits = limits;
            this.labels = labels;
            this.metricName = metricName;
            this.key = key;
        }

        /**
         * The series of metric {@code name} and these labels. A series is made once per name and then given again:
         * with it its key's hashes, which ingest would otherwise compute at every scrape.
         */
        Series series(final String name) {
            for (int i = 0; i < seriesCount; i++) {
                // Names read from the input are the same strings each time (KnownLabels#metricName).
                if (seriesNames[i] == name) {
                    return series[i];
                }
            }
            for (int i = 0; i < seriesCount; i++) {
                if (seriesNames[i].equals(name)) {
                    return series[i];
                }
            }
            final Series made = Series.withLabelsKey(name, labels, key);
            if (keptBy != null && seriesCount < MAX_SERIES_PER_LABEL_SET && keptBy.series < keptBy.maxSeries) {
                if (seriesNames == null || seriesCount == seriesNames.length) {
                    final int capacity = seriesNames == null ? 4 : Math.min(2 * seriesCount, MAX_SERIES_PER_LABEL_SET);
                    seriesNames = seriesNames == null ? new String[capacity] : Arrays.copyOf(seriesNames, capacity);
                    series = series == null ? new Series[capacity] : Arrays.copyOf(series, capacity);
                }
                seriesNames[seriesCount] = name;
                series[seriesCount++] = made;
                keptBy.series++;
            }
            return made;
        }
    }

    /**
     * The tables of each thread that reads with them, for the ingest tasks of one topology: a task takes its thread's
     * ({@link #ofThisThread}) and {@link #join}s it. A thread's table goes with the thread; once this is unreachable,
     * the thread drops it when it next clears its stale thread-locals. A topology built again starts with tables of
     * its own.
     */
    public static final class ByThread {
        private final ThreadLocal<KnownLabels> tables = ThreadLocal.withInitial(KnownLabels::new);

        /** The calling thread's table. */
        KnownLabels ofThisThread() {
            return tables.get();
        }
    }

    /** Counts one more ingest task reading with this table: its bounds grow by what one task may keep. */
    void join() {
        tasks.incrementAndGet();
    }

    /**
     * Counts one task fewer; any thread may call it (a task is closed where Kafka Streams closes it). The table
     * shrinks to its bound when it next keeps a label set.
     */
    void leave() {
        tasks.decrementAndGet();
    }

    /** The ingest tasks counted in; for tests. */
    int tasks() {
        return tasks.get();
    }

    /** The plain native JSON reader that finds label sets here. */
    PlainNativeJson reader() {
        return reader;
    }

    /** The label set read before from {@code in[from, to)}, of {@link #hash} {@code hash}, or null. */
    LabelSet labelSet(final byte[] in, final int from, final int to, final int hash) {
        return to - from > MAX_LABEL_SET_BYTES ? null : (LabelSet) labelSets.get(in, from, to, hash);
    }

    /** Keeps {@code labelSet}, read from {@code in[from, to)} at {@code nowMs}. */
    void add(final byte[] in, final int from, final int to, final LabelSet labelSet, final long nowMs) {
        if (to - from > MAX_LABEL_SET_BYTES) {
            return;
        }
        final int sharing = Math.max(1, tasks.get());
        maxSeries = MAX_SERIES * sharing;
        labelSets.bound(MAX_LABEL_SETS * sharing, nowMs);
        if (labelSets.put(in, from, to, labelSet, nowMs)) {
            labelSet.keptBy = this;
        }
    }

    /** A label set the table let go of: its series go with it, and it keeps no more. */
    private void letGo(final Object labelSet) {
        final LabelSet gone = (LabelSet) labelSet;
        series -= gone.seriesCount;
        gone.keptBy = null;
    }

    /**
     * The metric name at {@code in[from, to)} (printable ASCII, as {@link PlainNativeJson} reads it) when it is a
     * valid one ({@link NameSyntax#isMetricName}), the same string each time it is read: one string per name rather
     * than one per datapoint, checked once. Null for any other name. Read at {@code nowMs}.
     */
    String metricName(final byte[] in, final int from, final int to, final long nowMs) {
        return metricName(in, from, to, hash(in, from, to), nowMs);
    }

    /** {@link #metricName(byte[], int, int, long)} of a name whose {@link #hash} is known. */
    String metricName(final byte[] in, final int from, final int to, final int hash, final long nowMs) {
        if (to - from > MAX_NAME_BYTES) {
            return null;
        }
        final String known = (String) names.get(in, from, to, hash);
        if (known != null) {
            return known;
        }
        final String name = new String(in, from, to - from, StandardCharsets.ISO_8859_1);
        if (!NameSyntax.isMetricName(name)) {
            return null;
        }
        names.put(in, from, to, name, nowMs);
        return name;
    }

    /**
     * Where the string whose text starts at {@code in[from]} ends (its closing quote) if that text is the last
     * timestamp remembered, byte for byte; else -1.
     */
    int lastTimestampEnd(final byte[] in, final int from) {
        final int end = from + lastTimestampLength;
        return lastTimestampLength >= 0 && end < in.length && in[end] == '"'
                && ByteWords.same(in, from, lastTimestamp, 0, lastTimestampLength) ? end : -1;
    }

    /** The milliseconds of the last timestamp remembered. */
    long lastTimestampMs() {
        return lastTimestampMs;
    }

    /** Remembers the plain string {@code in[from, to)}, read as the timestamp {@code ms}. */
    void rememberTimestamp(final byte[] in, final int from, final int to, final long ms) {
        if (to - from <= MAX_TIMESTAMP_BYTES) {
            System.arraycopy(in, from, lastTimestamp, 0, to - from);
            lastTimestampLength = to - from;
            lastTimestampMs = ms;
        }
    }

    /** Label sets kept now; for tests. */
    int labelSets() {
        return labelSets.size;
    }

    /**
     * Values by their bytes: open addressing, linear probing, at most half full (it grows to its bound). Full, it
     * keeps what it holds and refuses what is new; and, at most once per {@link #UNUSED_MS}, lets go of what it has
     * not found since it last did (or since it filled), which makes room for the new. A task reading more label sets
     * than this, each once a scrape, so finds those it kept at every scrape after, where a table emptied when full
     * found none; label sets that stop coming (a target gone) give way to those that come instead within twice that
     * time.
     */
    private static final class Table {
        /** Slots to start with: a small fleet's label sets, and a test's, need no more. */
        private static final int FIRST_SLOTS = 256;
        private int max;
        private int mask;
        private int[] hashes;
        private byte[][] keys;
        private Object[] values;
        /** Found since the last sweep, or since the table filled: kept by the next sweep. */
        private boolean[] found;
        /** Told of each value let go. */
        private final Consumer<Object> letGo;
        private int size;
        /** When the last sweep was, or when the table filled if later, by the task's wall clock. */
        private long sweptMs;

        Table(final int max, final Consumer<Object> letGo) {
            this.max = max;
            this.letGo = letGo;
            slots(Math.min(FIRST_SLOTS, Integer.highestOneBit(max) * 2));
        }

        /** The value kept for {@code in[from, to)}, of {@link #hash} {@code hash}, or null. */
        Object get(final byte[] in, final int from, final int to, final int hash) {
            final int length = to - from;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                final byte[] key = keys[i];
                if (key == null) {
                    return null;
                }
                if (hashes[i] == hash && key.length == length && Arrays.equals(key, 0, length, in, from, to)) {
                    if (size == max) {
                        found[i] = true; // filling clears the marks: until then they would be one more store a find
                    }
                    return values[i];
                }
            }
        }

        /**
         * Keeps at most {@code bound} entries from {@code nowMs} on; if it holds more, it lets go of them all (the
         * tasks sharing it fewer: rare, and what they read next fills it again).
         */
        void bound(final int bound, final long nowMs) {
            if (bound == max) {
                return;
            }
            if (size > bound) {
                for (int i = 0; i <= mask; i++) {
                    if (keys[i] != null) {
                        letGo.accept(values[i]);
                    }
                }
                size = 0;
                slots(Math.min(FIRST_SLOTS, Integer.highestOneBit(bound) * 2));
            }
            max = bound;
            if (size == max) {
                Arrays.fill(found, false); // full from now, as if it had just filled
                sweptMs = nowMs;
            }
        }

        /** Keeps {@code value} for {@code in[from, to)}, read at {@code nowMs}, unless full; true if it is kept. */
        boolean put(final byte[] in, final int from, final int to, final Object value, final long nowMs) {
            final int hash = hash(in, from, to);
            final int length = to - from;
            int i = hash & mask;
            while (keys[i] != null) {
                if (hashes[i] == hash && keys[i].length == length && Arrays.equals(keys[i], 0, length, in, from, to)) {
                    if (values[i] != value) {
                        letGo.accept(values[i]);
                    }
                    values[i] = value;
                    return true;
                }
                i = (i + 1) & mask;
            }
            if (size >= max && (nowMs - sweptMs < UNUSED_MS || !sweep(nowMs))) {
                return false;
            }
            if (2 * (size + 1) > mask + 1) {
                rehash(true);
            }
            i = hash & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            hashes[i] = hash;
            keys[i] = Arrays.copyOfRange(in, from, to);
            values[i] = value;
            if (++size == max) {
                // What is not found from now on for as long as the sweeps wait goes at the first.
                Arrays.fill(found, false);
                sweptMs = nowMs;
            }
            return true;
        }

        /** Lets go of the entries not found since the last sweep; true if any went. */
        private boolean sweep(final long nowMs) {
            sweptMs = nowMs;
            int unfound = 0;
            for (int i = 0; i <= mask; i++) {
                if (keys[i] != null && !found[i]) {
                    letGo.accept(values[i]);
                    keys[i] = null; // a hole linear probing must not meet: rehash places the others anew
                    values[i] = null;
                    unfound++;
                }
            }
            if (unfound > 0) {
                size -= unfound;
                rehash(false);
            }
            Arrays.fill(found, false);
            return unfound > 0;
        }

        /**
         * Places the entries anew, in twice the slots if {@code grow}: after a sweep left holes in their probe
         * sequences, or to stay at most half full.
         */
        private void rehash(final boolean grow) {
            final int[] oldHashes = hashes;
            final byte[][] oldKeys = keys;
            final Object[] oldValues = values;
            final boolean[] oldFound = found;
            slots(grow ? 2 * (mask + 1) : mask + 1);
            for (int k = 0; k < oldKeys.length; k++) {
                if (oldKeys[k] != null) {
                    int i = oldHashes[k] & mask;
                    while (keys[i] != null) {
                        i = (i + 1) & mask;
                    }
                    hashes[i] = oldHashes[k];
                    keys[i] = oldKeys[k];
                    values[i] = oldValues[k];
                    found[i] = oldFound[k];
                }
            }
        }

        /** Empty arrays of {@code slots} slots. */
        private void slots(final int slots) {
            mask = slots - 1;
            hashes = new int[slots];
            keys = new byte[slots][];
            values = new Object[slots];
            found = new boolean[slots];
        }
    }

    /**
     * A hash of {@code in[from, to)}, eight bytes at a step: label sets differ anywhere, often in the middle. Built of
     * {@link #mixWord} over the whole words from {@code from} and {@link #finish} with the bytes left, so that a
     * scan that reads the words anyway ({@link PlainNativeJson} looking for a labels object's end) hashes as it goes.
     */
    static int hash(final byte[] in, final int from, final int to) {
        long h = 0;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            h = mixWord(h, ByteWords.word(in, i));
        }
        long last = 0;
        for (int k = to - 1; k >= i; k--) {
            last = last << 8 | (in[k] & 0xFF);
        }
        return finish(h, last, to - from);
    }

    /** The hash so far {@code h} with the next whole word. */
    static long mixWord(final long h, final long word) {
        final long m = (h ^ word) * 0x9E3779B97F4A7C15L;
        return m ^ m >>> 32;
    }

    /**
     * The hash of {@code length} bytes: {@code h} of their whole words, {@code last} the fewer than eight after them
     * as a little-endian word (0 for none).
     */
    static int finish(final long h, final long last, final int length) {
        long m = (h ^ last) * 0x9E3779B97F4A7C15L;
        m = (m ^ m >>> 32 ^ length) * 0x9E3779B97F4A7C15L;
        return (int) (m ^ m >>> 29);
    }
}
