package io.vigil.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The unit of line protocol timestamps on a topic, as InfluxDB's {@code precision} parameter and Telegraf's
 * {@code precision} setting name them. Nanoseconds unless configured, as in InfluxDB.
 */
public enum TimestampPrecision {
    NANOSECONDS("ns", 1_000_000),
    MICROSECONDS("us", 1_000),
    MILLISECONDS("ms", 1),
    SECONDS("s", -1_000);

    private final String unit;
    /** Positive: divide to get milliseconds; negative: multiply by its absolute value. */
    private final long factor;

    TimestampPrecision(final String unit, final long factor) {
        this.unit = unit;
        this.factor = factor;
    }

    /** The unit as configured: {@code ns}, {@code us}, {@code ms} or {@code s}. */
    public String unit() {
        return unit;
    }

    /** The units that {@link #ofUnit(String)} knows, for error messages and suggestions. */
    public static List<String> units() {
        return Arrays.stream(values()).map(TimestampPrecision::unit).toList();
    }

    /** The precision written as {@code unit} (case-insensitive), or empty when it is none of {@link #units()}. */
    public static Optional<TimestampPrecision> ofUnit(final String unit) {
        final String lower = unit.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.unit.equals(lower)).findFirst();
    }

    /**
     * A timestamp in this unit as epoch milliseconds, rounded down.
     *
     * @throws ArithmeticException when seconds or milliseconds do not fit in a long once multiplied
     */
    long toMillis(final long timestamp) {
        return factor > 0 ? Math.floorDiv(timestamp, factor) : Math.multiplyExact(timestamp, -factor);
    }
}
