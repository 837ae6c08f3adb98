package io.vigil.rules;

import java.util.OptionalInt;

/**
 * Maps a character of a scalar's value back to the character of the source that produced it, for the three
 * one-line styles: plain (written as it reads), single-quoted ({@code ''} is one quote) and double-quoted
 * (backslash escapes); and for the scalars written over several lines whose every character comes from one written
 * character ({@link MultiLineSource}): literal blocks, and plain, single-quoted and unescaped double-quoted scalars.
 */
final class ScalarSource {

    private ScalarSource() {
    }

    /** The index in {@code raw} that produced {@code value.charAt(offset)} (or its end), or empty when unsure. */
    static OptionalInt sourceIndex(final String raw, final String value, final int offset) {
        if (offset < 0 || offset > value.length() || raw.isEmpty()) {
            return OptionalInt.empty();
        }
        if (raw.indexOf('\n') >= 0 || raw.indexOf('\r') >= 0) {
            return MultiLineSource.sourceIndex(raw, value, offset);
        }
        final char first = raw.charAt(0);
        if (first == '\'') {
            return walk(raw, value, offset, false);
        }
        if (first == '"') {
            return walk(raw, value, offset, true);
        }
        // A plain scalar reads exactly as written; anything else (tags, block scalars) is not mapped.
        return raw.equals(value) ? OptionalInt.of(offset) : OptionalInt.empty();
    }

    private static OptionalInt walk(final String raw, final String value, final int offset, final boolean escapes) {
        int r = 1;
        int v = 0;
        while (v < offset) {
            if (r >= raw.length() - 1) {
                return OptionalInt.empty();
            }
            final char c = raw.charAt(r);
            if (!escapes && c == '\'' && raw.charAt(r + 1) == '\'') {
                r += 2;
                v += 1;
            } else if (escapes && c == '\\') {
                final char kind = raw.charAt(r + 1);
                r += switch (kind) {
                    case 'x' -> 4;
                    case 'u' -> 6;
                    case 'U' -> 10;
                    default -> 2;
                };
                v += kind == 'U' && v < value.length() && Character.isHighSurrogate(value.charAt(v)) ? 2 : 1;
            } else {
                r += 1;
                v += 1;
            }
        }
        return v == offset && r <= raw.length() ? OptionalInt.of(r) : OptionalInt.empty();
    }
}
