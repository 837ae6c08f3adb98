package io.vigil.bench;

import io.vigil.evaluation.RuleIndex;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.util.Locale;

/**
 * Rule sets of any size, written as YAML like rules/*.yaml and read by the real {@link RuleLoader}, with series that
 * each of them selects.
 *
 * <p>Rule {@code r} watches metric {@code metric_(r % M)} of cluster {@code cluster-(r / M)}, where {@code M} is the
 * number of metric names: 100 spreads 1,000 rules ten to a metric, as a fleet's rule files do; 1 puts them all on one
 * metric, the worst case for an index by metric name alone. Every rule also has one of four matchers on {@code job}
 * or {@code instance} ({@code =}, {@code =~}, {@code !=}, a regex on the instance), so each kind of matcher is on the
 * path. Series {@code i} belongs to rule {@code i % R}, and no other rule selects it: a datapoint costs the same work
 * whatever the number of rules, so what changes with it is the cost of the rules themselves.
 */
final class GeneratedRules {

    /** What a rule does when it matches: the kinds of rules.md. */
    enum Mix {
        /** Every rule a threshold over a 1m average: only the number of rules differs between rule sets. */
        THRESHOLD,
        /** Out of ten rules: six thresholds, a deviation from a 1h baseline, an outlier among its cluster, an absence,
         *  and a counter rate threshold. */
        REALISTIC
    }

    /** Every group's step; the window of every aggregating rule is 1m. */
    static final long EVERY_MS = 10_000;
    static final int RULES_PER_GROUP = 10;

    private GeneratedRules() {
    }

    static String yaml(final int rules, final int metrics, final Mix mix) {
        final StringBuilder sb = new StringBuilder("groups:\n");
        for (int r = 0; r < rules; r++) {
            if (r % RULES_PER_GROUP == 0) {
                sb.append("  - name: group-").append(r / RULES_PER_GROUP).append('\n')
                        .append("    every: ").append(EVERY_MS / 1000).append("s\n")
                        .append("    rules:\n");
            }
            sb.append("      - alert: Rule").append(r).append('\n')
                    .append("        series: ").append(metric(r, rules, metrics)).append("{cluster=\"")
                    .append(cluster(r, rules, metrics)).append("\", ").append(otherMatcher(r)).append("}\n")
                    .append(condition(r, mix))
                    .append("        labels: {severity: page}\n")
                    .append("        annotations:\n")
                    .append("          summary: \"{{ $labels.instance }} at {{ $value }}\"\n");
        }
        return sb.toString();
    }

    static RuleSet ruleSet(final int rules, final int metrics, final Mix mix) {
        final LoadResult loaded = RuleLoader.parse("generated.yaml", yaml(rules, metrics, mix));
        if (!loaded.ok() || loaded.ruleSet().rules().size() != rules) {
            throw new IllegalStateException("generated rules do not load: " + loaded.problems());
        }
        return loaded.ruleSet();
    }

    static RuleIndex index(final int rules, final int metrics, final Mix mix) {
        return new RuleIndex(ruleSet(rules, metrics, mix));
    }

    /** The {@code i}th series: selected by rule {@code i % rules} and by no other. */
    static Series series(final int i, final int rules, final int metrics) {
        final int r = i % rules;
        return new Series(metric(r, rules, metrics), Labels.of("cluster", cluster(r, rules, metrics), "job", "node",
                "instance", "node-" + i, "env", "prod"));
    }

    static Series[] allSeries(final int count, final int rules, final int metrics) {
        final Series[] out = new Series[count];
        for (int i = 0; i < count; i++) {
            out[i] = series(i, rules, metrics);
        }
        return out;
    }

    /** Fails unless every series is selected by exactly one rule: a benchmark of misses would measure the wrong thing. */
    static void checkEachSelectedOnce(final RuleIndex index, final Series[] series) {
        for (Series s : series) {
            final int[] matched = index.match(s);
            if (matched.length != 1) {
                throw new IllegalStateException(s + " is selected by " + matched.length + " rules");
            }
        }
    }

    private static int metricCount(final int rules, final int metrics) {
        return Math.min(rules, metrics);
    }

    private static String metric(final int r, final int rules, final int metrics) {
        return String.format(Locale.ROOT, "metric_%03d", r % metricCount(rules, metrics));
    }

    private static String cluster(final int r, final int rules, final int metrics) {
        return "cluster-" + r / metricCount(rules, metrics);
    }

    private static String otherMatcher(final int r) {
        return switch (r % 4) {
            case 0 -> "job=\"node\"";
            case 1 -> "job=~\"node|api\"";
            case 2 -> "job!=\"batch\"";
            default -> "instance=~\"node-.*\"";
        };
    }

    private static String condition(final int r, final Mix mix) {
        final String avg = "        aggregate: avg\n        window: 1m\n";
        if (mix == Mix.THRESHOLD) {
            return avg + "        threshold: {above: 90, recover: 80}\n        for: 1m\n";
        }
        return switch (r % 10) {
            case 6 -> avg + "        deviation: {baseline: 1h, z: 6, min_change: 0.5}\n";
            case 7 -> avg + "        outlier: {peers: [cluster], direction: low, z: 4, min_change: 0.5, min_peers: 5}\n"
                    + "        for: 2m\n";
            case 8 -> "        absent: {after: 3m}\n";
            case 9 -> "        aggregate: rate\n        window: 2m\n        threshold: {below: 1000}\n        for: 2m\n";
            default -> avg + "        threshold: {above: 90, recover: 80}\n        for: 1m\n";
        };
    }
}
