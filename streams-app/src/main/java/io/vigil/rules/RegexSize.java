package io.vigil.rules;

/**
 * About how many instructions a regex compiles to, counted before RE2/J compiles it, as Go's RE2 counts before it
 * refuses one as "expression too large": each literal, class or operator one, a counted repeat {@code x{m,n}} its
 * operand {@code n} times (so nested repeats multiply). RE2/J has no such bound, and {@code ((a{1000}){1000}){100}},
 * 34 characters in an {@code /api/alerts?match=} any local process or web page could send, filled a 2 GB heap
 * (security audit, 2026-12-06). An estimate, not RE2/J's exact count: close enough to refuse what would cost
 * megabytes, far above any selector a rule or a filter has a use for.
 */
final class RegexSize {

    /**
     * Go refuses at about 3.3 million instructions; RE2/J's are bigger (a million cost about 150 MB), and every regex
     * is compiled twice ({@link LabelMatcher}), so the bound here is lower: a regex listing a few thousand host names
     * still fits.
     */
    static final long LIMIT = 100_000;

    private RegexSize() {
    }

    /** Whether {@code regex} would compile to more than {@link #LIMIT} instructions; the count stops there. */
    static boolean tooLarge(final String regex) {
        // One frame per open group: [size so far, size of its last operand (what a repeat after it repeats)].
        final java.util.ArrayDeque<long[]> open = new java.util.ArrayDeque<>();
        long[] frame = {0, 0};
        final int n = regex.length();
        for (int i = 0; i < n; i++) {
            final char c = regex.charAt(i);
            switch (c) {
                case '\\' -> {
                    i = endOfEscape(regex, i);
                    frame = operand(frame, 1);
                }
                case '[' -> {
                    i = endOfClass(regex, i);
                    frame = operand(frame, 1);
                }
                case '(' -> {
                    open.push(frame);
                    frame = new long[] {0, 0};
                }
                case ')' -> {
                    final long inner = frame[0];
                    frame = open.isEmpty() ? new long[] {0, 0} : open.pop();
                    frame = operand(frame, inner);
                }
                case '|' -> frame[1] = 0;
                case '*', '+', '?' -> frame[0] += 1;
                case '{' -> {
                    final int end = regex.indexOf('}', i);
                    final long count = end < 0 ? -1 : repeatCount(regex.substring(i + 1, end));
                    if (count < 0) {
                        frame = operand(frame, 1); // a literal '{', as RE2 reads one that starts no repeat
                    } else {
                        frame[0] += frame[1] * (count - 1);
                        frame[1] *= count;
                        i = end;
                    }
                }
                default -> frame = operand(frame, 1);
            }
            if (frame[0] > LIMIT) {
                return true;
            }
        }
        return false;
    }

    private static long[] operand(final long[] frame, final long size) {
        frame[0] += size;
        frame[1] = size;
        return frame;
    }

    /**
     * The most times {@code m}, {@code m,} or {@code m,n} (what is between the braces) repeats its operand, RE2 capping
     * each count at 1000 ({@code m,} counted as m + 1); -1 if it is no repeat.
     */
    private static long repeatCount(final String inside) {
        final int comma = inside.indexOf(',');
        final String min = comma < 0 ? inside : inside.substring(0, comma);
        final String max = comma < 0 ? "" : inside.substring(comma + 1);
        if (!isCount(min) || !max.isEmpty() && !isCount(max)) {
            return -1;
        }
        final long m = Math.min(Long.parseLong(min), 1000);
        return comma < 0 ? m : max.isEmpty() ? m + 1 : Math.min(Long.parseLong(max), 1000);
    }

    private static boolean isCount(final String text) {
        return !text.isEmpty() && text.length() <= 9 && text.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    /** The index of the last character of the escape starting at {@code at} ({@code \p{Greek}}, {@code \x{41}}). */
    private static int endOfEscape(final String regex, final int at) {
        if (at + 1 >= regex.length()) {
            return at;
        }
        final char kind = regex.charAt(at + 1);
        if ((kind == 'p' || kind == 'P' || kind == 'x') && at + 2 < regex.length() && regex.charAt(at + 2) == '{') {
            final int end = regex.indexOf('}', at + 2);
            return end < 0 ? regex.length() - 1 : end;
        }
        return at + 1;
    }

    /** The index of the {@code ]} closing the class opened at {@code at}; a first {@code ]} is a member, as in RE2. */
    private static int endOfClass(final String regex, final int at) {
        int i = at + 1;
        if (i < regex.length() && regex.charAt(i) == '^') {
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            i++;
        }
        for (; i < regex.length(); i++) {
            final char c = regex.charAt(i);
            if (c == '\\') {
                i = endOfEscape(regex, i);
            } else if (c == '[' && i + 1 < regex.length() && regex.charAt(i + 1) == ':') {
                final int end = regex.indexOf(":]", i + 2);
                i = end < 0 ? i : end + 1;
            } else if (c == ']') {
                return i;
            }
        }
        return regex.length() - 1;
    }
}
