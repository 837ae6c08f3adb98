package io.vigil.ingest;

import java.util.Objects;

/**
 * One input topic and how its records are read.
 *
 * @param name      the Kafka topic
 * @param format    the records' format, or {@link InputFormat#AUTO} to detect it per record
 * @param precision the unit of line protocol timestamps; used where line protocol may come ({@code influx} and
 *                  {@code auto})
 */
public record InputTopic(String name, InputFormat format, TimestampPrecision precision) {

    public InputTopic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(precision, "precision");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an input topic needs a name");
        }
    }

    /** How start-up messages name it: {@code metrics}, or {@code telegraf (influx, s)} when configured. */
    public String describe() {
        if (format == InputFormat.AUTO && precision == TimestampPrecision.NANOSECONDS) {
            return name;
        }
        return name + " (" + format.configName() + (format == InputFormat.JSON || format == InputFormat.TELEGRAF_JSON
                ? "" : ", " + precision.unit()) + ")";
    }

    /** A topic whose format is detected per record, line protocol in nanoseconds: the default. */
    public static InputTopic auto(final String name) {
        return new InputTopic(name, InputFormat.AUTO, TimestampPrecision.NANOSECONDS);
    }
}
