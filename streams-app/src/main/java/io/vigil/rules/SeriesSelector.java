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

    /**
     * Reads PromQL selector syntax: {@code name}, {@code name{label="v", other=~"re|gex"}} with {@code =}, {@code !=},
     * {@code =~}, {@code !~} and double-quoted, backslash-escaped values, or {@code {__name__="name", ...}}.
     *
     * @throws ValueSyntaxException at the offset of the first error, including a regex that does not compile
     */
    public static SeriesSelector parse(final String text) {
        return SelectorParser.parse(text);
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
