package io.vigil.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The samples of one input series of a rule test, written in promtool's expanding notation
 * ({@code "0+10x5 _ 7x2 _x3 -1.5e2 NaN"}). Items are separated by spaces:
 * <ul>
 *   <li>{@code a}: one sample; {@code a} is a decimal number (sign, fraction and exponent optional), or
 *       {@code Inf}, {@code -Inf}, {@code NaN} in any case;</li>
 *   <li>{@code axn}: n+1 samples of {@code a};</li>
 *   <li>{@code a+bxn}, {@code a-bxn}: n+1 samples {@code a, a+b, ..., a+nb} (and minus), each one the previous plus
 *       the step, as promtool computes them;</li>
 *   <li>{@code _}: one missing sample; {@code _xn}: n missing samples (n, not n+1: promtool's grammar differs here
 *       from {@code axn}, and this follows it).</li>
 * </ul>
 * promtool's {@code stale} marker is refused: Vigil has no staleness markers; a missing sample is {@code _}.
 * Hexadecimal is not read, as promtool does not read it in series values ({@code 0x3} is four zeros).
 *
 * @param samples sample {@code i} stands at {@code i * interval}; empty where the sample is missing
 */
record SeriesValues(List<OptionalDouble> samples) {

    /** One series of a hand-written test needs nowhere near this; more is a typo such as {@code 1x100000000}. */
    static final int MAX_SAMPLES = 1_000_000;

    SeriesValues {
        samples = List.copyOf(samples);
    }

    /**
     * @throws IllegalArgumentException saying which item is wrong and why, in one line
     */
    static SeriesValues parse(final String text) {
        final List<OptionalDouble> samples = new ArrayList<>();
        final String[] items = text.trim().split("\\s+");
        if (items.length == 1 && items[0].isEmpty()) {
            throw new IllegalArgumentException("no values; write samples such as \"1 2 3\" or \"0+10x5\"");
        }
        for (final String item : items) {
            new ItemReader(item).readInto(samples);
        }
        return new SeriesValues(samples);
    }

    /** Reads one space-separated item. */
    private static final class ItemReader {

        private final String item;
        private int pos;

        ItemReader(final String item) {
            this.item = item;
        }

        void readInto(final List<OptionalDouble> samples) {
            if (item.equalsIgnoreCase("stale")) {
                throw problem("staleness markers are not supported; leave a sample out with '_'");
            }
            if (item.startsWith("_")) {
                pos = 1;
                final long missing = pos == item.length() ? 1 : times();
                add(samples, OptionalDouble.empty(), missing);
                return;
            }
            double value = number("a number, Inf, NaN or '_'");
            if (pos == item.length()) {
                add(samples, OptionalDouble.of(value), 1);
                return;
            }
            final char next = item.charAt(pos);
            if (next == 'x') {
                add(samples, OptionalDouble.of(value), times() + 1);
                return;
            }
            if (next != '+' && next != '-') {
                throw problem("unexpected '" + next + "'; expected 'x', '+' or '-' after the value");
            }
            pos++;
            if (pos < item.length() && (item.charAt(pos) == '+' || item.charAt(pos) == '-')) {
                throw problem("the step after '" + next + "' must be a number without a sign");
            }
            final double step = (next == '-' ? -1 : 1) * number("a step after '" + next + "'");
            if (pos == item.length() || item.charAt(pos) != 'x') {
                throw problem("a step must be followed by 'x' and a count, as in 1" + next + "2x10");
            }
            final long count = times() + 1;
            checkRoom(samples, count);
            for (long i = 0; i < count; i++) {
                samples.add(OptionalDouble.of(value));
                // Accumulated as promtool does (value += step), so that float steps give the very same samples.
                value += step;
            }
        }

        /** The count after 'x', a whole number. */
        private long times() {
            if (pos == item.length() || item.charAt(pos) != 'x') {
                throw problem("expected 'x' and a count after '_', as in _x3");
            }
            pos++;
            final int start = pos;
            while (pos < item.length() && isDigit(item.charAt(pos))) {
                pos++;
            }
            if (start == pos || pos != item.length()) {
                throw problem("the count after 'x' must be a whole number and end the item, as in 5x3");
            }
            try {
                return Long.parseLong(item.substring(start));
            } catch (final NumberFormatException e) {
                throw problem("the count after 'x' is too large");
            }
        }

        /** A decimal number (as promtool's series lexer scans one) or Inf/NaN, with an optional sign. */
        private double number(final String expected) {
            final int start = pos;
            if (pos < item.length() && (item.charAt(pos) == '+' || item.charAt(pos) == '-')) {
                pos++;
            }
            final String rest = item.substring(pos).toLowerCase(Locale.ROOT);
            for (final String word : List.of("infinity", "inf", "nan")) {
                if (rest.startsWith(word)) {
                    pos += word.length();
                    final boolean negative = item.charAt(start) == '-';
                    return word.equals("nan") ? Double.NaN
                            : negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                }
            }
            int digits = skipDigits();
            if (pos < item.length() && item.charAt(pos) == '.') {
                pos++;
                digits += skipDigits();
            }
            if (digits == 0) {
                throw problem("expected " + expected);
            }
            if (pos < item.length() && (item.charAt(pos) == 'e' || item.charAt(pos) == 'E')) {
                pos++;
                if (pos < item.length() && (item.charAt(pos) == '+' || item.charAt(pos) == '-')) {
                    pos++;
                }
                if (skipDigits() == 0) {
                    throw problem("expected the digits of an exponent");
                }
            }
            final double value = Double.parseDouble(item.substring(start, pos));
            if (Double.isInfinite(value)) {
                // promtool refuses it too (Go's ParseFloat: "value out of range"); Java would make it infinite.
                throw problem("'" + item.substring(start, pos) + "' is out of range of a double (about ±1.8e308);"
                        + " write Inf for an infinite value");
            }
            return value;
        }

        private int skipDigits() {
            final int start = pos;
            while (pos < item.length() && isDigit(item.charAt(pos))) {
                pos++;
            }
            return pos - start;
        }

        private void add(final List<OptionalDouble> samples, final OptionalDouble sample, final long count) {
            checkRoom(samples, count);
            for (long i = 0; i < count; i++) {
                samples.add(sample);
            }
        }

        private void checkRoom(final List<OptionalDouble> samples, final long count) {
            if (count > MAX_SAMPLES - samples.size()) {
                throw problem("more than " + MAX_SAMPLES + " samples in one series");
            }
        }

        private static boolean isDigit(final char c) {
            return c >= '0' && c <= '9';
        }

        private IllegalArgumentException problem(final String message) {
            return new IllegalArgumentException("'" + item + "': " + message);
        }
    }
}
