package io.vigil.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Small generators for {@link Tries}. Numbers over wide ranges are drawn nearer their simplest value (0, or the bound
 * nearest it) more often than far from it, the distance log-uniform; collections mostly short, now and then long or
 * of the largest size; decimals with two places, as property tests drew them. Edge cases a property should meet
 * (empty strings, bounds, special values) are each test's own, drawn now and then with {@link #edge(Random)}.
 */
public final class Gen {

    /** Lower-case ASCII letters. */
    public static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    public static final String DIGITS = "0123456789";

    private Gen() {
    }

    /** True about one time in twenty: when to draw one of a generator's edge cases instead. */
    public static boolean edge(final Random r) {
        return r.nextInt(20) == 0;
    }

    /** Uniform in {@code [min, max]}. */
    public static int between(final Random r, final int min, final int max) {
        return min + r.nextInt(max - min + 1);
    }

    /**
     * In {@code [min, max]}, nearer the value closest to 0 more often: on a side of it, the distance is below 16, 32,
     * 64 and so on up to the span with the same chance for each step. Uniform over small ranges.
     */
    public static long biased(final Random r, final long min, final long max) {
        if (max - min <= 20) {
            return min + r.nextInt((int) (max - min + 1));
        }
        final long target = min > 0 ? min : max < 0 ? max : 0;
        while (true) {
            final boolean up = target == min || target != max && r.nextBoolean();
            final long span = up ? max - target : target - min;
            // A random number of the span's bits, at least 4: every magnitude from 16 to the span's as likely.
            final int spanBits = 64 - Long.numberOfLeadingZeros(span);
            final int bits = spanBits <= 4 ? spanBits : 4 + r.nextInt(spanBits - 3);
            final long distance = (r.nextLong() >>> 1) & (bits == 63 ? Long.MAX_VALUE : (1L << bits) - 1);
            if (distance <= span) {
                return up ? target + distance : target - distance;
            }
        }
    }

    public static int biased(final Random r, final int min, final int max) {
        return (int) biased(r, (long) min, (long) max);
    }

    /** A decimal with two places in {@code [min, max]}, as a double; nearer 0 more often. */
    public static double decimal(final Random r, final double min, final double max) {
        return biased(r, Math.round(min * 100), Math.round(max * 100)) / 100.0;
    }

    /**
     * A collection size in {@code [min, max]} after {@code tries}' worth of sizes: uniform over a short range; over a
     * long one mostly up to a few dozen more than {@code min}, a tenth of the time beyond, and max itself one time in
     * fifty.
     */
    public static int size(final Random r, final int min, final int max, final int tries) {
        final int cutoff = min + (int) Math.max(Math.round(Math.sqrt(tries)), 10);
        if (cutoff >= max) {
            return between(r, min, max);
        }
        final double p = r.nextDouble();
        return p < 0.02 ? max : p < 0.12 ? between(r, cutoff + 1, max) : between(r, min, cutoff);
    }

    /** A string of {@code chars}, each as likely, of a length uniform in {@code [minLength, maxLength]}. */
    public static String string(final Random r, final String chars, final int minLength, final int maxLength) {
        final int length = between(r, minLength, maxLength);
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString();
    }

    /** The characters from {@code first} to {@code last}. */
    public static String range(final char first, final char last) {
        final StringBuilder sb = new StringBuilder();
        for (char c = first; c <= last; c++) {
            sb.append(c);
        }
        return sb.toString();
    }

    @SafeVarargs
    public static <T> T pick(final Random r, final T... values) {
        return values[r.nextInt(values.length)];
    }

    public static <T> T pick(final Random r, final List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** An index into {@code weights}, each as likely as its weight. */
    public static int weighted(final Random r, final int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int roll = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    /** {@code size} elements of {@code element}. */
    public static <T> List<T> list(final Random r, final int size, final Function<Random, T> element) {
        final List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(element.apply(r));
        }
        return out;
    }

    /** Elements of {@code element}, as many as uniform in {@code [minSize, maxSize]}. */
    public static <T> List<T> list(final Random r, final int minSize, final int maxSize,
                                   final Function<Random, T> element) {
        return list(r, between(r, minSize, maxSize), element);
    }
}
