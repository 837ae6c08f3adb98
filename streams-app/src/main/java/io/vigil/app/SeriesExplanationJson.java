package io.vigil.app;

import io.vigil.evaluation.SeriesExplanation;
import io.vigil.model.DurationSyntax;
import io.vigil.rules.BaselineMethod;
import io.vigil.rules.Condition;
import io.vigil.rules.Direction;
import io.vigil.rules.Rule;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code /api/series}' entry for one rule and one series ({@link SeriesExplanation}), as JSON fields. */
final class SeriesExplanationJson {

    private SeriesExplanationJson() {
    }

    static Map<String, Object> of(final SeriesExplanation e) {
        final Rule rule = e.rule();
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule.id());
        m.put("kind", rule.condition().kind());
        m.put("labels", labels(e));
        m.put("state", e.status().state().name().toLowerCase(Locale.ROOT));
        m.put("activeAt", ApiJson.time(e.status().activeAt()));
        // As /api/alerts' startsAt: when it began firing, which the page's alert rows count from.
        m.put("startsAt", e.status().isFiring() ? ApiJson.time(e.status().firedAt()) : null);
        m.put("for", DurationSyntax.format(rule.forDuration()));
        m.put("at", ApiJson.time(e.at()));
        // An absent rule judges the age of the series' newest point, no window: the rule's default aggregate and
        // window, and the points in it, read as if they counted (the page showed "12 points" beside "silent 340 s").
        final boolean windowed = !(rule.condition() instanceof Condition.Absent);
        m.put("aggregate", windowed ? rule.aggregate().yamlName() : null);
        m.put("window", windowed ? DurationSyntax.format(rule.window()) : null);
        m.put("points", windowed ? e.points() : null);
        m.put("value", ApiJson.number(e.value()));
        m.put("condition", condition(rule.condition()));
        m.put("holds", e.holds().name().toLowerCase(Locale.ROOT));
        m.put("median", ApiJson.number(e.median()));
        m.put("z", ApiJson.number(e.z()));
        if (e.baselineSize() >= 0) {
            m.put("baseline", Map.of("evaluations", e.baselineSize(), "warmAt", e.baselineWarm()));
        }
        m.put("lastSeen", ApiJson.time(e.lastSeen()));
        return m;
    }

    /** The series' labels with its name as {@code __name__}: what a filter matches, beside {@code alertname}. */
    static Map<String, String> labels(final SeriesExplanation e) {
        final Map<String, String> labels = new java.util.TreeMap<>(e.series().labels().toMap());
        labels.put("__name__", e.series().name());
        return labels;
    }

    /** The condition as the rule's YAML gives it (rules.md's keys): what the value is judged against. */
    static String condition(final Condition condition) {
        if (condition instanceof Condition.Threshold t) {
            return (t.above() ? "above " : "below ") + plain(t.limit())
                    + (t.recover().isPresent() ? ", recover " + plain(t.recover().getAsDouble()) : "");
        }
        if (condition instanceof Condition.Deviation d) {
            return "z " + plain(d.z()) + ", direction " + direction(d.direction(), "up", "down") + ", min_change "
                    + plain(d.minChange()) + minDelta(d.minDelta()) + ", baseline "
                    + DurationSyntax.format(d.baseline())
                    + (d.method() == BaselineMethod.MAD ? "" : ", method " + d.method().name().toLowerCase(Locale.ROOT));
        }
        if (condition instanceof Condition.Outlier o) {
            return "z " + plain(o.z()) + ", direction " + direction(o.direction(), "high", "low") + ", min_change "
                    + plain(o.minChange()) + minDelta(o.minDelta()) + ", peers " + o.peers() + ", min_peers "
                    + o.minPeers();
        }
        return "after " + DurationSyntax.format(((Condition.Absent) condition).after());
    }

    /** {@code min_delta} where a rule gives it: an extension, left out at its default as the rule leaves it out. */
    private static String minDelta(final double minDelta) {
        return minDelta == 0 ? "" : ", min_delta " + plain(minDelta);
    }

    private static String direction(final Direction direction, final String high, final String low) {
        return switch (direction) {
            case HIGH -> high;
            case LOW -> low;
            case BOTH -> "both";
        };
    }

    /** A number as YAML would have it: 90, not 90.0. */
    private static String plain(final double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
