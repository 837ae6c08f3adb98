package io.vigil.app;

import io.vigil.evaluation.QuestionDeadline;
import io.vigil.evaluation.RuleIndex;
import io.vigil.evaluation.SeriesFilter;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.Rule;
import io.vigil.rules.TemplateValues;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What {@code /api/series} is asked for: the pairs of rule and series whose labels (those of the pair's alert: the
 * series', the rule's {@code alertname} and {@code labels}; and the series' name as {@code __name__}) match a filter
 * as the alerts page's box takes it, at most {@code limit} of them. The limit bounds what a stream thread builds and
 * a page receives: a filter as broad as {@code cpu} matches every node of a large fleet.
 *
 * <p>An outlier's alert lives in the peer stage, often on another instance than its series' task, so the task
 * cutting its answer to the limit cannot tell a firing outlier from a quiet one. The instance asking first gathers
 * the outlier alerts pending or firing ({@code outliers=only}, each instance's peer stage), and asks the tasks with
 * them ({@code promote}, at most {@link #MAX_PROMOTED}), so each ranks those pairs as their alerts stand.
 *
 * @param rule     the one rule asked about ({@code GROUP/ALERT}), "" for any: an alert name may be in several groups
 * @param promoted the outlier alerts pending or firing, by {@link #pairHash}: 0 firing, 1 pending
 * @param outliersOnly only the peer stage's outlier alerts are asked for, not the tasks' entries
 * @param deadline when the asker stops waiting: a task matching past it stops ({@link QuestionDeadline})
 */
record SeriesQuery(AlertsQuery match, String rule, int limit, List<String> keyParts, Map<Long, Integer> promoted,
                   boolean outliersOnly, QuestionDeadline deadline) implements SeriesFilter {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    /**
     * The most outlier alerts a question carries to the tasks: 18 characters each in the URL a peer is asked with,
     * 18 KB at most. An answer shows at most its limit anyway, firing first.
     */
    static final int MAX_PROMOTED = 1_000;

    /**
     * The query of {@code rawQuery} (a URL's query, undecoded; null for none).
     *
     * @throws AlertsQuery.BadQuery saying what is wrong with a parameter
     */
    static SeriesQuery parse(final String rawQuery) {
        int limit = DEFAULT_LIMIT;
        Map<Long, Integer> promoted = Map.of();
        boolean outliersOnly = false;
        String rule = "";
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.startsWith("limit=")) {
                    limit = limit(AlertsQuery.decoded("limit", pair.substring("limit=".length())));
                } else if (pair.startsWith("promote=")) {
                    promoted = promoted(pair.substring("promote=".length()));
                } else if (pair.equals("outliers=only")) {
                    outliersOnly = true;
                } else if (pair.startsWith("rule=")) {
                    rule = AlertsQuery.decoded("rule", pair.substring("rule=".length()));
                }
            }
        }
        final AlertsQuery match = AlertsQuery.parse(rawQuery);
        return new SeriesQuery(match, rule, limit, keyParts(match, Set.of()), promoted, outliersOnly,
                QuestionDeadline.NONE);
    }

    SeriesQuery {
        keyParts = List.copyOf(keyParts);
        promoted = Map.copyOf(promoted);
    }

    /**
     * This query, promoting the outlier alerts of {@code alerts} (as {@link SeriesShare#outlierAlerts()} carries
     * them): firing first, then pending, then by rule and series, no more than an answer shows, nor than
     * {@link #MAX_PROMOTED}.
     */
    SeriesQuery promoting(final List<Map<String, Object>> alerts) {
        final Map<Long, Integer> ranks = new HashMap<>();
        alerts.stream().sorted(SeriesShare.ORDER).limit(Math.min(limit, MAX_PROMOTED)).forEach(a -> ranks.put(
                pairHash((String) a.get("rule"), SeriesShare.seriesKey(a)), "firing".equals(a.get("state")) ? 0 : 1));
        return new SeriesQuery(match, rule, limit, keyParts, ranks, false, deadline);
    }

    @Override
    public SeriesQuery until(final QuestionDeadline deadline) {
        return new SeriesQuery(match, rule, limit, keyParts, promoted, outliersOnly, deadline);
    }

    @Override
    public int outlierAlertRank(final String ruleId, final String seriesKey) {
        return promoted.isEmpty() ? 2 : promoted.getOrDefault(pairHash(ruleId, seriesKey), 2);
    }

    /**
     * A pair of rule and series as {@code promote} names it: 64 bits of FNV-1a over the rule's id and the series'
     * key. A million pairs asked with a thousand alerts meet a false match once in about 10^10 questions, and it
     * would only rank a quiet pair with the alerting ones.
     */
    static long pairHash(final String ruleId, final String seriesKey) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, ruleId);
        h = (h ^ '\n') * 0x100000001b3L;
        return fnv(h, seriesKey);
    }

    private static long fnv(final long seed, final String s) {
        long h = seed;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    private static Map<Long, Integer> promoted(final String value) {
        final Map<Long, Integer> out = new HashMap<>();
        for (String token : value.split(",")) {
            // f or p (firing, pending), then the pair's hash in 16 hex digits.
            final boolean formed = token.length() == 17 && (token.charAt(0) == 'f' || token.charAt(0) == 'p')
                    && token.substring(1).chars().allMatch(c -> Character.digit(c, 16) >= 0);
            if (!formed) {
                throw new AlertsQuery.BadQuery("promote must list f or p and 16 hex digits, comma-separated, not \""
                        + value + "\"");
            }
            out.put(Long.parseUnsignedLong(token.substring(1), 16), token.charAt(0) == 'f' ? 0 : 1);
        }
        return out;
    }

    /**
     * What a series' key must contain for the filter's equality matchers to hold: {@code cpu{} for
     * {@code __name__="cpu"}, {@code instance="node-07"} (escaped as keys are) for {@code instance="node-07"}. Not
     * for {@code alertname} (a rule's, not in the key), nor for an empty value (an absent label).
     */
    private static List<String> keyParts(final AlertsQuery match, final Set<String> ruleLabels) {
        final List<String> parts = new ArrayList<>();
        for (LabelMatcher m : match.matchers()) {
            if (m.type() != LabelMatcher.Type.EQUAL || m.value().isEmpty() || m.name().equals("alertname")
                    || ruleLabels.contains(m.name())) {
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
        deadline.check();
        for (String part : keyParts) {
            if (!seriesKey.contains(part)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean mayMatchRule(final Rule rule) {
        if (!this.rule.isEmpty() && !this.rule.equals(rule.id())) {
            return false;
        }
        for (LabelMatcher m : match.matchers()) {
            if (m.name().equals("alertname") && !m.matchesValue(deadline.watched(rule.alert()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean matches(final Series series, final Rule rule) {
        if (!this.rule.isEmpty() && !this.rule.equals(rule.id())) {
            return false;
        }
        // The labels looked up where they are, not copied into a label set per rule and series.
        for (LabelMatcher m : match.matchers()) {
            final String actual = m.name().equals("__name__") ? series.name()
                    : m.name().equals("alertname") ? rule.alert()
                    : rule.labels().containsKey(m.name()) ? ruleLabel(rule, m.name(), series)
                    : series.labels().get(m.name());
            if (!m.matchesValue(deadline.watched(actual))) {
                return false;
            }
        }
        for (String word : match.words()) {
            if (!contains(series, rule, word)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A rule's label as its alert would have it: rendered with the series' labels and {@code alertname}. A label
     * made of {@code $value} renders as the value is unknown here: a filter on it is not one an alert would share.
     */
    private static String ruleLabel(final Rule rule, final String name, final Series series) {
        return rule.labels().get(name).render(series.labels().with("alertname", rule.alert()),
                new TemplateValues(Double.NaN, Double.NaN, Double.NaN));
    }

    /** As {@link AlertsQuery}'s words: a label name or value containing it. */
    private static boolean contains(final Series series, final Rule rule, final String word) {
        if ("__name__".contains(word) || series.name().contains(word) || "alertname".contains(word)
                || rule.alert().contains(word)) {
            return true;
        }
        for (String name : rule.labels().keySet()) {
            if (name.contains(word) || ruleLabel(rule, name, series).contains(word)) {
                return true;
            }
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

    /**
     * This query for the rules of {@code index}: a label any rule sets (such as {@code severity}) is the rule's in
     * the alert, not the series', so its matchers no longer pass a series over on its key.
     */
    SeriesQuery besideRuleLabels(final RuleIndex index) {
        final Set<String> ruleLabels = new HashSet<>();
        for (int i = 0; i < index.ruleCount(); i++) {
            ruleLabels.addAll(index.rule(i).labels().keySet());
        }
        return new SeriesQuery(match, rule, limit, keyParts(match, ruleLabels), promoted, outliersOnly, deadline);
    }

    /** This query, asking each instance only for its peer stage's outlier alerts. */
    SeriesQuery outlierAlertsOnly() {
        return new SeriesQuery(match, rule, limit, keyParts, Map.of(), true, deadline);
    }

    /** This query's parameters as another instance is asked them (after {@code scope=local}). */
    String parameters() {
        final StringBuilder out = new StringBuilder("&limit=").append(limit);
        if (!match.filter().isEmpty()) {
            out.append("&match=").append(URLEncoder.encode(match.filter(), StandardCharsets.UTF_8));
        }
        if (!rule.isEmpty()) {
            out.append("&rule=").append(URLEncoder.encode(rule, StandardCharsets.UTF_8));
        }
        if (outliersOnly) {
            out.append("&outliers=only");
        }
        if (!promoted.isEmpty()) {
            final StringJoiner tokens = new StringJoiner(",", "&promote=", "");
            promoted.forEach((hash, rank) -> tokens.add((rank == 0 ? "f" : "p") + String.format("%016x", hash)));
            out.append(tokens);
        }
        return out.toString();
    }
}
