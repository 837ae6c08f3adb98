package io.vigil.app;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vigil.evaluation.PeerJudgment;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * {@code /api/series}' answer, or one instance's share of it ({@code scope=local}): the entries kept (JSON fields
 * of {@link SeriesExplanationJson}), how many pairs of rule and series matched, the evaluation tasks that did not
 * answer in time. An outlier is judged by the peer stage, maybe on another instance than its series' task, so a share
 * also carries what its peer stage holds: {@code outlierAlerts}, the outlier alerts pending or firing, and
 * {@code peerGroups}, each group's last judgment; the answer sets the outlier entries from them once the shares are
 * together, and leaves both out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SeriesShare(List<Map<String, Object>> series, int matched, List<String> unanswered,
                   List<Map<String, Object>> outlierAlerts, List<Map<String, Object>> peerGroups) {

    /** Firing first, then pending, then by rule and series: entries and outlier alerts alike. */
    static final Comparator<Map<String, Object>> ORDER = order(e -> 2);

    /** A peer group's last judgment as a share carries it. */
    static Map<String, Object> group(final PeerJudgment j) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", j.ruleId());
        m.put("peers", j.peers());
        m.put("at", Instant.ofEpochMilli(j.at()).toString());
        m.put("members", j.members());
        m.put("median", j.judged() ? j.median() : null);
        m.put("mad", j.judged() ? j.mad() : null);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static PeerJudgment judgment(final Map<String, Object> m) {
        return new PeerJudgment((String) m.get("rule"), (Map<String, String>) m.get("peers"),
                Instant.parse((String) m.get("at")).toEpochMilli(), ((Number) m.get("members")).intValue(),
                number(m.get("median")), number(m.get("mad")));
    }

    /**
     * A double as JSON carried it: a number, null for none, or a string for one JSON has no number for (Jackson writes
     * {@code "Infinity"}: a group's sums that overflow judge it at an infinite median, and the cast of that string
     * failed the whole answer).
     */
    private static double number(final Object json) {
        if (json == null) {
            return Double.NaN;
        }
        return json instanceof Number n ? n.doubleValue() : Double.parseDouble((String) json);
    }

    /**
     * {@link #ORDER}, an entry of no state known here ranked by {@code otherwise}: an outlier whose alert another
     * instance's peer stage holds, as the question was told of it.
     */
    private static Comparator<Map<String, Object>> order(final ToIntFunction<Map<String, Object>> otherwise) {
        return Comparator.comparingInt((Map<String, Object> e) -> "firing".equals(e.get("state")) ? 0
                        : "pending".equals(e.get("state")) ? 1 : otherwise.applyAsInt(e))
                .thenComparing(e -> (String) e.get("rule")).thenComparing(SeriesShare::seriesKey);
    }

    /**
     * The shares as one answer: outliers given their alerts' states and their groups' last judgments, firing first,
     * at most {@code query}'s limit.
     *
     * @param query what was asked, with the outlier alerts it was told of: an instance merging its own share knows
     *              only its own peer stage's, and must not cut an outlier another one's holds firing
     * @param rules the rules in force, by id: an outlier's peers labels and condition
     */
    static SeriesShare merge(final List<SeriesShare> shares, final SeriesQuery query,
                             final Function<String, Optional<Rule>> rules) {
        final List<Map<String, Object>> entries = new ArrayList<>();
        final List<String> unanswered = new ArrayList<>();
        final Map<List<Object>, Map<String, Object>> alerts = new HashMap<>();
        final Map<List<Object>, PeerJudgment> groups = new HashMap<>();
        int matched = 0;
        for (SeriesShare share : shares) {
            share.series().forEach(e -> entries.add(new LinkedHashMap<>(e)));
            matched += share.matched();
            unanswered.addAll(share.unanswered());
            share.outlierAlerts().forEach(a -> alerts.put(List.of(a.get("rule"), a.get("labels")), a));
            share.peerGroups().forEach(g -> groups.put(List.of(g.get("rule"), g.get("peers")), judgment(g)));
        }
        for (Map<String, Object> e : entries) {
            final Optional<Rule> rule = rules.apply((String) e.get("rule"));
            if (rule.isPresent() && rule.get().condition() instanceof Condition.Outlier outlier) {
                judged(e, outlier, groups.get(List.of(e.get("rule"), peersOf(e, outlier))));
                final Map<String, Object> alert = alerts.get(List.of(e.get("rule"), e.get("labels")));
                if (alert != null) {
                    // The group's median and the series' z at the alert's last judgment: what made it pending or firing.
                    for (String field : List.of("state", "activeAt", "startsAt", "median", "z")) {
                        e.put(field, alert.get(field));
                    }
                }
            }
        }
        entries.sort(order(e -> query.promoted().isEmpty() ? 2
                : query.outlierAlertRank((String) e.get("rule"), seriesKey(e))));
        return new SeriesShare(List.copyOf(entries.subList(0, Math.min(query.limit(), entries.size()))), matched,
                unanswered, null, null);
    }

    /**
     * An outlier entry's value against its group's last judgment: its z, whether it would be an outlier there, or
     * that the group had too few members with a value to be judged. Without a judgment (none yet, or the group's
     * peer task did not answer) it stays as its series' task gave it.
     */
    private static void judged(final Map<String, Object> entry, final Condition.Outlier outlier,
                               final PeerJudgment group) {
        if (group == null) {
            return;
        }
        final Map<String, Object> g = new LinkedHashMap<>();
        g.put("at", Instant.ofEpochMilli(group.at()).toString());
        g.put("members", group.members());
        g.put("minPeers", outlier.minPeers());
        entry.put("group", g);
        final Object value = entry.get("value");
        if (!group.judged()) {
            entry.put("holds", "too_few_peers");
        } else if (value != null) {
            final double x = ((Number) value).doubleValue();
            entry.put("median", Double.isFinite(group.median()) ? group.median() : null);
            final double z = group.z(x);
            entry.put("z", Double.isFinite(z) ? z : null);
            entry.put("holds", group.isOutlier(x, outlier) ? "yes" : "no");
        }
    }

    /** The values of the outlier's {@code peers} labels in an entry's labels: its group ("" for a label it lacks). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> peersOf(final Map<String, Object> entry, final Condition.Outlier outlier) {
        final Map<String, String> labels = (Map<String, String>) entry.get("labels");
        final Map<String, String> peers = new LinkedHashMap<>();
        outlier.peers().forEach(p -> peers.put(p, labels.getOrDefault(p, "")));
        return peers;
    }

    /** The key of an entry's or an outlier alert's series, from its labels. */
    @SuppressWarnings("unchecked")
    static String seriesKey(final Map<String, Object> entry) {
        final Map<String, String> labels = new HashMap<>((Map<String, String>) entry.get("labels"));
        return new Series(labels.remove("__name__"), Labels.of(labels)).key();
    }
}
