package io.vigil.model;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as rule files and configuration write them: {@code 250ms}, {@code 10s}, {@code 1m}, {@code 1m30s},
 * {@code 2h}, {@code 1d}. Units must go from largest to smallest, each at most once, as in Prometheus.
 */
public final class DurationSyntax {

    /**
     * The longest duration a rule file or a rule unit test may write: ten years. The engine adds rule durations to
     * event times (epoch milliseconds of the years 0000 to 9999, within about ±2.6e14) and to each other (the last
     * point + {@code after} + {@code for}, an evaluation time - {@code window}, + {@code keep_firing_for}), and
     * multiplies a test's {@code interval} by a sample's index; with every duration at most 3.2e11 ms, no such
     * arithmetic comes near a {@code long}'s 9.2e18, so none can overflow. No alert needs longer: a yearly job's
     * silence is 400 days.
     */
    public static final Duration LONGEST = Duration.ofDays(3650);

    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:d|h|ms|m|s))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(d|h|ms|m|s)");
    private static final String ORDER = "d h m s ms";

    private DurationSyntax() {
    }

    /** The duration, or empty when {@code text} is not one (negative durations do not exist here). */
    public static Optional<Duration> parse(final String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            return Optional.empty();
        }
        final Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int lastUnit = -1;
        while (m.find()) {
            final int unit = unitRank(m.group(2));
            if (unit <= lastUnit) {
                return Optional.empty();
            }
            lastUnit = unit;
            final long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            try {
                total = total.plus(switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMillis(n);
                });
            } catch (ArithmeticException e) {
                return Optional.empty();
            }
        }
        return Optional.of(total);
    }

    /**
     * The problem with a duration longer than {@link #LONGEST}, worded for a user who wrote {@code text} under
     * {@code key}: {@code 'for' is too long: 10000000000000d, at most 3650d}; empty when it is not too long.
     */
    public static Optional<String> tooLong(final String key, final String text, final Duration d) {
        return d.compareTo(LONGEST) > 0
                ? Optional.of("'" + key + "' is too long: " + text + ", at most " + format(LONGEST))
                : Optional.empty();
    }

    private static int unitRank(final String unit) {
        return switch (unit) {
            case "d" -> 0;
            case "h" -> 1;
            case "m" -> 2;
            case "s" -> 3;
            default -> 4;
        };
    }

    /** The shortest text that {@link #parse} reads back as {@code d}: {@code 90s} prints as {@code 1m30s}. */
    public static String format(final Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long ms = d.toMillis();
        final StringBuilder sb = new StringBuilder();
        final long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        final String[] units = ORDER.split(" ");
        for (int i = 0; i < sizes.length; i++) {
            if (ms >= sizes[i]) {
                sb.append(ms / sizes[i]).append(units[i]);
                ms %= sizes[i];
            }
        }
        return sb.toString();
    }
}
