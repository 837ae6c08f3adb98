package io.vigil.evaluation;

import io.vigil.model.Series;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the evaluator holds for one series: the points its windows still need, sorted by time, and the status of
 * every alert of it that is not inactive.
 *
 * <p>Mutable on purpose and confined to one stream task: it is updated per datapoint on the hot path, and the states
 * changed since the last commit are encoded once each at the commit ({@link SeriesStore}), not at every change.
 */
final class SeriesState {

    private static final int INITIAL_CAPACITY = 4;
    /** {@link #storeFlags} bits. */
    private static final byte UNSAVED = 1;
    private static final byte SHOWN = 2;
    private static final int MAX_SCALE = 15;
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    /** Below 2^53 every integer is an exact double. */
    private static final double EXACT_INTEGERS = 0x1p53;
    private static final long NOT_DECIMAL = Long.MIN_VALUE;
    /** How {@link #writePoints} writes the timestamps, then the values: the forms the fields below describe. */
    private static final byte REGULAR = 0;
    private static final byte OFFSETS = 1;
    private static final byte WHOLE = 2;
    private static final byte CHAR_DIGITS = 0;
    private static final byte INT_DIGITS = 1;
    private static final byte DOUBLES = 2;

    // The series' key, under which the evaluator and the store hold this state, in two interned pieces: the name and
    // its brace (`cpu_usage_percent{`), shared by every series of the metric, and the label set, shared by every
    // metric of a target (a node's five metrics have the same labels). A string of its own was a third of a series'
    // memory. The key string is built only for a store write, an alert or a peer value; a datapoint's lookup compares
    // the hash first and then the pieces in place (SeriesTable).
    private final String keyHead;
    private final String keyTail;
    /** The key's String.hashCode, so that a lookup reads neither piece of a state it does not want. */
    private final int keyHash;
    /**
     * The peer group of each outlier rule of the series ({@link PeerGroupEvaluator#groupKey}), interned, so every
     * member of a group shares one string: what evaluation reads of its labels at every instant, instead of the labels
     * themselves (a Series, its Labels and their array were 96 bytes per series with an outlier rule). Null without
     * outlier rules; the key itself with one; with more, an array of them by position in `ruleIndexes`.
     */
    private Object peerGroups;
    /**
     * What {@link SeriesStore} knows of this state, as bits: {@link #UNSAVED}, changed since it last wrote it (the store
     * keeps a list, not a map); {@link #SHOWN}, in the view it answers reads from (else a write of a state without
     * alerts looked its key up there, hashing a key string built for the write).
     */
    private byte storeFlags;
    /**
     * The {@link TaskEvaluator}'s list of changed states this state was last put on, by its number (0: none): it is on
     * the current list if that is the evaluator's current number. Taking a list then costs no pass over its states to
     * clear a flag on each.
     */
    private byte listedIn;
    /**
     * Its {@link TaskEvaluator} visit class: which rule groups it has rules in, as a small number, so that an evaluation
     * pass visits only the series with a rule due (read by {@link SeriesTable} without touching the state).
     */
    private byte visitClass;
    // The points: timestamps as int offsets of milliseconds from `base`, which covers 24 days either side while a
    // window spans minutes; a point that cannot be reached by rebasing switches the series to whole timestamps.
    // Half the bytes of a long per point, for a million series with a dozen points each.
    // Scrapes are regular: while every point is `step` after the one before (13 points 10 s apart), timestamp i is
    // base + i * step and no array is allocated; a point off that line writes the offsets out.
    private long base;
    /** Null while the points are regular; an int[] of offsets from `base`; a long[] of whole timestamps while the
     *  points span more than an int of milliseconds. One field of either kind: a reference per series less. */
    private Object times;
    /** While the points are regular (`times` null) and there are at least two, the interval between them. */
    private int step;
    // Values likewise: while every value is a decimal of at most MAX_SCALE places whose digits lie within an int of
    // each other (gauges printed with a few decimals, integer counters: what exporters write), value i is
    // (digitBase + digits[i]) / 10^scale. That division gives back exactly the double that was added: it is checked
    // when the value is added, and the division of two exact doubles always rounds the same way. The digits are
    // chars (0 to 65535 above `digitBase`, the lowest when they were last rewritten) while they fit one, as a gauge
    // with two decimals does, and ints otherwise. Any other value (NaN, -0.0, a full-precision ratio) switches the
    // series to doubles until its window empties.
    /** A char[] or an int[] of digits, or a double[] of values. */
    private Object values;
    private long digitBase;
    private byte scale;
    private int size;
    /**
     * Alerts and baselines: null while the series has neither, as most series never do; a {@link Baseline} while it
     * has one and no alert (a deviation rule's series); a {@link Rare} otherwise.
     */
    private Object rare;
    /** The newest timestamp pruned from the window; with the points, the series' last-seen time at any instant. */
    private long lastPruned = Long.MIN_VALUE;
    /** Indexes into the current rule list of the rules that select this series; not persisted. */
    private int[] ruleIndexes = new int[0];

    /** A new state of {@code series}, without points. */
    SeriesState(final Series series) {
        final String key = series.key();
        final int brace = key.indexOf('{') + 1;
        this.keyHead = (brace > 0 ? key.substring(0, brace) : key).intern();
        this.keyTail = (brace > 0 ? key.substring(brace) : "").intern();
        this.keyHash = key.hashCode();
        this.values = new char[INITIAL_CAPACITY];
    }

    /** A state holding the first {@code size} points of {@code timestamps} and {@code values} (ascending times). */
    SeriesState(final Series series, final long[] timestamps, final double[] values, final int size) {
        this(series);
        for (int i = 0; i < size; i++) {
            add(timestamps[i], values[i]);
        }
    }

    /** The series, rebuilt from its key: for an alert, a reload, not per datapoint. */
    Series series() {
        return Series.fromKey(key());
    }

    /** The key, built anew: for a store write, an alert or a peer value, not per datapoint. */
    String key() {
        return keyHead.concat(keyTail);
    }

    /** Whether this is the state of the series {@code key} names; builds nothing. */
    boolean hasKey(final String key) {
        final int head = keyHead.length();
        return key.hashCode() == keyHash && key.length() == head + keyTail.length() && key.startsWith(keyHead)
                && key.startsWith(keyTail, head);
    }

    /**
     * Whether this is the state of the series whose key is the ASCII bytes {@code key[offset, offset + length)}, of
     * {@link String#hashCode} {@code hash} ({@link KeyBytes#hash}): a datapoint's lookup without a key string.
     */
    boolean hasKey(final byte[] key, final int offset, final int length, final int hash) {
        final String head = keyHead;
        final int headLength = head.length();
        return hash == keyHash && length == headLength + keyTail.length() && KeyBytes.same(head, key, offset)
                && KeyBytes.same(keyTail, key, offset + headLength);
    }

    /** Whether this is the state of the series whose key is the interned {@code head} and {@code tail}. */
    boolean hasKey(final String head, final String tail) {
        return keyHead == head && keyTail == tail;
    }

    /** The key's first interned piece: the name and its brace. */
    String keyHead() {
        return keyHead;
    }

    /** The key's second interned piece: what follows the brace. */
    String keyTail() {
        return keyTail;
    }

    /** Whether {@code other} is a state of the same series (the pieces are interned). */
    boolean sameKey(final SeriesState other) {
        return keyHash == other.keyHash && keyHead == other.keyHead && keyTail == other.keyTail;
    }

    /** The key's {@link String#hashCode}. */
    int keyHash() {
        return keyHash;
    }

    /**
     * The slot of the values' array the next point's value goes into, for {@link TaskEvaluator#lookAhead}: reading it
     * (and the array's length, for the bounds check) starts fetching both lines a point's add writes or reads. While a
     * series' points wait for a later instant, hundreds of them in a catch-up, that slot is lines past the first.
     */
    int nextValueSlot() {
        final Object v = values;
        final int at = size;
        if (v instanceof char[] narrow) {
            return at < narrow.length ? narrow[at] : narrow.length;
        }
        if (v instanceof int[] digits) {
            return at < digits.length ? digits[at] : digits.length;
        }
        return v instanceof double[] doubles && at < doubles.length ? (int) Double.doubleToRawLongBits(doubles[at]) : 0;
    }

    /** The peer group of outlier rule {@code ruleIndex}, one of this series' rules. */
    String peerGroup(final int ruleIndex) {
        final Object groups = peerGroups;
        if (groups instanceof String one) {
            return one;
        }
        final int[] rules = ruleIndexes;
        for (int p = 0; p < rules.length; p++) {
            if (rules[p] == ruleIndex) {
                return ((String[]) groups)[p];
            }
        }
        throw new IllegalArgumentException("rule " + ruleIndex + " is not an outlier rule of " + key());
    }

    /**
     * Sets the peer groups: null without outlier rules, the group of the only one, or an array by position in
     * {@link #ruleIndexes()}.
     */
    void setPeerGroups(final Object groups) {
        this.peerGroups = groups;
    }

    byte listedIn() {
        return listedIn;
    }

    void setListedIn(final byte list) {
        this.listedIn = list;
    }

    byte visitClass() {
        return visitClass;
    }

    void setVisitClass(final byte visitClass) {
        this.visitClass = visitClass;
    }

    boolean unsaved() {
        return (storeFlags & UNSAVED) != 0;
    }

    void setUnsaved(final boolean unsaved) {
        storeFlags = (byte) (unsaved ? storeFlags | UNSAVED : storeFlags & ~UNSAVED);
    }

    boolean shown() {
        return (storeFlags & SHOWN) != 0;
    }

    void setShown(final boolean shown) {
        storeFlags = (byte) (shown ? storeFlags | SHOWN : storeFlags & ~SHOWN);
    }

    int size() {
        return size;
    }

    long timestamp(final int i) {
        final Object t = times;
        if (t == null) {
            return base + (long) i * step;
        }
        return t instanceof int[] offsets ? base + offsets[i] : ((long[]) t)[i];
    }

    /** Whether the timestamps are kept as a base and a step, without an array (for tests). */
    boolean regular() {
        return times == null;
    }

    /** How the values are kept (for tests): 2 for digits in a char, 4 in an int, 8 for doubles. */
    int valueBytes() {
        return values instanceof char[] ? 2 : values instanceof int[] ? 4 : 8;
    }

    double value(final int i) {
        final Object v = values;
        if (v instanceof char[] narrow) {
            return (digitBase + narrow[i]) / POW10[scale];
        }
        return v instanceof int[] digits ? (digitBase + digits[i]) / POW10[scale] : ((double[]) v)[i];
    }

    /** The timestamps of the first {@code n} points, in {@code into} if it is long enough. */
    long[] timestamps(final int n, final long[] into) {
        return timestamps(0, n, into);
    }

    /**
     * The timestamps of points {@code [from, to)}, at the same indexes of {@code into} if it is long enough (the rest
     * of it untouched): an evaluation decodes only the window it aggregates.
     */
    long[] timestamps(final int from, final int to, final long[] into) {
        final long[] out = into.length >= to ? into : new long[to];
        final Object t = times;
        if (t == null) {
            long at = base + (long) from * step;
            for (int i = from; i < to; i++) {
                out[i] = at;
                at += step;
            }
        } else if (t instanceof int[] offsets) {
            for (int i = from; i < to; i++) {
                out[i] = base + offsets[i];
            }
        } else {
            System.arraycopy(t, from, out, from, to - from);
        }
        return out;
    }

    /** The values of the first {@code n} points, in {@code into} if it is long enough. */
    double[] values(final int n, final double[] into) {
        return values(0, n, into);
    }

    /** The values of points {@code [from, to)}, as {@link #timestamps(int, int, long[])}. */
    double[] values(final int from, final int to, final double[] into) {
        final double[] out = into.length >= to ? into : new double[to];
        final Object v = values;
        final double divisor = POW10[scale];
        if (v instanceof char[] narrow) {
            for (int i = from; i < to; i++) {
                out[i] = (digitBase + narrow[i]) / divisor;
            }
        } else if (v instanceof int[] digits) {
            for (int i = from; i < to; i++) {
                out[i] = (digitBase + digits[i]) / divisor;
            }
        } else {
            System.arraycopy(v, from, out, from, to - from);
        }
        return out;
    }

    /**
     * Writes the points as they are held: a base and a step for regular timestamps, offsets or whole ones otherwise;
     * the values' digits with their base and scale, or doubles. A fleet's series, scraped at a fixed interval with a
     * few decimals, takes 2 bytes a point and 12 for all its timestamps, where a timestamp and a double take 16 a point;
     * a changed state is written to the changelog at every commit, about once per datapoint on live data.
     */
    void writePoints(final DataOutput out) throws IOException {
        out.writeInt(size);
        if (size == 0) {
            return;
        }
        final Object t = times;
        if (t == null) {
            out.writeByte(REGULAR);
            out.writeLong(base);
            out.writeInt(step);
        } else if (t instanceof int[] offsets) {
            out.writeByte(OFFSETS);
            out.writeLong(base);
            for (int i = 0; i < size; i++) {
                out.writeInt(offsets[i]);
            }
        } else {
            out.writeByte(WHOLE);
            final long[] wide = (long[]) t;
            for (int i = 0; i < size; i++) {
                out.writeLong(wide[i]);
            }
        }
        final Object v = values;
        if (v instanceof char[] narrow) {
            out.writeByte(CHAR_DIGITS);
            out.writeLong(digitBase);
            out.writeByte(scale);
            for (int i = 0; i < size; i++) {
                out.writeChar(narrow[i]);
            }
        } else if (v instanceof int[] digits) {
            out.writeByte(INT_DIGITS);
            out.writeLong(digitBase);
            out.writeByte(scale);
            for (int i = 0; i < size; i++) {
                out.writeInt(digits[i]);
            }
        } else {
            out.writeByte(DOUBLES);
            final double[] doubles = (double[]) v;
            for (int i = 0; i < size; i++) {
                out.writeDouble(doubles[i]);
            }
        }
    }

    /**
     * A state of {@code series} holding the points {@link #writePoints} wrote. They are added one by one, as a state
     * read from the older layout of whole timestamps and doubles is, so the state held is the same either way.
     */
    static SeriesState readPoints(final Series series, final DataInput in) throws IOException {
        final int n = in.readInt();
        final long[] ts = new long[Math.max(INITIAL_CAPACITY, n)];
        final double[] vs = new double[ts.length];
        if (n > 0) {
            final byte timesForm = in.readByte();
            switch (timesForm) {
                case REGULAR -> {
                    final long first = in.readLong();
                    final int every = in.readInt();
                    for (int i = 0; i < n; i++) {
                        ts[i] = first + (long) i * every;
                    }
                }
                case OFFSETS -> {
                    final long from = in.readLong();
                    for (int i = 0; i < n; i++) {
                        ts[i] = from + in.readInt();
                    }
                }
                case WHOLE -> {
                    for (int i = 0; i < n; i++) {
                        ts[i] = in.readLong();
                    }
                }
                default -> throw new IllegalStateException("unknown form of timestamps " + timesForm);
            }
            final byte valuesForm = in.readByte();
            switch (valuesForm) {
                case CHAR_DIGITS, INT_DIGITS -> {
                    final long lowest = in.readLong();
                    final double divisor = POW10[in.readByte()];
                    for (int i = 0; i < n; i++) {
                        vs[i] = (lowest + (valuesForm == CHAR_DIGITS ? in.readChar() : in.readInt())) / divisor;
                    }
                }
                case DOUBLES -> {
                    for (int i = 0; i < n; i++) {
                        vs[i] = in.readDouble();
                    }
                }
                default -> throw new IllegalStateException("unknown form of values " + valuesForm);
            }
        }
        return new SeriesState(series, ts, vs, n);
    }

    /** Reads past the points {@link #writePoints} wrote, decoding none. */
    static void skipPoints(final DataInputStream in) throws IOException {
        final int n = in.readInt();
        if (n == 0) {
            return;
        }
        final byte timesForm = in.readByte();
        switch (timesForm) {
            case REGULAR -> in.skipNBytes(12);
            case OFFSETS -> in.skipNBytes(8 + 4L * n);
            case WHOLE -> in.skipNBytes(8L * n);
            default -> throw new IllegalStateException("unknown form of timestamps " + timesForm);
        }
        final byte valuesForm = in.readByte();
        switch (valuesForm) {
            case CHAR_DIGITS -> in.skipNBytes(9 + 2L * n);
            case INT_DIGITS -> in.skipNBytes(9 + 4L * n);
            case DOUBLES -> in.skipNBytes(8L * n);
            default -> throw new IllegalStateException("unknown form of values " + valuesForm);
        }
    }

    /** Adds a point in time order; a second point with the same timestamp replaces the first. */
    void add(final long timestampMs, final double value) {
        int i = size;
        boolean replace = false;
        if (size > 0 && timestamp(size - 1) >= timestampMs) {
            i = firstIndexAtOrAfter(timestampMs);
            replace = i < size && timestamp(i) == timestampMs;
        }
        final long mantissa = admit(value, replace ? i : -1);
        if (replace) {
            putValue(i, mantissa, value);
            return;
        }
        if (times == null) {
            if (size == 0) {
                base = timestampMs;
            } else if (i == size && size == 1 && timestampMs - base <= Integer.MAX_VALUE) {
                step = (int) (timestampMs - base);
            } else if (i == 0 && (size == 1 ? base - timestampMs <= Integer.MAX_VALUE : base - timestampMs == step)) {
                // A point one step before the first (or before a lone one): the line starts there.
                step = size == 1 ? (int) (base - timestampMs) : step;
                base = timestampMs;
            } else if (i != size || timestampMs - timestamp(size - 1) != step) {
                writeTimesOut();
            }
        }
        if (times instanceof int[] && !reaches(timestampMs)) {
            rebase(timestampMs);
        }
        if (size == capacity()) {
            // Grown by an eighth, not doubled: a window's points are most of a series' memory, and a window holds
            // about the same number of points from one evaluation to the next, so the arrays are sized once.
            final int capacity = size + Math.max(1, size >> 3);
            values = copyOf(values, capacity);
            if (times != null) {
                times = copyOf(times, capacity);
            }
        }
        System.arraycopy(values, i, values, i + 1, size - i);
        putValue(i, mantissa, value);
        final Object t = times;
        if (t instanceof int[] offsets) {
            System.arraycopy(offsets, i, offsets, i + 1, size - i);
            offsets[i] = (int) (timestampMs - base);
        } else if (t instanceof long[] wide) {
            System.arraycopy(wide, i, wide, i + 1, size - i);
            wide[i] = timestampMs;
        }
        size++;
    }

    /** Writes point {@code i}'s value: its digits {@code mantissa} as admitted, or {@code value} among doubles. */
    private void putValue(final int i, final long mantissa, final double value) {
        final Object v = values;
        if (v instanceof char[] narrow) {
            narrow[i] = (char) (mantissa - digitBase);
        } else if (v instanceof int[] digits) {
            digits[i] = (int) (mantissa - digitBase);
        } else {
            ((double[]) v)[i] = value;
        }
    }

    private static Object copyOf(final Object array, final int length) {
        if (array instanceof char[] a) {
            return Arrays.copyOf(a, length);
        }
        if (array instanceof int[] a) {
            return Arrays.copyOf(a, length);
        }
        return array instanceof long[] a ? Arrays.copyOf(a, length) : Arrays.copyOf((double[]) array, length);
    }

    private int capacity() {
        final Object v = values;
        if (v instanceof char[] narrow) {
            return narrow.length;
        }
        return v instanceof int[] digits ? digits.length : ((double[]) v).length;
    }

    /** Whether digits {@code d} above `digitBase` fit the values' array as it is. */
    private boolean fits(final long d) {
        return values instanceof char[] ? d >= 0 && d <= Character.MAX_VALUE : d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
    }

    /**
     * Makes room for {@code value} among the decimal digits, rescaling, rebasing or widening them if need be, and
     * returns its digits at the scale then in force; or switches the series to doubles if it cannot. {@code replaced}
     * is the index of a point the value replaces (its digits need not fit any more), or -1.
     */
    private long admit(final double value, final int replaced) {
        if (size == 0 && !(values instanceof char[])) {
            // An empty window starts again with the narrowest digits.
            values = new char[capacity()];
        }
        if (values instanceof double[]) {
            return NOT_DECIMAL;
        }
        if (size == 0) {
            for (int s = 0; s <= MAX_SCALE; s++) {
                final long m = decimal(value, s);
                if (m != NOT_DECIMAL) {
                    scale = (byte) s;
                    digitBase = m;
                    return m;
                }
            }
        } else {
            final long m = decimal(value, scale);
            if (m != NOT_DECIMAL && fits(m - digitBase)) {
                return m;
            }
            for (int s = scale; s <= MAX_SCALE; s++) {
                final long rescaled = decimal(value, s);
                if (rescaled != NOT_DECIMAL) {
                    if (recode(s, rescaled, replaced)) {
                        return rescaled;
                    }
                    break;
                }
            }
        }
        toDoubles();
        return NOT_DECIMAL;
    }

    /** The digits of {@code value} at {@code scale} decimal places, or NOT_DECIMAL if it has more. */
    private static long decimal(final double value, final int scale) {
        final double scaled = value * POW10[scale];
        if (!(Math.abs(scaled) < EXACT_INTEGERS)) {
            return NOT_DECIMAL;
        }
        final long m = (long) Math.rint(scaled);
        // Raw bits: -0.0 is not the 0 it would come back as.
        return Double.doubleToRawLongBits(m / POW10[scale]) == Double.doubleToRawLongBits(value) ? m : NOT_DECIMAL;
    }

    /**
     * Rewrites the digits at scale {@code newScale} (not below the current one) from the lowest, which also reaches
     * {@code mantissa}, in chars if they all fit one and ints if not; false, changing nothing, if some digits would
     * not be exact or not fit an int. Multiplying a decimal's digits and its divisor by the same power of ten keeps
     * its value: both stay exact doubles.
     */
    private boolean recode(final int newScale, final long mantissa, final int replaced) {
        final long factor = (long) POW10[newScale - scale];
        long lo = mantissa;
        long hi = mantissa;
        for (int i = 0; i < size; i++) {
            if (i == replaced) {
                continue;
            }
            final long digitsNow = digits(i);
            if (Math.abs((double) digitsNow * factor) >= EXACT_INTEGERS) {
                return false;
            }
            lo = Math.min(lo, digitsNow * factor);
            hi = Math.max(hi, digitsNow * factor);
        }
        if (hi - lo > Integer.MAX_VALUE) {
            return false;
        }
        // In place while the kind stays (each point's digits are read before its slot is written).
        final int capacity = capacity();
        if (hi - lo <= Character.MAX_VALUE) {
            final char[] narrow = values instanceof char[] same ? same : new char[capacity];
            for (int i = 0; i < size; i++) {
                narrow[i] = i == replaced ? 0 : (char) (digits(i) * factor - lo);
            }
            values = narrow;
        } else {
            final int[] digits = values instanceof int[] same ? same : new int[capacity];
            for (int i = 0; i < size; i++) {
                digits[i] = i == replaced ? 0 : (int) (digits(i) * factor - lo);
            }
            values = digits;
        }
        digitBase = lo;
        scale = (byte) newScale;
        return true;
    }

    /** Point {@code i}'s digits at the current scale, while the values are digits. */
    private long digits(final int i) {
        final Object v = values;
        return digitBase + (v instanceof char[] narrow ? narrow[i] : ((int[]) v)[i]);
    }

    private void toDoubles() {
        values = values(size, new double[capacity()]);
    }

    /** Leaves the regular form: the timestamps as offsets if they span an int of milliseconds, whole if not. */
    private void writeTimesOut() {
        final int capacity = capacity();
        if ((long) (size - 1) * step <= Integer.MAX_VALUE) {
            final int[] offsets = new int[capacity];
            for (int i = 0; i < size; i++) {
                offsets[i] = (int) ((long) i * step);
            }
            times = offsets;
        } else {
            times = timestamps(size, new long[capacity]);
        }
    }

    /** Back to the regular form if the points left are evenly spaced (the point off the line was pruned). */
    private void tryRegular() {
        if (size >= 2) {
            final long first = timestamp(0);
            final long s = timestamp(1) - first;
            if (s > Integer.MAX_VALUE) {
                return;
            }
            for (int i = 2; i < size; i++) {
                if (timestamp(i) - first != s * i) {
                    return;
                }
            }
            step = (int) s;
        }
        base = size == 0 ? 0 : timestamp(0);
        times = null;
    }

    private boolean reaches(final long timestampMs) {
        final long offset = timestampMs - base;
        return offset >= Integer.MIN_VALUE && offset <= Integer.MAX_VALUE;
    }

    /** Makes room for a point outside the offsets' reach: a new base if the points then fit, whole timestamps if not. */
    private void rebase(final long timestampMs) {
        final int[] offsets = (int[]) times;
        final long first = Math.min(timestamp(0), timestampMs);
        final long last = Math.max(timestamp(size - 1), timestampMs);
        if (last - first <= Integer.MAX_VALUE) {
            for (int i = 0; i < size; i++) {
                offsets[i] = (int) (base + offsets[i] - first);
            }
            base = first;
        } else {
            times = timestamps(size, new long[offsets.length]);
        }
    }

    /** The index of the first point with timestamp {@code > t}; {@code size()} if none. */
    int firstIndexAfter(final long t) {
        return firstIndexAtOrAfter(t == Long.MAX_VALUE ? t : t + 1);
    }

    private int firstIndexAtOrAfter(final long t) {
        if (regular()) {
            // Evenly spaced points: the index is arithmetic (an evaluation asks for every rule at every instant).
            if (size == 0 || t <= base) {
                return 0;
            }
            final long last = base + (long) (size - 1) * step;
            if (t > last) {
                return size;
            }
            // Here base < t <= last, so there are two points or more and step >= 1: the first i with base + i * step >= t.
            return (int) ((t - base + step - 1) / step);
        }
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (timestamp(mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Drops the points no future window can see. Returns whether anything was dropped. */
    boolean pruneThrough(final long t) {
        final int n = firstIndexAfter(t);
        if (n == 0) {
            return false;
        }
        lastPruned = Math.max(lastPruned, timestamp(n - 1));
        if (times != null) {
            System.arraycopy(times, n, times, 0, size - n);
        } else {
            base += (long) n * step;
        }
        System.arraycopy(values, n, values, 0, size - n);
        size -= n;
        if (times != null) {
            tryRegular();
        }
        if (times instanceof long[] wide && (size == 0 || wide[size - 1] - wide[0] <= Integer.MAX_VALUE)) {
            narrow(wide);
        }
        return true;
    }

    /** Back to offsets once the points that needed whole timestamps are gone. */
    private void narrow(final long[] wide) {
        base = size == 0 ? 0 : wide[0];
        final int[] offsets = new int[wide.length];
        for (int i = 0; i < size; i++) {
            offsets[i] = (int) (wide[i] - base);
        }
        times = offsets;
    }

    /** The newest point at or before {@code t}; Long.MIN_VALUE if the series had none by then. */
    long lastSeenAt(final long t) {
        final int i = firstIndexAfter(t);
        return i > 0 ? timestamp(i - 1) : lastPruned;
    }

    long lastPruned() {
        return lastPruned;
    }

    /**
     * Forgets the series through {@code t}, keeping its later points: drops the points at or before {@code t}, its
     * last-seen time and its baselines, as a new state of the later points has none. Its alerts must be inactive
     * already ({@link TaskEvaluator} resolves them first).
     */
    void forgetThrough(final long t) {
        if (hasActiveAlerts()) {
            throw new IllegalStateException("forgetting series " + key() + " with alerts active: " + alerts());
        }
        pruneThrough(t);
        lastPruned = Long.MIN_VALUE;
        rare = null;
    }

    void setLastPruned(final long lastPruned) {
        this.lastPruned = lastPruned;
    }

    Baseline baseline(final String ruleId, final long evaluations) {
        final Baseline held = baselineOf(ruleId);
        if (held != null && held.fits(evaluations)) {
            return held;
        }
        final Baseline created = held != null ? held.refitted(evaluations) : new Baseline(ruleId, evaluations);
        putBaseline(created);
        return created;
    }

    /** The rule's baseline as held, or null: unlike {@link #baseline}, never makes or refits one. */
    Baseline baselineIfHeld(final String ruleId) {
        return baselineOf(ruleId);
    }

    private Baseline baselineOf(final String ruleId) {
        final Object held = rare;
        if (held instanceof Baseline lone) {
            return lone.ruleId().equals(ruleId) ? lone : null;
        }
        if (held instanceof Rare r) {
            if (r.baseline != null) {
                return r.baseline.ruleId().equals(ruleId) ? r.baseline : null;
            }
            return r.baselines == null ? null : r.baselines.get(ruleId);
        }
        return null;
    }

    /** The baselines by rule id, in its order (the changelog's). */
    Map<String, Baseline> baselines() {
        final Object held = rare;
        if (held instanceof Baseline lone) {
            return Map.of(lone.ruleId(), lone);
        }
        if (held instanceof Rare r) {
            if (r.baseline != null) {
                return Map.of(r.baseline.ruleId(), r.baseline);
            }
            return r.baselines == null ? Map.of() : Collections.unmodifiableMap(r.baselines);
        }
        return Map.of();
    }

    boolean hasBaselines() {
        final Object held = rare;
        return held instanceof Baseline || held instanceof Rare r && (r.baseline != null || r.baselines != null);
    }

    void removeBaseline(final String ruleId) {
        final Object held = rare;
        if (held instanceof Baseline lone) {
            if (lone.ruleId().equals(ruleId)) {
                rare = null;
            }
            return;
        }
        if (!(held instanceof Rare r)) {
            return;
        }
        if (r.baseline != null) {
            if (r.baseline.ruleId().equals(ruleId)) {
                r.baseline = null;
            }
        } else if (r.baselines != null) {
            r.baselines.remove(ruleId);
            if (r.baselines.size() == 1) {
                r.baseline = r.baselines.firstEntry().getValue();
                r.baselines = null;
            }
        }
        settleRare(r);
    }

    /** Holds {@code baseline} for its rule, in place of any the rule had. */
    void putBaseline(final Baseline baseline) {
        final Object held = rare;
        if (held == null || held instanceof Baseline lone && lone.ruleId().equals(baseline.ruleId())) {
            rare = baseline;
            return;
        }
        final Rare r = rare();
        if (r.baseline == null && r.baselines == null
                || r.baseline != null && r.baseline.ruleId().equals(baseline.ruleId())) {
            r.baseline = baseline;
            return;
        }
        if (r.baselines == null) {
            r.baselines = new TreeMap<>();
            r.baselines.put(r.baseline.ruleId(), r.baseline);
            r.baseline = null;
        }
        r.baselines.put(baseline.ruleId(), baseline);
    }

    long earliestTimestamp() {
        return size == 0 ? Long.MAX_VALUE : timestamp(0);
    }

    AlertStatus alert(final String ruleId) {
        return rare instanceof Rare r && r.alerts != null ? r.alerts.getOrDefault(ruleId, AlertStatus.INACTIVE)
                : AlertStatus.INACTIVE;
    }

    void setAlert(final String ruleId, final AlertStatus status) {
        if (status.isInactive()) {
            if (rare instanceof Rare r && r.alerts != null) {
                r.alerts.remove(ruleId);
                r.numbers.remove(ruleId);
                if (r.labelNumbers != null && r.labelNumbers.remove(ruleId) != null && r.labelNumbers.isEmpty()) {
                    r.labelNumbers = null;
                }
                if (r.alerts.isEmpty()) {
                    r.alerts = null;
                    r.numbers = null;
                    settleRare(r);
                }
            }
        } else {
            final Rare r = rare();
            if (r.alerts == null) {
                r.alerts = new TreeMap<>();
                r.numbers = new TreeMap<>();
            }
            r.alerts.put(ruleId, status);
        }
    }

    /** Records the latest numbers of an active alert; returns whether they changed. */
    boolean setNumbers(final String ruleId, final AlertNumbers latest) {
        if (!(rare instanceof Rare r) || r.alerts == null || !r.alerts.containsKey(ruleId)) {
            return false;
        }
        return !latest.equals(r.numbers.put(ruleId, latest));
    }

    /**
     * Records the numbers an active alert whose rule's labels render them became active with
     * ({@link AlertTransition#labelNumbers}); kept until it is inactive again.
     */
    void setLabelNumbers(final String ruleId, final AlertNumbers atActivation) {
        if (rare instanceof Rare r && r.alerts != null && r.alerts.containsKey(ruleId)) {
            if (r.labelNumbers == null) {
                r.labelNumbers = new TreeMap<>();
            }
            r.labelNumbers.put(ruleId, atActivation);
        }
    }

    /** What {@link #setLabelNumbers} recorded for the alert of {@code ruleId}, or {@link AlertNumbers#NONE}. */
    AlertNumbers labelNumbers(final String ruleId) {
        return rare instanceof Rare r && r.labelNumbers != null ? r.labelNumbers.getOrDefault(ruleId, AlertNumbers.NONE)
                : AlertNumbers.NONE;
    }

    AlertNumbers numbers(final String ruleId) {
        return rare instanceof Rare r && r.numbers != null ? r.numbers.getOrDefault(ruleId, AlertNumbers.NONE)
                : AlertNumbers.NONE;
    }

    Map<String, AlertStatus> alerts() {
        return rare instanceof Rare r && r.alerts != null ? Collections.unmodifiableMap(r.alerts) : Map.of();
    }

    /** The holder, created (around a lone baseline, if there is one) when an alert or a second baseline needs it. */
    private Rare rare() {
        final Object held = rare;
        if (held instanceof Rare r) {
            return r;
        }
        final Rare r = new Rare();
        r.baseline = (Baseline) held;
        rare = r;
        return r;
    }

    /** Back to nothing, or to a lone baseline, when the holder has nothing else. */
    private void settleRare(final Rare r) {
        if (r.alerts == null && r.baselines == null) {
            rare = r.baseline;
        }
    }

    boolean hasActiveAlerts() {
        return rare instanceof Rare r && r.alerts != null;
    }

    boolean isEmpty() {
        return size == 0 && !hasActiveAlerts();
    }

    int[] ruleIndexes() {
        return ruleIndexes;
    }

    void setRuleIndexes(final int[] ruleIndexes) {
        this.ruleIndexes = ruleIndexes;
    }

    /**
     * What few series have, in one object created when first needed: alerts, or more than one baseline. Three map
     * fields cost every series 12 bytes; a single baseline is held without a map (a TreeMap and its entry were 88
     * bytes), and without this holder while the series has no alert.
     */
    private static final class Rare {
        /** Keyed by rule id; only alerts that are pending or firing. Null while empty. */
        private TreeMap<String, AlertStatus> alerts;
        /** The numbers of the last evaluation of each active alert, for the alerts API. Null with `alerts`. */
        private TreeMap<String, AlertNumbers> numbers;
        /** The numbers active alerts render their labels with, for rules whose labels use them; null while none. */
        private TreeMap<String, AlertNumbers> labelNumbers;
        /** A series' only baseline; null while it has none, or more (then in `baselines`). */
        private Baseline baseline;
        /** Deviation rules' histories by rule id, while there are two or more. */
        private TreeMap<String, Baseline> baselines;
    }
}
