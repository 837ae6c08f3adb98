package io.vigil.model;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The known key a misspelled one was most likely meant to be ("widow" -> "window"), by edit distance. */
public final class KeySuggestion {

    private KeySuggestion() {
    }

    /** The closest of {@code known}, when it is close enough to be a typo of {@code unknown}. */
    public static Optional<String> closest(final String unknown, final List<String> known) {
        final String typed = unknown.toLowerCase(Locale.ROOT);
        // Short keys tolerate fewer edits, or "z" would be suggested for any two-letter key.
        final int allowed = typed.length() <= 3 ? 1 : typed.length() <= 6 ? 2 : 3;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            final int d = distance(typed, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
    public static int distance(final String a, final String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
