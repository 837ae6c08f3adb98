package io.vigil.ingest;

import java.util.regex.Pattern;

/**
 * Recognises a line of Prometheus' text exposition format ({@code node_load1{instance="a"} 0.52 1700000000000}), which
 * people pipe into Vigil from a {@code curl .../metrics} and which line protocol reads as a broken line ("expected
 * '='"). Asked only of a line that failed, so the hint costs nothing on the way of good lines.
 */
final class ExpositionLine {

    /** NAME, optional {LABELS}, a sample value (Go's float syntax, NaN and ±Inf), an optional integer timestamp. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})?[ \\t]+"
                    + "([-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?|[-+]?Inf|NaN)"
                    + "([ \\t]+-?\\d+)?[ \\t]*");

    /** Longer lines are not matched: a sample line is short, and a rejected line may be a megabyte. */
    private static final int MAX_LENGTH = 4096;

    static final String HINT = "; this looks like Prometheus' text exposition format (NAME{LABELS} VALUE), which"
            + " Vigil does not read: send line protocol (NAME,TAG=VALUE FIELD=VALUE TIMESTAMP) or JSON (formats.md)";

    private ExpositionLine() {
    }

    static boolean looksLike(final String line) {
        return line.length() <= MAX_LENGTH && SAMPLE.matcher(line).matches();
    }
}
