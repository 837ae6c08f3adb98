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
    private long base;
    private int[] offsets;
    /** Non-null instead of `offsets` while the points span more than an int of milliseconds. */
    private long[] wideTimes;
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
        this.offsets = new int[INITIAL_CAPACITY];
        this.values = new double[INITIAL_CAPACITY];
    }

    /** A state holding the first {@code size} points of {@code timestamps} and {@code values} (ascending times). */
    SeriesState(final Series series, final long[] timestamps, final double[] values, final int size) {
        this.key = series.key();
        this.series = series;
        this.values = Arrays.copyOf(values, Math.max(INITIAL_CAPACITY, size));
        this.size = size;
        if (size == 0 || timestamps[size - 1] - timestamps[0] <= Integer.MAX_VALUE) {
            this.base = size == 0 ? 0 : timestamps[0];
            this.offsets = new int[this.values.length];
            for (int i = 0; i < size; i++) {
                offsets[i] = (int) (timestamps[i] - base);
            }
        } else {
            this.wideTimes = Arrays.copyOf(timestamps, this.values.length);
        }
    }

    private static final int INITIAL_CAPACITY = 4;

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
        return wideTimes == null ? base + offsets[i] : wideTimes[i];
    }

    double value(final int i) {
        return values[i];
    }

    /** The timestamps of the first {@code n} points, in {@code into} if it is long enough. */
    long[] timestamps(final int n, final long[] into) {
        final long[] out = into.length >= n ? into : new long[n];
        if (wideTimes != null) {
            System.arraycopy(wideTimes, 0, out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = base + offsets[i];
            }
        }
        return out;
    }

    double[] values() {
        return values;
    }

    /** Adds a point in time order; a second point with the same timestamp replaces the first. */
    void add(final long timestampMs, final double value) {
        int i = size;
        if (size > 0 && timestamp(size - 1) >= timestampMs) {
            i = firstIndexAtOrAfter(timestampMs);
            if (i < size && timestamp(i) == timestampMs) {
                values[i] = value;
                return;
            }
        }
        if (wideTimes == null) {
            if (size == 0) {
                base = timestampMs;
            } else if (!reaches(timestampMs)) {
                rebase(timestampMs);
            }
        }
        if (size == values.length) {
            // Grown by an eighth, not doubled: a window's points are most of a series' memory, and a window holds
            // about the same number of points from one evaluation to the next, so the array is sized once.
            final int capacity = size + Math.max(1, size >> 3);
            values = Arrays.copyOf(values, capacity);
            if (wideTimes == null) {
                offsets = Arrays.copyOf(offsets, capacity);
            } else {
                wideTimes = Arrays.copyOf(wideTimes, capacity);
            }
        }
        System.arraycopy(values, i, values, i + 1, size - i);
        values[i] = value;
        if (wideTimes == null) {
            System.arraycopy(offsets, i, offsets, i + 1, size - i);
            offsets[i] = (int) (timestampMs - base);
        } else {
            System.arraycopy(wideTimes, i, wideTimes, i + 1, size - i);
            wideTimes[i] = timestampMs;
        }
        size++;
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
        if (wideTimes == null) {
            System.arraycopy(offsets, n, offsets, 0, size - n);
        } else {
            System.arraycopy(wideTimes, n, wideTimes, 0, size - n);
        }
        System.arraycopy(values, n, values, 0, size - n);
        size -= n;
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
