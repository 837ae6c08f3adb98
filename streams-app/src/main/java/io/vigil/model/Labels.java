package io.vigil.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable label set, sorted by name, as Prometheus defines one. A label that is absent reads as
 * the empty string, and a label whose value is empty is the same as an absent one.
 */
public final class Labels implements Comparable<Labels> {

    public static final Labels EMPTY = new Labels(new String[0]);

    /** Alternating names and values, sorted by name; names are unique. */
    private final String[] pairs;
    /**
     * Computed on first use, racy but benign like String's: ingest builds a label set per datapoint and uses it only
     * for the series key, so hashing every label string there was wasted work.
     */
    private int hash;
    /** Set when the hash was computed and is 0, as String's {@code hashIsZero}. */
    private boolean hashIsZero;

    private Labels(final String[] pairs) {
        this.pairs = pairs;
    }

    public static Labels of(final Map<String, String> labels) {
        final String[] pairs = new String[labels.size() * 2];
        int n = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            pairs[n++] = e.getKey();
            pairs[n++] = e.getValue();
        }
        return sorted(pairs, n);
    }

    /** {@code of("a", "1", "b", "2")}; a name given twice keeps its last value. */
    public static Labels of(final String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs, got " + namesAndValues.length);
        }
        return sorted(namesAndValues.clone(), namesAndValues.length);
    }

    /**
     * Sorts the first {@code n} entries of {@code pairs} by name in place (an insertion sort: label sets are small, and
     * this runs for every datapoint decoded), keeps the last value of a repeated name, drops empty values.
     */
    private static Labels sorted(final String[] pairs, final int n) {
        int size = 0;
        for (int i = 0; i < n; i += 2) {
            final String name = pairs[i];
            final String value = pairs[i + 1];
            int j = size;
            while (j > 0 && pairs[j - 2].compareTo(name) > 0) {
                j -= 2;
            }
            if (j > 0 && pairs[j - 2].equals(name)) {
                pairs[j - 1] = value;
                continue;
            }
            System.arraycopy(pairs, j, pairs, j + 2, size - j);
            pairs[j] = name;
            pairs[j + 1] = value;
            size += 2;
        }
        int kept = 0;
        for (int i = 0; i < size; i += 2) {
            if (pairs[i + 1] != null && !pairs[i + 1].isEmpty()) {
                pairs[kept++] = pairs[i];
                pairs[kept++] = pairs[i + 1];
            }
        }
        return new Labels(kept == pairs.length ? pairs : Arrays.copyOf(pairs, kept));
    }

    /** The value of {@code name}, or "" when there is no such label. */
    public String get(final String name) {
        final int i = indexOf(name);
        return i < 0 ? "" : pairs[i + 1];
    }

    public boolean has(final String name) {
        return indexOf(name) >= 0;
    }

    public int size() {
        return pairs.length / 2;
    }

    public String name(final int i) {
        return pairs[2 * i];
    }

    public String value(final int i) {
        return pairs[2 * i + 1];
    }

    public List<String> names() {
        final List<String> names = new ArrayList<>(size());
        for (int i = 0; i < pairs.length; i += 2) {
            names.add(pairs[i]);
        }
        return Collections.unmodifiableList(names);
    }

    /** A sorted, unmodifiable map view copy. */
    public Map<String, String> toMap() {
        final Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    public Labels with(final String name, final String value) {
        final Map<String, String> map = new LinkedHashMap<>(toMap());
        map.put(name, value);
        return of(map);
    }

    public Labels without(final String name) {
        if (!has(name)) {
            return this;
        }
        final Map<String, String> map = new LinkedHashMap<>(toMap());
        map.remove(name);
        return of(map);
    }

    private int indexOf(final String name) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            final int c = pairs[2 * mid].compareTo(name);
            if (c == 0) {
                return 2 * mid;
            } else if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    @Override
    public int compareTo(final Labels other) {
        final int n = Math.min(pairs.length, other.pairs.length);
        for (int i = 0; i < n; i++) {
            final int c = pairs[i].compareTo(other.pairs[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pairs.length, other.pairs.length);
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Labels other && hashCode() == other.hashCode() && Arrays.equals(pairs, other.pairs);
    }

    @Override
    public int hashCode() {
        // String's scheme: a thread sees either 0 (and computes the same value again) or the whole value, and the
        // flag is set only for a hash that really is 0.
        int h = hash;
        if (h == 0 && !hashIsZero) {
            h = Arrays.hashCode(pairs);
            if (h == 0) {
                hashIsZero = true;
            } else {
                hash = h;
            }
        }
        return h;
    }

    /** {@code {cluster="backend", instance="node-7"}}, PromQL's notation. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(pairs[i]).append("=\"");
            appendEscaped(sb, pairs[i + 1]);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** {@code value} as Prometheus writes a label value between quotes: backslash, quote and newline escaped. */
    public static void appendEscaped(final StringBuilder sb, final String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            sb.append(value);
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }
}
