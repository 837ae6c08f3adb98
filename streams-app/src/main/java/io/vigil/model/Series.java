package io.vigil.model;

/**
 * A series: a metric name and its full label set (without {@code __name__}), as in Prometheus.
 *
 * @param name   the metric name, never empty
 * @param labels the labels, never containing {@code __name__}
 */
public record Series(String name, Labels labels) implements Comparable<Series> {

    public Series {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a series needs a metric name");
        }
        if (labels.has("__name__")) {
            labels = labels.without("__name__");
        }
    }

    /** {@code cpu_usage_percent{cluster="backend", instance="node-7"}}: stable, readable, unique. */
    public String key() {
        final StringBuilder sb = new StringBuilder(name.length() + 16 * labels.size()).append(name).append('{');
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labels.name(i)).append("=\"");
            Labels.appendEscaped(sb, labels.value(i));
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    @Override
    public int compareTo(final Series other) {
        final int c = name.compareTo(other.name);
        return c != 0 ? c : labels.compareTo(other.labels);
    }

    @Override
    public String toString() {
        return key();
    }
}
