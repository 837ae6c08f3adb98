package io.vigil.rules;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A YAML value as a rule file (or {@code vigil.yaml}) wrote it, with where it stands in the file, so that every
 * problem can name a line and a column. Only what rule files need: mappings, sequences and scalars; aliases never get
 * this far.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar, YamlNode.Invalid {

    /** Where the node starts. */
    Mark mark();

    /** How a problem message names this kind of value ("a mapping", "a list", "text"): never its content. */
    String describe();

    /** A 1-based line and column, counted in code points as editors do. */
    record Mark(int line, int column) {
        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** One {@code key: value} pair; the key's mark is where most problems about the pair point. */
    record Entry(String key, Mark keyMark, YamlNode value) {
    }

    record Mapping(List<Entry> entries, Mark mark) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        Optional<Entry> entry(final String key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(List<YamlNode> items, Mark mark) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar. {@code number} is its value when YAML resolved it as a number: ±Infinity when it is beyond a double's
     * range, NaN for {@code .inf} and {@code .nan}; NaN when it is not a number.
     * {@code source} is the scalar exactly as written (quotes, escapes, block indicators and line breaks included), so
     * that an error inside a selector or template can point at its exact character, on whichever line.
     */
    record Scalar(String text, Type type, double number, Mark mark, Optional<String> source) implements YamlNode {

        public enum Type { TEXT, INTEGER, FLOAT, BOOLEAN, NULL }

        public boolean isNull() {
            return type == Type.NULL;
        }

        boolean isNumber() {
            return type == Type.INTEGER || type == Type.FLOAT;
        }

        /** Where the character at {@code offset} of {@link #text} was written; the scalar's start when unknown. */
        Mark markAt(final int offset) {
            if (source.isEmpty()) {
                return mark;
            }
            final String raw = source.get();
            final OptionalInt index = ScalarSource.sourceIndex(raw, text, offset);
            if (index.isEmpty()) {
                return mark;
            }
            int line = mark.line();
            int lineStart = 0;
            for (int i = 0; i < index.getAsInt(); i++) {
                final char c = raw.charAt(i);
                if (c == '\n' || c == '\r' && (i + 1 == raw.length() || raw.charAt(i + 1) != '\n')) {
                    line++;
                    lineStart = i + 1;
                }
            }
            final int columns = raw.codePointCount(lineStart, index.getAsInt());
            return new Mark(line, lineStart == 0 ? mark.column() + columns : 1 + columns);
        }

        /**
         * The kind of the scalar, never its value: a file read by mistake (a symlink to a secret) or a secret written
         * where a mapping belongs would be printed, in logs and CI output.
         */
        @Override
        public String describe() {
            return switch (type) {
                case NULL -> "empty";
                case TEXT -> "text";
                case INTEGER, FLOAT -> "a number";
                case BOOLEAN -> "true or false";
            };
        }
    }

    /** A value already reported as a problem (an alias, a binary blob); readers skip it silently. */
    record Invalid(Mark mark) implements YamlNode {
        @Override
        public String describe() {
            return "an invalid value";
        }
    }
}
