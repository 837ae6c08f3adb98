package io.vigil.evaluation;

import io.vigil.model.Series;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the evaluator holds for one series: the points its windows still need, sorted by time, and the status of
 * every alert of it that is not inactive.
 *
 * <p>Mutable on purpose and confined to one stream task: it is updated per datapoint on the hot path, and every
 * change is written through to the changelogged store by {@link SeriesEvaluationProcessor}.
 */
final class SeriesState {

    private static final int INITIAL_CAPACITY = 4;
    private static final int MAX_SCALE = 15;
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    /** Below 2^53 every integer is an exact double. */
    private static final double EXACT_INTEGERS = 0x1p53;
    private static final long NOT_DECIMAL = Long.MIN_VALUE;

    /** The series' key, under which the evaluator and the store hold this state. */
    private final String key;
    /**
     * The series itself, kept only where evaluation reads its labels at every instant (outlier rules: the peer group);
     * otherwise null and rebuilt from the key when asked (an alert event, a reload). The key alone is half the bytes of
     * a series' name, labels and their arrays, and most series are only ever asked for their points.
     */
    private Series series;
    /** Whether this state changed since {@link SeriesStore} last wrote it: the store keeps a list, not a map. */
    private boolean unsaved;
    // The points: timestamps as int offsets of milliseconds from `base`, which covers 24 days either side while a
    // window spans minutes; a point that cannot be reached by rebasing switches the series to `wideTimes`, whole
    // timestamps. Half the bytes of a long per point, for a million series with a dozen points each.
    // Scrapes are regular: while every point is `step` after the one before (13 points 10 s apart), timestamp i is
    // base + i * step and neither array is allocated; a point off that line writes the offsets out.
    private long base;
    /** Null while the points are regular; otherwise offsets from `base`. */
    private int[] offsets;
    /** Non-null instead of `offsets` while the points span more than an int of milliseconds. */
    private long[] wideTimes;
    /** While the points are regular (both arrays null) and there are at least two, the interval between them. */
    private int step;
    // Values likewise: while every value is a decimal of at most MAX_SCALE places whose digits lie within an int of
    // each other (gauges printed with a few decimals, integer counters: what exporters write), value i is
    // (digitBase + digits[i]) / 10^scale. That division gives back exactly the double that was added: it is checked
    // when the value is added, and the division of two exact doubles always rounds the same way. Any other value
    // (NaN, -0.0, a full-precision ratio) switches the series to `values`, doubles, until its window empties.
    private int[] digits;
    private long digitBase;
    private byte scale;
    /** Non-null instead of `digits` while a value is not such a decimal. */
    private double[] values;
    private int size;
    // The three maps are created when first needed: most series never have an alert or a deviation rule, and three
    // empty TreeMaps are about a tenth of a series' memory.
    /** Keyed by rule id; only alerts that are pending or firing. Null while empty. */
    private TreeMap<String, AlertStatus> alerts;
    /** The numbers of the last evaluation of each active alert, for the alerts API. Null while empty. */
    private TreeMap<String, AlertNumbers> numbers;
    /** Deviation rules' histories, keyed by rule id. Null while empty. */
    private TreeMap<String, Baseline> baselines;
    /** The newest timestamp pruned from the window; with the points, the series' last-seen time at any instant. */
    private long lastPruned = Long.MIN_VALUE;
    /** Indexes into the current rule list of the rules that select this series; not persisted. */
    private int[] ruleIndexes = new int[0];

    /** A new state that keeps {@code series} (see {@link #keepSeries}). */
    SeriesState(final Series series) {
        this.key = series.key();
        this.series = series;
        this.digits = new int[INITIAL_CAPACITY];
    }

    /** A state holding the first {@code size} points of {@code timestamps} and {@code values} (ascending times). */
    SeriesState(final Series series, final long[] timestamps, final double[] values, final int size) {
        this(series);
        for (int i = 0; i < size; i++) {
            add(timestamps[i], values[i]);
        }
    }

    /** The series; rebuilt from its key unless kept. */
    Series series() {
        final Series kept = series;
        return kept != null ? kept : Series.fromKey(key);
    }

    String key() {
        return key;
    }

    /** Keeps the series in memory if {@code keep}, for a state whose labels are read at every evaluation. */
    void keepSeries(final boolean keep) {
        series = keep ? series() : null;
    }

    boolean unsaved() {
        return unsaved;
    }

    void setUnsaved(final boolean unsaved) {
        this.unsaved = unsaved;
    }

    int size() {
        return size;
    }

    long timestamp(final int i) {
        if (offsets != null) {
            return base + offsets[i];
        }
        return wideTimes == null ? base + (long) i * step : wideTimes[i];
    }

    /** Whether the timestamps are kept as a base and a step, without an array (for tests). */
    boolean regular() {
        return offsets == null && wideTimes == null;
    }

    double value(final int i) {
        return digits == null ? values[i] : (digitBase + digits[i]) / POW10[scale];
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
        if (wideTimes != null) {
            System.arraycopy(wideTimes, from, out, from, to - from);
        } else if (offsets != null) {
            for (int i = from; i < to; i++) {
                out[i] = base + offsets[i];
            }
        } else {
            long t = base + (long) from * step;
            for (int i = from; i < to; i++) {
                out[i] = t;
                t += step;
            }
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
        if (digits == null) {
            System.arraycopy(values, from, out, from, to - from);
        } else {
            final double divisor = POW10[scale];
            for (int i = from; i < to; i++) {
                out[i] = (digitBase + digits[i]) / divisor;
            }
        }
        return out;
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
            if (digits == null) {
                values[i] = value;
            } else {
                digits[i] = (int) (mantissa - digitBase);
            }
            return;
        }
        if (regular()) {
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
        if (offsets != null && !reaches(timestampMs)) {
            rebase(timestampMs);
        }
        if (size == capacity()) {
            // Grown by an eighth, not doubled: a window's points are most of a series' memory, and a window holds
            // about the same number of points from one evaluation to the next, so the arrays are sized once.
            final int capacity = size + Math.max(1, size >> 3);
            if (digits == null) {
                values = Arrays.copyOf(values, capacity);
            } else {
                digits = Arrays.copyOf(digits, capacity);
            }
            if (offsets != null) {
                offsets = Arrays.copyOf(offsets, capacity);
            } else if (wideTimes != null) {
                wideTimes = Arrays.copyOf(wideTimes, capacity);
            }
        }
        if (digits == null) {
            System.arraycopy(values, i, values, i + 1, size - i);
            values[i] = value;
        } else {
            System.arraycopy(digits, i, digits, i + 1, size - i);
            digits[i] = (int) (mantissa - digitBase);
        }
        if (offsets != null) {
            System.arraycopy(offsets, i, offsets, i + 1, size - i);
            offsets[i] = (int) (timestampMs - base);
        } else if (wideTimes != null) {
            System.arraycopy(wideTimes, i, wideTimes, i + 1, size - i);
            wideTimes[i] = timestampMs;
        }
        size++;
    }

    private int capacity() {
        return digits != null ? digits.length : values.length;
    }

    /**
     * Makes room for {@code value} among the decimal digits, rescaling or rebasing them if need be, and returns its
     * digits at the scale then in force; or switches the series to doubles if it cannot. {@code replaced} is the
     * index of a point the value replaces (its digits need not fit any more), or -1.
     */
    private long admit(final double value, final int replaced) {
        if (digits == null && size == 0) {
            digits = new int[values.length];
            values = null;
        }
        if (digits == null) {
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
            if (m != NOT_DECIMAL && m - digitBase >= Integer.MIN_VALUE && m - digitBase <= Integer.MAX_VALUE) {
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
     * Rewrites the digits at scale {@code newScale} (not below the current one) around a base that also reaches
     * {@code mantissa}; false, changing nothing, if some digits would not be exact or not fit an int. Multiplying a
     * decimal's digits and its divisor by the same power of ten keeps its value: both stay exact doubles.
     */
    private boolean recode(final int newScale, final long mantissa, final int replaced) {
        final long factor = (long) POW10[newScale - scale];
        long lo = mantissa;
        long hi = mantissa;
        for (int i = 0; i < size; i++) {
            if (i == replaced) {
                continue;
            }
            final long digitsNow = digitBase + digits[i];
            if (Math.abs((double) digitsNow * factor) >= EXACT_INTEGERS) {
                return false;
            }
            lo = Math.min(lo, digitsNow * factor);
            hi = Math.max(hi, digitsNow * factor);
        }
        if (hi - lo > Integer.MAX_VALUE) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            digits[i] = i == replaced ? 0 : (int) ((digitBase + digits[i]) * factor - lo);
        }
        digitBase = lo;
        scale = (byte) newScale;
        return true;
    }

    private void toDoubles() {
        values = values(size, new double[digits.length]);
        digits = null;
    }

    /** Leaves the regular form: the timestamps as offsets if they span an int of milliseconds, whole if not. */
    private void writeTimesOut() {
        final int capacity = capacity();
        if ((long) (size - 1) * step <= Integer.MAX_VALUE) {
            offsets = new int[capacity];
            for (int i = 0; i < size; i++) {
                offsets[i] = (int) ((long) i * step);
            }
        } else {
            wideTimes = timestamps(size, new long[capacity]);
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
        offsets = null;
        wideTimes = null;
    }

    private boolean reaches(final long timestampMs) {
        final long offset = timestampMs - base;
        return offset >= Integer.MIN_VALUE && offset <= Integer.MAX_VALUE;
    }

    /** Makes room for a point outside the offsets' reach: a new base if the points then fit, whole timestamps if not. */
    private void rebase(final long timestampMs) {
        final long first = Math.min(timestamp(0), timestampMs);
        final long last = Math.max(timestamp(size - 1), timestampMs);
        if (last - first <= Integer.MAX_VALUE) {
            for (int i = 0; i < size; i++) {
                offsets[i] = (int) (base + offsets[i] - first);
            }
            base = first;
        } else {
            wideTimes = timestamps(size, new long[offsets.length]);
            offsets = null;
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
        if (offsets != null) {
            System.arraycopy(offsets, n, offsets, 0, size - n);
        } else if (wideTimes != null) {
            System.arraycopy(wideTimes, n, wideTimes, 0, size - n);
        } else {
            base += (long) n * step;
        }
        if (digits == null) {
            System.arraycopy(values, n, values, 0, size - n);
        } else {
            System.arraycopy(digits, n, digits, 0, size - n);
        }
        size -= n;
        if (!regular()) {
            tryRegular();
        }
        if (wideTimes != null && (size == 0 || wideTimes[size - 1] - wideTimes[0] <= Integer.MAX_VALUE)) {
            narrow();
        }
        return true;
    }

    /** Back to offsets once the points that needed whole timestamps are gone. */
    private void narrow() {
        base = size == 0 ? 0 : wideTimes[0];
        offsets = new int[wideTimes.length];
        for (int i = 0; i < size; i++) {
            offsets[i] = (int) (wideTimes[i] - base);
        }
        wideTimes = null;
    }

    /** The newest point at or before {@code t}; Long.MIN_VALUE if the series had none by then. */
    long lastSeenAt(final long t) {
        final int i = firstIndexAfter(t);
        return i > 0 ? timestamp(i - 1) : lastPruned;
    }

    long lastPruned() {
        return lastPruned;
    }

    void setLastPruned(final long lastPruned) {
        this.lastPruned = lastPruned;
    }

    Baseline baseline(final String ruleId, final long evaluations) {
        if (baselines == null) {
            baselines = new TreeMap<>();
        }
        return baselines.computeIfAbsent(ruleId, k -> new Baseline(evaluations));
    }

    Map<String, Baseline> baselines() {
        return baselines == null ? Map.of() : Collections.unmodifiableMap(baselines);
    }

    void removeBaseline(final String ruleId) {
        if (baselines != null) {
            baselines.remove(ruleId);
            if (baselines.isEmpty()) {
                baselines = null;
            }
        }
    }

    void putBaseline(final String ruleId, final Baseline baseline) {
        if (baselines == null) {
            baselines = new TreeMap<>();
        }
        baselines.put(ruleId, baseline);
    }

    long earliestTimestamp() {
        return size == 0 ? Long.MAX_VALUE : timestamp(0);
    }

    AlertStatus alert(final String ruleId) {
        return alerts == null ? AlertStatus.INACTIVE : alerts.getOrDefault(ruleId, AlertStatus.INACTIVE);
    }

    void setAlert(final String ruleId, final AlertStatus status) {
        if (status.isInactive()) {
            if (alerts != null) {
                alerts.remove(ruleId);
                numbers.remove(ruleId);
                if (alerts.isEmpty()) {
                    alerts = null;
                    numbers = null;
                }
            }
        } else {
            if (alerts == null) {
                alerts = new TreeMap<>();
                numbers = new TreeMap<>();
            }
            alerts.put(ruleId, status);
        }
    }

    /** Records the latest numbers of an active alert; returns whether they changed. */
    boolean setNumbers(final String ruleId, final AlertNumbers latest) {
        if (alerts == null || !alerts.containsKey(ruleId)) {
            return false;
        }
        return !latest.equals(numbers.put(ruleId, latest));
    }

    AlertNumbers numbers(final String ruleId) {
        return numbers == null ? AlertNumbers.NONE : numbers.getOrDefault(ruleId, AlertNumbers.NONE);
    }

    Map<String, AlertStatus> alerts() {
        return alerts == null ? Map.of() : Collections.unmodifiableMap(alerts);
    }

    boolean hasActiveAlerts() {
        return alerts != null;
    }

    boolean isEmpty() {
        return size == 0 && alerts == null;
    }

    int[] ruleIndexes() {
        return ruleIndexes;
    }

    void setRuleIndexes(final int[] ruleIndexes) {
        this.ruleIndexes = ruleIndexes;
    }
}
