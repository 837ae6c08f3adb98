package io.vigil.testing;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Property tests as plain JUnit tests: a check run on a fixed number of generated inputs, each try drawn from its own
 * {@link Random} seeded from the property's fixed seed and the try's number, so that every run tries the same inputs.
 * A failure (an assertion or any exception, from the check or the generator) names the seed, the try and the input,
 * and the same run fails again at the same try. There is no shrinking: the input is reported as generated.
 */
public final class Tries {

    /** The check of one input; it fails by throwing. */
    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Exception;
    }

    private Tries() {
    }

    /** Runs {@code check} on {@code tries} inputs of {@code generator}, from {@code seed}. */
    public static <T> void run(final long seed, final int tries, final Function<Random, T> generator,
                               final Check<? super T> check) {
        for (int t = 1; t <= tries; t++) {
            final Random random = new Random(new SplittableRandom(seed ^ (t * 0x9E3779B97F4A7C15L)).nextLong());
            T input = null;
            boolean generated = false;
            try {
                input = generator.apply(random);
                generated = true;
                check.accept(input);
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable e) {
                throw new AssertionError(String.format("try %d of %d (seed %d) failed: %s%n  input: %s", t, tries,
                        seed, e, generated ? describe(input) : "(its generation failed)"), e);
            }
        }
    }

    /** {@code value} as a failure shows it: byte arrays as text, with the bytes that are not printable ASCII as hex. */
    public static String describe(final Object value) {
        if (value instanceof byte[] bytes) {
            final StringBuilder sb = new StringBuilder("bytes[").append(bytes.length).append("] \"");
            for (byte b : bytes) {
                if (b >= 0x20 && b < 0x7f && b != '\\') {
                    sb.append((char) b);
                } else {
                    sb.append(String.format("\\x%02X", b & 0xff));
                }
            }
            return sb.append('"').toString();
        }
        return String.valueOf(value);
    }

    /** Counts of what a run met, for checks of how far its inputs reach (share of all values counted, in %). */
    public static final class Tally {
        private final Map<Object, Integer> counts = new LinkedHashMap<>();
        private int total;

        public void add(final Object value) {
            counts.merge(value, 1, Integer::sum);
            total++;
        }

        public int count(final Object value) {
            return counts.getOrDefault(value, 0);
        }

        public double percentage(final Object value) {
            return total == 0 ? 0 : 100.0 * count(value) / total;
        }

        @Override
        public String toString() {
            final StringBuilder sb = new StringBuilder("{");
            counts.forEach((value, n) -> sb.append(sb.length() > 1 ? ", " : "").append(value).append('=').append(n)
                    .append(String.format(Locale.ROOT, " (%.1f %%)", 100.0 * n / total)));
            return sb.append("} of ").append(total).toString();
        }
    }
}
