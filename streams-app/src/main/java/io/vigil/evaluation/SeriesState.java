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

    private final Series series;
    private long[] timestamps;
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

    SeriesState(final Series series) {
        this(series, new long[4], new double[4], 0);
    }

    SeriesState(final Series series, final long[] timestamps, final double[] values, final int size) {
        this.series = series;
        this.timestamps = timestamps;
        this.values = values;
        this.size = size;
    }

    Series series() {
        return series;
    }

    int size() {
        return size;
    }

    long timestamp(final int i) {
        return timestamps[i];
    }

    double value(final int i) {
        return values[i];
    }

    long[] timestamps() {
        return timestamps;
    }

    double[] values() {
        return values;
    }

    /** Adds a point in time order; a second point with the same timestamp replaces the first. */
    void add(final long timestampMs, final double value) {
        int i = size;
        if (size > 0 && timestamps[size - 1] >= timestampMs) {
            i = firstIndexAtOrAfter(timestampMs);
            if (i < size && timestamps[i] == timestampMs) {
                values[i] = value;
                return;
            }
        }
        if (size == timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        System.arraycopy(timestamps, i, timestamps, i + 1, size - i);
        System.arraycopy(values, i, values, i + 1, size - i);
        timestamps[i] = timestampMs;
        values[i] = value;
        size++;
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
            if (timestamps[mid] < t) {
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
        lastPruned = Math.max(lastPruned, timestamps[n - 1]);
        System.arraycopy(timestamps, n, timestamps, 0, size - n);
        System.arraycopy(values, n, values, 0, size - n);
        size -= n;
        return true;
    }

    /** The newest point at or before {@code t}; Long.MIN_VALUE if the series had none by then. */
    long lastSeenAt(final long t) {
        final int i = firstIndexAfter(t);
        return i > 0 ? timestamps[i - 1] : lastPruned;
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
        return size == 0 ? Long.MAX_VALUE : timestamps[0];
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
