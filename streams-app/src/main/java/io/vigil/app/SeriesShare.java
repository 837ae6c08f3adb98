package io.vigil.app;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/series}' answer, or one instance's share of it ({@code scope=local}): the entries kept (JSON fields
 * of {@link SeriesExplanationJson}), how many pairs of rule and series matched, the evaluation tasks that did not
 * answer in time. A share also carries {@code outlierAlerts}, the outlier alerts its peer stage holds: an outlier's
 * state is not its series' task's to give, as the peer stage judges it, maybe on another instance; the answer sets
 * it once the shares are together, and leaves the field out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SeriesShare(List<Map<String, Object>> series, int matched, List<String> unanswered,
                   List<Map<String, Object>> outlierAlerts) {

    private static final Comparator<Map<String, Object>> ORDER = Comparator
            .comparingInt((Map<String, Object> e) -> "firing".equals(e.get("state")) ? 0
                    : "pending".equals(e.get("state")) ? 1 : 2)
            .thenComparing(e -> (String) e.get("rule")).thenComparing(SeriesShare::seriesKey);

    /** The shares as one answer: outliers given their alerts' states, firing first, at most {@code limit}. */
    static SeriesShare merge(final List<SeriesShare> shares, final int limit) {
        final List<Map<String, Object>> entries = new ArrayList<>();
        final List<String> unanswered = new ArrayList<>();
        final Map<List<Object>, Map<String, Object>> alerts = new HashMap<>();
        int matched = 0;
        for (SeriesShare share : shares) {
            share.series().forEach(e -> entries.add(new LinkedHashMap<>(e)));
            matched += share.matched();
            unanswered.addAll(share.unanswered());
            share.outlierAlerts().forEach(a -> alerts.put(List.of(a.get("rule"), a.get("labels")), a));
        }
        for (Map<String, Object> e : entries) {
            final Map<String, Object> alert = alerts.get(List.of(e.get("rule"), e.get("labels")));
            if (alert != null) {
                // The group's median and the series' z at the alert's last judgment: what made it pending or firing.
                for (String field : List.of("state", "activeAt", "median", "z")) {
                    e.put(field, alert.get(field));
                }
            }
        }
        entries.sort(ORDER);
        return new SeriesShare(List.copyOf(entries.subList(0, Math.min(limit, entries.size()))), matched, unanswered,
                null);
    }

    @SuppressWarnings("unchecked")
    private static String seriesKey(final Map<String, Object> entry) {
        final Map<String, String> labels = new HashMap<>((Map<String, String>) entry.get("labels"));
        return new Series(labels.remove("__name__"), Labels.of(labels)).key();
    }
}
