package io.vigil.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The format the records of an input topic are in (formats.md): detected per record unless a topic is configured
 * with one. Fixing it makes a topic's records mean one thing only: a Telegraf topic's record that happens to start
 * with '{' is not read as native JSON.
 */
public enum InputFormat {
    /** Per record, from its first significant byte and, for JSON, its fields (see {@link RecordDecoder}). */
    AUTO("auto"),
    /** Native JSON, the shape prometheus-kafka-adapter writes: one object or an array of them. */
    JSON("json"),
    /** Telegraf's JSON serializer ({@code data_format = "json"}): one metric or {@code {"metrics":[...]}}. */
    TELEGRAF_JSON("telegraf_json"),
    /** InfluxDB line protocol, Telegraf's default ({@code data_format = "influx"}). */
    INFLUX("influx");

    private final String configName;

    InputFormat(final String configName) {
        this.configName = configName;
    }

    /** The name as configured, e.g. {@code telegraf_json}. */
    public String configName() {
        return configName;
    }

    /** The names that {@link #ofName(String)} knows, for error messages and suggestions. */
    public static List<String> names() {
        return Arrays.stream(values()).map(InputFormat::configName).toList();
    }

    /** The format named {@code name} (case-insensitive), or empty when it is none of {@link #names()}. */
    public static Optional<InputFormat> ofName(final String name) {
        final String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.configName.equals(lower)).findFirst();
    }
}
