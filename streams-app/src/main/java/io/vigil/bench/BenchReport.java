package io.vigil.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bench's results: one table (metric, value, unit, target), printed and written as JSON. Each row has a stable
 * key, so that the JSON of two commits can be compared row by row.
 */
public final class BenchReport {

    /**
     * @param value NaN when it could not be measured (written as null)
     * @param target empty when there is none
     */
    public record Row(String key, String metric, double value, String unit, String target) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> context = new LinkedHashMap<>();

    public void add(final String key, final String metric, final double value, final String unit, final String target) {
        rows.add(new Row(key, metric, value, unit, target));
    }

    /** What the run was: options, machine, version; written beside the rows. */
    public void context(final String name, final Object value) {
        context.put(name, value);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public void print(final PrintWriter out) {
        final int m = Math.max("metric".length(), rows.stream().mapToInt(r -> r.metric().length()).max().orElse(0));
        final int v = Math.max("value".length(), rows.stream().mapToInt(r -> format(r.value()).length()).max().orElse(0));
        final int u = Math.max("unit".length(), rows.stream().mapToInt(r -> r.unit().length()).max().orElse(0));
        final String line = "%-" + m + "s  %" + v + "s  %-" + u + "s  %s%n";
        out.printf(line, "metric", "value", "unit", "target");
        for (Row r : rows) {
            out.printf(line, r.metric(), format(r.value()), r.unit(), r.target());
        }
        out.flush();
    }

    public void writeJson(final Path file) throws IOException {
        final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        final ObjectNode root = json.createObjectNode();
        root.set("context", json.valueToTree(context));
        final ArrayNode results = root.putArray("results");
        for (Row r : rows) {
            final ObjectNode row = results.addObject();
            row.put("key", r.key());
            row.put("metric", r.metric());
            if (Double.isNaN(r.value())) {
                row.putNull("value");
            } else {
                row.put("value", r.value());
            }
            row.put("unit", r.unit());
            row.put("target", r.target());
        }
        json.writeValue(file.toFile(), root);
    }

    /** Whole numbers with thousands separators; small ones with up to two decimals. */
    static String format(final double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,d", Math.round(value));
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
