package io.vigil.ingest;

import io.vigil.model.Labels;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A datapoint draft's labels as a decoder read them: a map in input order, as {@link LinkedHashMap} keeps one, that
 * refuses a name given again ({@link #put}), held in two arrays
 * searched in order. A datapoint has a handful of labels, and a map per datapoint (a node and a hash of every name)
 * was a tenth of ingest's time. Beyond {@value #SMALL} labels it is a {@link LinkedHashMap}, so that a record with
 * thousands of labels is not read in quadratic time.
 */
final class DraftLabels {

    /** The most labels searched in order. */
    static final int SMALL = 32;

    private static final String[] NONE = new String[0];

    /** Made on the first put: a datapoint whose label set is {@link KnownLabels known} has none. */
    private String[] names = NONE;
    private String[] values = NONE;
    private int size;
    /** Non-null once the labels outgrew the arrays; then it alone holds them. */
    private Map<String, String> large;
    /** {@link #pairs()} once asked for, until the labels change. */
    private String[] pairs;

    /**
     * Adds a label; false, and nothing changed, when {@code name} is there already: a name given twice is the
     * decoder's to refuse, as Prometheus refuses duplicate label names.
     */
    boolean put(final String name, final String value) {
        pairs = null;
        if (large != null) {
            return large.putIfAbsent(name, value) == null;
        }
        if (indexOf(name) >= 0) {
            return false;
        }
        if (size == SMALL) {
            large = new LinkedHashMap<>();
            for (int j = 0; j < size; j++) {
                large.put(names[j], values[j]);
            }
            large.put(name, value);
            names = null;
            values = null;
            size = 0;
            return true;
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, Math.max(8, 2 * size));
            values = Arrays.copyOf(values, Math.max(8, 2 * size));
        }
        names[size] = name;
        values[size] = value;
        size++;
        return true;
    }

    /** Adds labels whose names are distinct (a map's). */
    void putAll(final Map<String, String> labels) {
        labels.forEach(this::put);
    }

    /** The value of {@code name}, or null. */
    String get(final String name) {
        if (large != null) {
            return large.get(name);
        }
        final int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    /** The labels in input order, as {@code name, value, name, value...}; not to be changed by the caller. */
    String[] pairs() {
        if (pairs == null) {
            pairs = newPairs();
        }
        return pairs;
    }

    private String[] newPairs() {
        if (large != null) {
            final String[] pairs = new String[2 * large.size()];
            int n = 0;
            for (Map.Entry<String, String> e : large.entrySet()) {
                pairs[n++] = e.getKey();
                pairs[n++] = e.getValue();
            }
            return pairs;
        }
        final String[] pairs = new String[2 * size];
        for (int i = 0; i < size; i++) {
            pairs[2 * i] = names[i];
            pairs[2 * i + 1] = values[i];
        }
        return pairs;
    }

    /** The labels without {@code skipped}: equal to {@link Labels#of(Map)} of the same map without it. */
    Labels toLabels(final String skipped) {
        final String[] all = pairs();
        int at = -1;
        for (int i = 0; i < all.length && at < 0; i += 2) {
            if (all[i].equals(skipped)) {
                at = i;
            }
        }
        if (at < 0) {
            return Labels.of(all);
        }
        final String[] kept = new String[all.length - 2];
        System.arraycopy(all, 0, kept, 0, at);
        System.arraycopy(all, at + 2, kept, at, all.length - at - 2);
        return Labels.of(kept);
    }

    private int indexOf(final String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
