package io.vigil.app;

import io.vigil.evaluation.SeriesFilter;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LabelMatcher;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /api/series} is asked for: the pairs of rule and series whose labels (the series' with
 * {@code __name__}, and the rule's {@code alertname}) match a filter as the alerts page's box takes it, at most
 * {@code limit} of them. The limit bounds what a stream thread builds and a page receives: a filter as broad as
 * {@code cpu} matches every node of a large fleet.
 */
record SeriesQuery(AlertsQuery match, int limit, List<String> keyParts) implements SeriesFilter {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;

    /**
     * The query of {@code rawQuery} (a URL's query, undecoded; null for none).
     *
     * @throws AlertsQuery.BadQuery saying what is wrong with a parameter
     */
    static SeriesQuery parse(final String rawQuery) {
        int limit = DEFAULT_LIMIT;
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.startsWith("limit=")) {
                    limit = limit(pair.substring("limit=".length()));
                }
            }
        }
        final AlertsQuery match = AlertsQuery.parse(rawQuery);
        return new SeriesQuery(match, limit, keyParts(match));
    }

    SeriesQuery {
        keyParts = List.copyOf(keyParts);
    }

    /**
     * What a series' key must contain for the filter's equality matchers to hold: {@code cpu{} for
     * {@code __name__="cpu"}, {@code instance="node-07"} (escaped as keys are) for {@code instance="node-07"}. Not
     * for {@code alertname} (a rule's, not in the key), nor for an empty value (an absent label).
     */
    private static List<String> keyParts(final AlertsQuery match) {
        final List<String> parts = new ArrayList<>();
        for (LabelMatcher m : match.matchers()) {
            if (m.type() != LabelMatcher.Type.EQUAL || m.value().isEmpty() || m.name().equals("alertname")) {
                continue;
            }
            if (m.name().equals("__name__")) {
                parts.add(m.value() + "{");
            } else {
                // The key of a series with this label alone is x{NAME="VALUE"}: the middle is the label as keys write it.
                final String alone = new Series("x", Labels.of(m.name(), m.value())).key();
                parts.add(alone.substring(2, alone.length() - 1));
            }
        }
        return parts;
    }

    @Override
    public boolean mayMatch(final String seriesKey) {
        for (String part : keyParts) {
            if (!seriesKey.contains(part)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean mayMatchRule(final String alertname) {
        for (LabelMatcher m : match.matchers()) {
            if (m.name().equals("alertname") && !m.matchesValue(alertname)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean matches(final Series series, final String alertname) {
        // The labels looked up where they are, not copied into a label set per rule and series.
        for (LabelMatcher m : match.matchers()) {
            final String actual = m.name().equals("__name__") ? series.name()
                    : m.name().equals("alertname") ? alertname : series.labels().get(m.name());
            if (!m.matchesValue(actual)) {
                return false;
            }
        }
        for (String word : match.words()) {
            if (!contains(series, alertname, word)) {
                return false;
            }
        }
        return true;
    }

    /** As {@link AlertsQuery}'s words: a label name or value containing it. */
    private static boolean contains(final Series series, final String alertname, final String word) {
        if ("__name__".contains(word) || series.name().contains(word) || "alertname".contains(word)
                || alertname.contains(word)) {
            return true;
        }
        final Labels labels = series.labels();
        for (int i = 0; i < labels.size(); i++) {
            if (labels.name(i).contains(word) || labels.value(i).contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static int limit(final String value) {
        try {
            final int n = Integer.parseInt(value);
            if (n > 0 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new AlertsQuery.BadQuery("limit must be a whole number from 1 to " + MAX_LIMIT + ", not \"" + value
                + "\"");
    }

    /** This query's parameters as another instance is asked them (after {@code scope=local}). */
    String parameters() {
        final StringBuilder out = new StringBuilder("&limit=").append(limit);
        if (!match.filter().isEmpty()) {
            out.append("&match=").append(URLEncoder.encode(match.filter(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
