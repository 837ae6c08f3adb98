package io.vigil.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/vigil-self-alerts.yml, the Prometheus alerts on Vigil's own /metrics, read as a check of a /metrics page:
 * every {@code vigil_*}, {@code kafka_*}, {@code process_*} and {@code jvm_*} metric its expressions select must be
 * exported under that name, and every label they match on (other than {@code job} and {@code instance}, which
 * Prometheus adds) must be on it with a value the matcher takes, and every label an aggregation around it groups by
 * ({@code by (job, digest)}) on it too. A metric or label renamed in Vigil, or in Kafka's
 * clients on an upgrade, or a Micrometer binder no longer bound, would otherwise leave the alert silently watching
 * nothing: an expression over a series that does not exist is never true. A grouping label that is not there puts
 * every series in one group: {@code count by (digest)} of instances running different rules would count one.
 *
 * <p>The Grafana dashboard of the compose stack, deploy/grafana/dashboards/vigil.json, is read the same way, each
 * panel's queries by the panel's title: a panel over a renamed metric shows "No data", which looks like a quiet
 * system.
 */
final class SelfAlertRules {

    /** The repository root: the tests run in streams-app/. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path FILE = ROOT.resolve("deploy").resolve("vigil-self-alerts.yml");
    static final Path TESTS = ROOT.resolve("deploy").resolve("vigil-self-alerts.test.yml");
    static final Path DASHBOARD = ROOT.resolve("deploy").resolve("grafana").resolve("dashboards").resolve("vigil.json");

    /** Labels Prometheus gives every scraped series itself; not on /metrics. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");
    /** A selector of one of Vigil's metrics, Kafka's, the process's or the JVM's, with its label matchers if any. */
    private static final Pattern SELECTOR =
            Pattern.compile("\\b((?:vigil|kafka|process|jvm)_[A-Za-z0-9_]+)\\b\\s*(?:\\{([^}]*)})?");
    private static final Pattern MATCHER =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SAMPLE = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)(?:\\{(.*)})?\\s+\\S+");
    private static final Pattern LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** An aggregation's grouping written before its argument, as the file writes them: {@code sum by (job, rule) (}. */
    private static final Pattern GROUPING = Pattern.compile("\\bby\\s*\\(([^)]*)\\)\\s*\\(");

    private SelfAlertRules() {
    }

    /** One label matcher of a selector: {@code outcome="retry"}. */
    record LabelMatch(String label, String op, String value) {
        boolean takes(final String actual) {
            return switch (op) {
                case "=" -> actual.equals(value);
                case "!=" -> !actual.equals(value);
                case "=~" -> Pattern.compile(value).matcher(actual).matches(); // PromQL's regexes are anchored
                default -> !Pattern.compile(value).matcher(actual).matches();
            };
        }

        @Override
        public String toString() {
            return label + op + '"' + value + '"';
        }
    }

    /**
     * A metric an alert's expression selects, its matchers on labels that /metrics has, and the labels that /metrics
     * has which the aggregations around it group by.
     */
    record Selector(String alert, String metric, List<LabelMatch> matchers, Set<String> groupedBy) {
    }

    /** Every alert's expression, by alert name, in the file's order. */
    static Map<String, String> expressions() throws IOException {
        final JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile());
        final Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : root.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.put(rule.path("alert").asText(rule.path("record").asText()), rule.path("expr").asText());
            }
        }
        return out;
    }

    /** Every query of the dashboard's panels, by the panel's title (and the query's letter where it has several). */
    static Map<String, String> dashboardExpressions() throws IOException {
        final Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            final JsonNode targets = panel.path("targets");
            for (JsonNode target : targets) {
                out.put(panel.path("title").asText() + (targets.size() > 1 ? " (" + target.path("refId").asText() + ")"
                        : ""), target.path("expr").asText());
            }
        }
        return out;
    }

    /** Every selector of Vigil's, Kafka's, the process's or the JVM's metrics in every alert's expression. */
    static List<Selector> selectors() throws IOException {
        return selectors(expressions());
    }

    /** Every selector of Vigil's, Kafka's, the process's or the JVM's metrics in {@code expressions}, by their names. */
    static List<Selector> selectors(final Map<String, String> expressions) {
        final List<Selector> out = new ArrayList<>();
        for (Map.Entry<String, String> e : expressions.entrySet()) {
            final String expr = e.getValue();
            // Found where string literals are blanked out (no label value reads as a metric); the blanked text has
            // the expression's length, so the matchers are read at the same place in the expression itself.
            final String blanked = withoutStrings(expr);
            final Matcher m = SELECTOR.matcher(blanked);
            while (m.find()) {
                final List<LabelMatch> matchers = new ArrayList<>();
                if (m.group(2) != null) {
                    final Matcher mm = MATCHER.matcher(expr.substring(m.start(2), m.end(2)));
                    while (mm.find()) {
                        if (!TARGET_LABELS.contains(mm.group(1))) {
                            matchers.add(new LabelMatch(mm.group(1), mm.group(2), mm.group(3).replace("\\\\", "\\")));
                        }
                    }
                }
                out.add(new Selector(e.getKey(), m.group(1), List.copyOf(matchers), groupedBy(blanked, m.start())));
            }
        }
        return out;
    }

    /** The labels the aggregations whose argument holds position {@code at} of {@code expr} group by, less Prometheus'. */
    private static Set<String> groupedBy(final String expr, final int at) {
        final Set<String> labels = new TreeSet<>();
        final Matcher g = GROUPING.matcher(expr);
        while (g.find()) {
            final int open = g.end() - 1;
            if (open < at && at < closing(expr, open)) {
                for (String label : g.group(1).split(",")) {
                    if (!label.isBlank() && !TARGET_LABELS.contains(label.strip())) {
                        labels.add(label.strip());
                    }
                }
            }
        }
        return labels;
    }

    /** The position of the parenthesis closing the one at {@code open}; the end of {@code expr} if none does. */
    private static int closing(final String expr, final int open) {
        int depth = 0;
        for (int i = open; i < expr.length(); i++) {
            depth += expr.charAt(i) == '(' ? 1 : expr.charAt(i) == ')' ? -1 : 0;
            if (depth == 0) {
                return i;
            }
        }
        return expr.length();
    }

    /** The metric names the alerts select. */
    static Set<String> metricNames() throws IOException {
        final Set<String> names = new TreeSet<>();
        selectors().forEach(s -> names.add(s.metric()));
        return names;
    }

    /**
     * What the alerts select that {@code metrics} (a /metrics page, Prometheus' text format) does not have: one line
     * per selector, naming its alert; empty when every selector has a series to match.
     */
    static List<String> missingFrom(final String metrics) throws IOException {
        return missingFrom(metrics, expressions());
    }

    /** {@link #missingFrom(String)} for {@code expressions}, each line naming the expression's name. */
    static List<String> missingFrom(final String metrics, final Map<String, String> expressions) {
        final Map<String, List<Map<String, String>>> samples = samples(metrics);
        final List<String> missing = new ArrayList<>();
        for (Selector s : selectors(expressions)) {
            final List<Map<String, String>> series = samples.get(s.metric());
            if (series == null) {
                missing.add(s.alert() + ": " + s.metric() + " is not on /metrics");
                continue;
            }
            for (LabelMatch m : s.matchers()) {
                if (series.stream().noneMatch(l -> l.containsKey(m.label()) && m.takes(l.get(m.label())))) {
                    missing.add(s.alert() + ": no series of " + s.metric() + " has " + m);
                }
            }
            for (String label : s.groupedBy()) {
                if (!series.isEmpty() && series.stream().noneMatch(l -> l.containsKey(label))) {
                    missing.add(s.alert() + ": no series of " + s.metric() + " has the label " + label
                            + ", which it is grouped by");
                }
            }
        }
        return missing;
    }

    /** Series by metric name, each its labels; names from {@code # TYPE} lines count too, with no series. */
    private static Map<String, List<Map<String, String>>> samples(final String metrics) {
        final Map<String, List<Map<String, String>>> out = new HashMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                out.computeIfAbsent(line.split(" ")[2], k -> new ArrayList<>());
                continue;
            }
            final Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            final Map<String, String> labels = new HashMap<>();
            if (m.group(2) != null) {
                final Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return out;
    }

    /** The expression with the text of its string literals blanked, so that no label value reads as a metric. */
    private static String withoutStrings(final String expr) {
        final StringBuilder out = new StringBuilder(expr.length());
        boolean inString = false;
        for (int i = 0; i < expr.length(); i++) {
            final char c = expr.charAt(i);
            if (inString && c == '\\' && i + 1 < expr.length()) {
                out.append("  ");
                i++;
                continue;
            }
            if (c == '"') {
                inString = !inString;
                out.append(c);
                continue;
            }
            out.append(inString ? ' ' : c);
        }
        return out.toString();
    }
}
