package io.vigil.rules;

import io.vigil.model.Series;
import java.util.List;

/**
 * A PromQL series selector: a metric name and label matchers, {@code net_transmit_bytes_total{cluster="backend"}}.
 *
 * @param metricName the metric name the selector requires
 * @param matchers   label matchers that must all hold
 */
public record SeriesSelector(String metricName, List<LabelMatcher> matchers) {

    public SeriesSelector {
        matchers = List.copyOf(matchers);
    }

    public boolean matches(final Series series) {
        if (!series.name().equals(metricName)) {
            return false;
        }
        for (LabelMatcher m : matchers) {
            if (!m.matches(series.labels())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(metricName);
        if (!matchers.isEmpty()) {
            sb.append('{');
            for (int i = 0; i < matchers.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(matchers.get(i));
            }
            sb.append('}');
        }
        return sb.toString();
    }
}
