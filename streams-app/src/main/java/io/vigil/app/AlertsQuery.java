package io.vigil.app;

import com.google.re2j.PatternSyntaxException;
import io.vigil.model.Labels;
import io.vigil.rules.LabelMatcher;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /api/alerts} is asked for: the alerts whose labels match a filter ({@code match}), at most
 * {@code per_rule} of each rule. Both are the server's work so that the alerts page, in a storm of thousands of alerts,
 * receives the hundred rows a rule shows and how many more there are, not every alert every 5 seconds.
 *
 * <p>The filter is what the page's box takes: terms separated by spaces or commas, each a PromQL label matcher
 * ({@code instance="node-07"}, {@code severity=page}: quotes optional, {@code !=}, {@code =~}, {@code !~} with RE2
 * regexes anchored as in PromQL) or a word, which matches an alert with a label name or value containing it. An alert
 * matches when every term does.
 *
 * @param perRule the most alerts of one rule to answer with, firing first; 0 for all
 */
record AlertsQuery(String filter, List<LabelMatcher> matchers, List<String> words, int perRule) {

    /** A parameter that is not what it should be, said in the message (a 400 answer). */
    static final class BadQuery extends IllegalArgumentException {
        BadQuery(final String message) {
            super(message);
        }
    }

    static final AlertsQuery ALL = new AlertsQuery("", List.of(), List.of(), 0);

    AlertsQuery {
        matchers = List.copyOf(matchers);
        words = List.copyOf(words);
    }

    /**
     * The query of {@code rawQuery} (a URL's query, undecoded; null for none); parameters other than {@code match} and
     * {@code per_rule} are not its business.
     *
     * @throws BadQuery saying what is wrong with a parameter
     */
    static AlertsQuery parse(final String rawQuery) {
        String filter = "";
        int perRule = 0;
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                final int eq = pair.indexOf('=');
                final String name = eq < 0 ? pair : pair.substring(0, eq);
                final String value = eq < 0 ? "" : decoded(name, pair.substring(eq + 1));
                if (name.equals("match")) {
                    filter = value.trim();
                } else if (name.equals("per_rule")) {
                    perRule = perRule(value);
                }
            }
        }
        return filter(filter, perRule);
    }

    /**
     * A parameter's value, percent-decoded; a bad escape is a {@link BadQuery} like any other mistake, answered 400
     * in JSON (the JDK server already refuses most of them, with its own HTML page, before the API sees the request).
     */
    static String decoded(final String name, final String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadQuery(name + " has a bad %-escape (a '%' must be followed by two hex digits; write %25 for '%')");
        }
    }

    private static int perRule(final String value) {
        try {
            final int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadQuery("per_rule must be a whole number above 0, not \"" + value + "\"");
    }

    /** The query of a filter as the page's box takes it. */
    static AlertsQuery filter(final String filter, final int perRule) {
        final List<LabelMatcher> matchers = new ArrayList<>();
        final List<String> words = new ArrayList<>();
        int i = 0;
        while (i < filter.length()) {
            if (isSeparator(filter.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < filter.length() && isNamePart(filter.charAt(end), end == i)) {
                end++;
            }
            final LabelMatcher.Type type = end > i ? operator(filter, end) : null;
            if (type == null) {
                end = i;
                while (end < filter.length() && !isSeparator(filter.charAt(end))) {
                    end++;
                }
                words.add(filter.substring(i, end));
                i = end;
                continue;
            }
            final String name = filter.substring(i, end);
            final StringBuilder value = new StringBuilder();
            i = value(filter, end + type.symbol().length(), value);
            try {
                matchers.add(LabelMatcher.of(name, type, value.toString()));
            } catch (PatternSyntaxException e) {
                throw new BadQuery("match: " + name + type.symbol() + " has a bad regex: " + e.getDescription());
            }
        }
        return new AlertsQuery(filter, matchers, words, perRule);
    }

    /** The operator at {@code filter[at]}, or null if none is there. */
    private static LabelMatcher.Type operator(final String filter, final int at) {
        for (LabelMatcher.Type type : new LabelMatcher.Type[] {LabelMatcher.Type.NOT_EQUAL, LabelMatcher.Type.REGEX,
                LabelMatcher.Type.NOT_REGEX, LabelMatcher.Type.EQUAL}) {
            if (filter.startsWith(type.symbol(), at)) {
                return type;
            }
        }
        return null;
    }

    /** Reads a value from {@code filter[from]}: quoted (with backslash escapes) or up to a separator; returns its end. */
    private static int value(final String filter, final int from, final StringBuilder into) {
        if (from < filter.length() && filter.charAt(from) == '"') {
            int i = from + 1;
            while (i < filter.length() && filter.charAt(i) != '"') {
                if (filter.charAt(i) == '\\' && i + 1 < filter.length()) {
                    i++;
                }
                into.append(filter.charAt(i++));
            }
            if (i == filter.length()) {
                throw new BadQuery("match: a quoted value is not closed: " + filter.substring(from));
            }
            return i + 1;
        }
        int i = from;
        while (i < filter.length() && !isSeparator(filter.charAt(i))) {
            into.append(filter.charAt(i++));
        }
        return i;
    }

    private static boolean isSeparator(final char c) {
        return c == ' ' || c == ',' || c == '\t';
    }

    private static boolean isNamePart(final char c, final boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && c >= '0' && c <= '9';
    }

    /** Whether an alert of these labels is asked for. */
    boolean matches(final Labels labels) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        for (String word : words) {
            if (!contains(labels, word)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(final Labels labels, final String word) {
        for (int i = 0; i < labels.size(); i++) {
            if (labels.name(i).contains(word) || labels.value(i).contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** This query's parameters as another instance is asked them (after {@code scope=local}). */
    String parameters() {
        final StringBuilder out = new StringBuilder();
        if (!filter.isEmpty()) {
            out.append("&match=").append(URLEncoder.encode(filter, StandardCharsets.UTF_8));
        }
        if (perRule > 0) {
            out.append("&per_rule=").append(perRule);
        }
        return out.toString();
    }
}
