package io.vigil.rules;

import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * PromQL's instant-vector selector syntax, the part rule files use: {@code name}, {@code name{l="v", l2=~"re"}} or
 * {@code {__name__="name", ...}}. Values are quoted as in PromQL: double or single quotes with Go's backslash escapes,
 * or backticks without.
 */
final class SelectorParser {

    private static final String NAME_MATCHER = "__name__";

    private final String text;
    private int pos;
    /** Invalid regexes: each value is read whole before it is compiled, so the rest of the selector is read on. */
    private final List<ValueSyntaxException> invalidRegexes = new ArrayList<>();

    private SelectorParser(final String text) {
        this.text = text;
    }

    /** @throws ValueSyntaxException with the offset of the first error, carrying every invalid regex before it */
    static SeriesSelector parse(final String text) {
        final SelectorParser parser = new SelectorParser(text);
        final SeriesSelector selector;
        try {
            selector = parser.selector();
        } catch (ValueSyntaxException e) {
            parser.invalidRegexes.add(e);
            throw ValueSyntaxException.of(parser.invalidRegexes);
        }
        if (!parser.invalidRegexes.isEmpty()) {
            throw ValueSyntaxException.of(parser.invalidRegexes);
        }
        return selector;
    }

    private SeriesSelector selector() {
        skipSpaces();
        if (pos == text.length()) {
            throw new ValueSyntaxException("empty selector; expected a metric name", pos);
        }
        Optional<String> metricName = Optional.empty();
        if (isNameStart(text.charAt(pos), true)) {
            metricName = Optional.of(name(true));
            skipSpaces();
        }
        final List<LabelMatcher> matchers = new ArrayList<>();
        if (pos < text.length() && text.charAt(pos) == '{') {
            metricName = matchers(matchers, metricName);
            skipSpaces();
        }
        if (pos < text.length()) {
            throw new ValueSyntaxException("unexpected '" + text.charAt(pos) + "'; expected '{' or the end of the selector", pos);
        }
        if (metricName.isEmpty()) {
            throw new ValueSyntaxException("a selector needs a metric name: write name{...} or {__name__=\"name\", ...}", 0);
        }
        return new SeriesSelector(metricName.get(), matchers);
    }

    private Optional<String> matchers(final List<LabelMatcher> into, final Optional<String> metricName) {
        Optional<String> name = metricName;
        pos++; // '{'
        while (true) {
            skipSpaces();
            if (pos == text.length()) {
                throw new ValueSyntaxException("missing '}' at the end of the selector", pos);
            }
            if (text.charAt(pos) == '}') {
                pos++;
                return name;
            }
            final int labelAt = pos;
            if (!isNameStart(text.charAt(pos), false)) {
                throw new ValueSyntaxException("expected a label name, found '" + text.charAt(pos) + "'", pos);
            }
            final String label = name(false);
            skipSpaces();
            final LabelMatcher.Type type = operator(label);
            skipSpaces();
            final int valueAt = pos;
            final String value = quoted();
            if (label.equals(NAME_MATCHER)) {
                if (type != LabelMatcher.Type.EQUAL) {
                    throw new ValueSyntaxException("__name__ can only be matched with '='", labelAt);
                }
                if (name.isPresent()) {
                    throw new ValueSyntaxException("the metric name is given twice", labelAt);
                }
                if (value.isEmpty()) {
                    throw new ValueSyntaxException("the metric name must not be empty", valueAt);
                }
                name = Optional.of(value);
            } else {
                try {
                    into.add(matcher(label, type, value, valueAt));
                } catch (ValueSyntaxException e) {
                    invalidRegexes.add(e);
                }
            }
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
            } else if (pos < text.length() && text.charAt(pos) != '}') {
                throw new ValueSyntaxException("expected ',' or '}' after a matcher, found '" + text.charAt(pos) + "'", pos);
            }
        }
    }

    private static LabelMatcher matcher(final String label, final LabelMatcher.Type type, final String value,
            final int valueAt) {
        try {
            return LabelMatcher.of(label, type, value);
        } catch (PatternSyntaxException e) {
            throw new ValueSyntaxException("invalid regex for '" + label + "': " + describe(e), valueAt);
        }
    }

    private static String describe(final PatternSyntaxException e) {
        // RE2/J reports an unmatched ')' as an internal "stack underflow" where Go says "unexpected )".
        if (e.getDescription().contains("internal error")) {
            return "unmatched ')'";
        }
        final String fragment = e.getPattern();
        return fragment == null || fragment.isEmpty() ? e.getDescription() : e.getDescription() + " `" + fragment + "`";
    }

    private LabelMatcher.Type operator(final String label) {
        final String rest = text.substring(pos);
        for (LabelMatcher.Type type : new LabelMatcher.Type[] {
            LabelMatcher.Type.REGEX, LabelMatcher.Type.NOT_REGEX, LabelMatcher.Type.NOT_EQUAL, LabelMatcher.Type.EQUAL}) {
            if (rest.startsWith(type.symbol())) {
                pos += type.symbol().length();
                return type;
            }
        }
        throw new ValueSyntaxException("expected one of =, !=, =~, !~ after '" + label + "'", pos);
    }

    /**
     * A string as PromQL writes one: in double or single quotes, with Go's escapes, or in backticks, raw (a regex's
     * backslashes as they are).
     */
    private String quoted() {
        final char quote = pos == text.length() ? 0 : text.charAt(pos);
        if (quote != '"' && quote != '\'' && quote != '`') {
            throw new ValueSyntaxException("expected a quoted value (\"...\", '...' or `...`)", pos);
        }
        final int open = pos++;
        final StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            final char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return value.toString();
            }
            if (c == '\\' && quote != '`') {
                escape(value);
            } else {
                value.append(c);
                pos++;
            }
        }
        throw new ValueSyntaxException("unterminated string: missing closing '" + quote + "'", open);
    }

    /** Go's string escapes, as PromQL reads them. */
    private void escape(final StringBuilder into) {
        final int at = pos;
        if (pos + 1 >= text.length()) {
            throw new ValueSyntaxException("unterminated escape sequence", at);
        }
        final char kind = text.charAt(pos + 1);
        pos += 2;
        switch (kind) {
            case '\\' -> into.append('\\');
            case '"' -> into.append('"');
            case '\'' -> into.append('\'');
            case 'n' -> into.append('\n');
            case 't' -> into.append('\t');
            case 'r' -> into.append('\r');
            case 'a' -> into.append('\u0007');
            case 'b' -> into.append('\b');
            case 'f' -> into.append('\f');
            case 'v' -> into.append('\u000b');
            case 'x' -> into.appendCodePoint(hex(2, at));
            case 'u' -> into.appendCodePoint(hex(4, at));
            case 'U' -> into.appendCodePoint(hex(8, at));
            default -> {
                if (kind >= '0' && kind <= '7') {
                    pos -= 1;
                    into.append((char) digits(3, 8, at));
                } else {
                    throw new ValueSyntaxException("unknown escape sequence '\\" + kind
                            + "'; a regex backslash is written '\\\\'", at);
                }
            }
        }
    }

    private int hex(final int count, final int at) {
        return digits(count, 16, at);
    }

    private int digits(final int count, final int radix, final int at) {
        if (pos + count > text.length()) {
            throw new ValueSyntaxException("incomplete escape sequence", at);
        }
        final int value;
        try {
            value = Integer.parseInt(text.substring(pos, pos + count), radix);
        } catch (NumberFormatException e) {
            throw new ValueSyntaxException("invalid escape sequence", at);
        }
        if (value < 0 || value > (radix == 8 ? 255 : Character.MAX_CODE_POINT)
                || (value >= Character.MIN_SURROGATE && value <= Character.MAX_SURROGATE)) {
            throw new ValueSyntaxException("escape sequence is not a valid character", at);
        }
        pos += count;
        return value;
    }

    private String name(final boolean metric) {
        final int start = pos;
        while (pos < text.length() && isNamePart(text.charAt(pos), metric)) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    /** Metric names may contain ':' (recording rules use it); label names may not. */
    private static boolean isNameStart(final char c, final boolean metric) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || metric && c == ':';
    }

    private static boolean isNamePart(final char c, final boolean metric) {
        return isNameStart(c, metric) || c >= '0' && c <= '9';
    }
}
