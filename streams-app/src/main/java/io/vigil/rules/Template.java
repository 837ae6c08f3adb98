package io.vigil.rules;

import io.vigil.model.Labels;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A label or annotation value that may use {@code {{ $labels.NAME }}}, {@code {{ $value }}}, and for outlier and
 * deviation rules {@code {{ $median }}} and {@code {{ $z }}}; a number may go through one {@link TemplateFunction}
 * ({@code {{ $value | humanize }}}). Parsed and checked when the rule loads, so rendering cannot fail; rendering walks
 * pre-parsed parts and never re-reads the text.
 */
public final class Template {

    /** The most characters a template renders to, {@link #CUT} included. */
    public static final int MAX_RENDERED = 16_384;
    /** What ends a rendering cut at {@link #MAX_RENDERED}. */
    static final String CUT = "... (cut at 16384 characters)";

    /** Where 4 decimals stop showing 4 significant digits; below it numbers print in exponent form. */
    private static final BigDecimal PLAIN_FROM = new BigDecimal("0.0001");
    /** Where a double's digits stop being exact when printed whole; from it numbers print in exponent form. */
    private static final double EXPONENT_FROM = 1e15;
    /** Go's %.4g: 4 significant digits of the double's exact value, ties to even. */
    private static final MathContext GO_SIGNIFICANT = new MathContext(4, RoundingMode.HALF_EVEN);

    private static final String KNOWN = "$labels.NAME, $value";
    private static final String KNOWN_WITH_BASELINE = "$labels.NAME, $value, $median, $z";
    private static final String NUMBERS = "$value";
    private static final String NUMBERS_WITH_BASELINE = "$value, $median, $z";

    private final String text;
    private final List<Part> parts;

    private Template(final String text, final List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** A template that renders as {@code text} itself, braces included. */
    public static Template literal(final String text) {
        return new Template(text, List.of(new Literal(text)));
    }

    /**
     * Parses {@code text}. Inside {@code {{ }}} (whitespace optional) only {@code $labels.NAME}, {@code $value} and,
     * when {@code allowBaseline}, {@code $median} and {@code $z} are allowed, a number optionally followed by
     * {@code | FUNCTION} (one {@link TemplateFunction}, no arguments); there is no escape for a literal {@code {{}.
     *
     * @param allowBaseline whether the rule's kind has a median and z (deviation, outlier)
     * @throws ValueSyntaxException at the offset of the first error, carrying those of the other {@code {{ }}}
     */
    public static Template parse(final String text, final boolean allowBaseline) {
        final List<Part> parts = new ArrayList<>();
        // Each '{{ }}' is judged alone, so every wrong one is reported at once; an unclosed one ends the text.
        final List<ValueSyntaxException> errors = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            final int open = text.indexOf("{{", pos);
            if (open < 0) {
                parts.add(new Literal(text.substring(pos)));
                break;
            }
            if (open > pos) {
                parts.add(new Literal(text.substring(pos, open)));
            }
            final int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                errors.add(new ValueSyntaxException("unclosed '{{': no matching '}}'", open));
                break;
            }
            try {
                parts.add(reference(text, open, close, allowBaseline));
            } catch (ValueSyntaxException e) {
                errors.add(e);
            }
            pos = close + 2;
        }
        if (!errors.isEmpty()) {
            throw ValueSyntaxException.of(errors);
        }
        return new Template(text, parts);
    }

    private static Part reference(final String text, final int open, final int close, final boolean allowBaseline) {
        int pos = skipSpaces(text, open + 2, close);
        if (pos == close) {
            throw new ValueSyntaxException("empty '{{ }}'", open);
        }
        final String known = allowBaseline ? KNOWN_WITH_BASELINE : KNOWN;
        if (text.charAt(pos) != '$') {
            final String word = text.substring(pos, identifierEnd(text, pos, close));
            // Prometheus also takes the call form, {{ humanize $value }}: say how to write it here.
            throw new ValueSyntaxException("unsupported template expression '" + written(text, pos, close)
                    + "'; " + (TemplateFunction.named(word).isPresent()
                            ? "write the function after the number, as in '$value | " + word + "'"
                            : "only " + known + " can be used"), pos);
        }
        final int dollar = pos;
        pos = identifierEnd(text, pos + 1, close);
        final String variable = text.substring(dollar + 1, pos);
        final Part part;
        switch (variable) {
            case "labels" -> {
                if (pos == close || text.charAt(pos) != '.') {
                    throw new ValueSyntaxException("expected '.' and a label name after '$labels'", pos);
                }
                final int nameStart = pos + 1;
                pos = identifierEnd(text, nameStart, close);
                if (pos == nameStart) {
                    throw new ValueSyntaxException("expected a label name after '$labels.'", nameStart);
                }
                final String name = text.substring(nameStart, pos);
                if (name.equals("__name__")) {
                    // rules.md: alert labels leave the metric name out, so it would always render "".
                    throw new ValueSyntaxException("'$labels.__name__' is never set: the metric name is not among"
                            + " an alert's labels; write the name itself", nameStart);
                }
                part = new LabelReference(name);
            }
            case "value" -> part = Number.VALUE;
            case "median", "z" -> {
                if (!allowBaseline) {
                    throw new ValueSyntaxException("'$" + variable + "' can only be used in deviation and outlier rules",
                            dollar);
                }
                part = variable.equals("z") ? Number.Z : Number.MEDIAN;
            }
            default -> throw new ValueSyntaxException("unknown variable '$" + variable + "'; only " + known
                    + " can be used", dollar);
        }
        pos = skipSpaces(text, pos, close);
        if (pos == close) {
            return part;
        }
        if (!(part instanceof Number number)) {
            if (text.charAt(pos) == '|') {
                final int nameStart = skipSpaces(text, pos + 1, close);
                final String name = text.substring(nameStart, identifierEnd(text, nameStart, close));
                if (!name.isEmpty() && TemplateFunction.named(name).isEmpty()) {
                    throw new ValueSyntaxException("unknown template function '" + name + "'; only "
                            + TemplateFunction.NAMES + " can be used, on numbers", nameStart);
                }
                throw new ValueSyntaxException("template functions (" + TemplateFunction.NAMES + ") apply to numbers ("
                        + (allowBaseline ? NUMBERS_WITH_BASELINE : NUMBERS) + "), not to labels", pos);
            }
            throw new ValueSyntaxException("unexpected '" + written(text, pos, close) + "' in '{{ }}'", pos);
        }
        if (text.charAt(pos) != '|') {
            throw new ValueSyntaxException("unexpected '" + written(text, pos, close)
                    + "' in '{{ }}'; a number can only be followed by '| FUNCTION', one of " + TemplateFunction.NAMES,
                    pos);
        }
        return function(text, number, skipSpaces(text, pos + 1, close), close);
    }

    /** The function named at {@code nameStart}, after a number's {@code |}; nothing else may follow it. */
    private static Part function(final String text, final Number number, final int nameStart, final int close) {
        final int nameEnd = identifierEnd(text, nameStart, close);
        if (nameEnd == nameStart) {
            throw new ValueSyntaxException("expected a function name after '|', one of " + TemplateFunction.NAMES,
                    nameStart);
        }
        final String name = text.substring(nameStart, nameEnd);
        final TemplateFunction function = TemplateFunction.named(name).orElseThrow(() -> new ValueSyntaxException(
                "unknown template function '" + name + "'; only " + TemplateFunction.NAMES + " can be used",
                nameStart));
        final int pos = skipSpaces(text, nameEnd, close);
        if (pos != close) {
            throw new ValueSyntaxException(text.charAt(pos) == '|'
                    ? "only one template function can be applied, not a pipeline of several"
                    : "unexpected '" + written(text, pos, close) + "' after '" + name
                            + "'; template functions take no arguments", pos);
        }
        return new Applied(number, function);
    }

    /** {@code text[from, to)} without the spaces at its end that {@link #skipSpaces} would skip, for a message. */
    private static String written(final String text, final int from, final int to) {
        int end = to;
        while (end > from && isGoSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(from, end);
    }

    /** Past the spaces Go's template lexer skips (space, tab, CR, LF): a wider space is no space in Prometheus. */
    private static int skipSpaces(final String text, final int from, final int limit) {
        int pos = from;
        while (pos < limit && isGoSpace(text.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    private static boolean isGoSpace(final char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** The end of a label-name-like identifier starting at {@code from} ({@code from} itself when there is none). */
    private static int identifierEnd(final String text, final int from, final int limit) {
        int pos = from;
        while (pos < limit) {
            final char c = text.charAt(pos);
            final boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
            if (!letter && !(pos > from && c >= '0' && c <= '9')) {
                break;
            }
            pos++;
        }
        return pos;
    }

    public String text() {
        return text;
    }

    /** Whether it renders {@code $value}, {@code $median} or {@code $z}, which change from one evaluation to the next. */
    public boolean usesNumbers() {
        return parts.stream().anyMatch(p -> p instanceof Number || p instanceof Applied);
    }

    /**
     * The text with every reference replaced: a missing label renders as "", numbers as {@link #formatNumber} or
     * through their function. At most {@link #MAX_RENDERED} characters, the rest cut and said so: a template that
     * names a long label many times (each value up to 2,048 characters) rendered an alert event over the 1 MiB a
     * Kafka record takes, and the failed write stopped the engine at every restart.
     *
     * @param labels the series' labels plus {@code alertname}
     * @param values the numbers of this evaluation
     */
    public String render(final Labels labels, final TemplateValues values) {
        if (parts.size() == 1 && parts.get(0) instanceof Literal only) {
            return only.text();
        }
        final StringBuilder sb = new StringBuilder(text.length() + 16);
        for (Part part : parts) {
            part.appendTo(sb, labels, values);
            if (sb.length() > MAX_RENDERED) {
                break;
            }
        }
        if (sb.length() > MAX_RENDERED) {
            sb.setLength(MAX_RENDERED - CUT.length());
            if (Character.isHighSurrogate(sb.charAt(sb.length() - 1))) {
                sb.setLength(sb.length() - 1);
            }
            sb.append(CUT);
        }
        return sb.toString();
    }

    /**
     * A number as templates print it. From 0.0001 up to 1e15 (either sign), with at most 4 decimals, rounded half up,
     * without trailing zeros or point ({@code 21.496866} -> {@code 21.4969}, {@code 3.0} -> {@code 3},
     * {@code 123456789.0} -> {@code 123456789}): the numbers alerts are about, as people read them. Outside that range
     * 4 decimals would print a small ratio as {@code 0} and a huge count as hundreds of digits that a double does not
     * hold (it has about 16 significant digits, so 1e15 is where the last printed digits stop being exact), so the
     * number prints with 4 significant digits in exponent form, as Go's {@code %.4g} does and so as Prometheus users
     * know it from {@code {{ printf "%.4g" $value }}}: {@code 0.0000234} -> {@code 2.34e-05}, {@code 1e300} ->
     * {@code 1e+300}, {@code 1234567890123456} -> {@code 1.235e+15}. {@code 0} is {@code 0}; {@code NaN},
     * {@code +Inf}, {@code -Inf} for the non-finite.
     */
    public static String formatNumber(final double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+Inf" : "-Inf";
        }
        if (Math.abs(x) >= EXPONENT_FROM) {
            return goG4(x);
        }
        // Decided after rounding, as %g does (0.000099996 is 0.0001, not 1e-04), and on the double's exact value, as
        // Go rounds it.
        final BigDecimal significant = new BigDecimal(x).round(GO_SIGNIFICANT);
        if (significant.signum() != 0 && significant.abs().compareTo(PLAIN_FROM) < 0) {
            return goG4(x);
        }
        // BigDecimal.valueOf starts from the shortest decimal that reads back as x, so 0.00005 rounds up as written.
        return BigDecimal.valueOf(x).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** {@code 2.34e-05}: Go's {@code %.4g} ({@link TemplateFunction#appendG4}), here always in exponent form. */
    private static String goG4(final double x) {
        final StringBuilder sb = new StringBuilder(12);
        TemplateFunction.appendG4(sb, x);
        return sb.toString();
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

    private interface Part {
        void appendTo(StringBuilder sb, Labels labels, TemplateValues values);
    }

    private record Literal(String text) implements Part {
        @Override
        public void appendTo(final StringBuilder sb, final Labels labels, final TemplateValues values) {
            sb.append(text);
        }
    }

    private record LabelReference(String name) implements Part {
        @Override
        public void appendTo(final StringBuilder sb, final Labels labels, final TemplateValues values) {
            sb.append(labels.get(name));
        }
    }

    private enum Number implements Part {
        VALUE, MEDIAN, Z;

        @Override
        public void appendTo(final StringBuilder sb, final Labels labels, final TemplateValues values) {
            sb.append(formatNumber(of(values)));
        }

        double of(final TemplateValues values) {
            return switch (this) {
                case VALUE -> values.value();
                case MEDIAN -> values.median();
                case Z -> values.z();
            };
        }
    }

    private record Applied(Number number, TemplateFunction function) implements Part {
        @Override
        public void appendTo(final StringBuilder sb, final Labels labels, final TemplateValues values) {
            function.appendTo(sb, number.of(values));
        }
    }
}
