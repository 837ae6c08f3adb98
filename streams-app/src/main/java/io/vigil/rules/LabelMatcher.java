package io.vigil.rules;

import com.google.re2j.Pattern;
import io.vigil.model.Labels;

/**
 * One PromQL label matcher: {@code name="v"}, {@code !=}, {@code =~}, {@code !~}. Regexes are RE2 syntax,
 * fully anchored as in PromQL, and matched in linear time.
 */
public record LabelMatcher(String name, Type type, String value, Pattern regex) {

    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String symbol;

        Type(final String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** @throws com.google.re2j.PatternSyntaxException when a regex matcher's value does not compile */
    public static LabelMatcher of(final String name, final Type type, final String value) {
        final boolean isRegex = type == Type.REGEX || type == Type.NOT_REGEX;
        if (isRegex) {
            if (RegexSize.tooLarge(value)) {
                throw new com.google.re2j.PatternSyntaxException("expression too large");
            }
            // Compiled alone first: "a)|(b" is invalid, yet would compile once wrapped as "^(?:a)|(b)$".
            compile(value);
        }
        final Pattern regex = isRegex ? compile("^(?:" + value + ")$") : null;
        return new LabelMatcher(name, type, value, regex);
    }

    /**
     * RE2/J parses and simplifies a regex recursively, with no bound on its nesting: a few thousand nested groups
     * overflowed the stack, out of {@code rules validate} as a stack trace and out of the rule reloader's thread, which
     * then never checked the files again. Go's RE2 refuses such a regex ("expression nests too deeply"); so does this.
     */
    private static Pattern compile(final String regex) {
        try {
            return Pattern.compile(regex);
        } catch (StackOverflowError e) {
            throw new com.google.re2j.PatternSyntaxException("expression nests too deeply");
        }
    }

    /** Whether the label set satisfies this matcher; an absent label has the value "". */
    public boolean matches(final Labels labels) {
        return matchesValue(labels.get(name));
    }

    /**
     * Whether a label of value {@code actual} ("" for an absent one) satisfies this matcher. A {@link CharSequence}, so
     * that a question's deadline can watch a regex's reading ({@code QuestionDeadline}).
     */
    public boolean matchesValue(final CharSequence actual) {
        return switch (type) {
            case EQUAL -> value.contentEquals(actual);
            case NOT_EQUAL -> !value.contentEquals(actual);
            case REGEX -> regex.matcher(actual).matches();
            case NOT_REGEX -> !regex.matcher(actual).matches();
        };
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof LabelMatcher m && m.name.equals(name) && m.type == type && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + type.hashCode()) * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(name).append(type.symbol).append('"');
        Labels.appendEscaped(sb, value);
        return sb.append('"').toString();
    }
}
