package io.vigil.app;

import io.vigil.ingest.InputFormat;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.TimestampPrecision;
import io.vigil.model.KeySuggestion;
import io.vigil.rules.YamlNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code topics.metrics}: the input topics, each optionally with the format of its records and the precision of its
 * line protocol timestamps. In YAML a list whose entries are topic names or mappings:
 * <pre>
 * topics:
 *   metrics:
 *     - metrics                                      # format detected per record
 *     - {name: telegraf, format: influx, precision: s}
 * </pre>
 * and, where a value must be one string (the environment, {@code VIGIL_TOPICS_METRICS}), comma-separated
 * {@code TOPIC[:FORMAT[:PRECISION]]} entries: {@code metrics,telegraf:influx:s}. A colon cannot be part of a Kafka
 * topic name, so the short form is unambiguous. Every mistake is reported naming the key and entry.
 */
final class InputTopicsSyntax {

    static final String KEY = "topics.metrics";
    private static final List<String> ENTRY_KEYS = List.of("name", "format", "precision");
    /** Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic), with "." and ".." below. */
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private InputTopicsSyntax() {
    }

    /**
     * Why Kafka would refuse {@code name} as a topic name, if it would: every topic Vigil reads or writes is checked
     * at start with it, before a broker is asked to create one.
     */
    static Optional<String> topicNameProblem(final String name) {
        if (!TOPIC_NAME.matcher(name).matches()) {
            return Optional.of("'" + name + "' is not a Kafka topic name (1 to 249 of letters, digits, '.', '_', '-')");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("'" + name + "' is not a Kafka topic name (Kafka refuses '.' and '..')");
        }
        return Optional.empty();
    }

    /** Comma-separated {@code TOPIC[:FORMAT[:PRECISION]]} entries. */
    static List<InputTopic> parse(final String text) {
        if (text.isBlank()) {
            throw new ConfigException(KEY + ": no topic given; Vigil needs at least one topic to read datapoints from");
        }
        final List<InputTopic> topics = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        for (String entry : text.split(",", -1)) {
            final InputTopic topic = parseEntry(entry.strip());
            if (!seen.add(topic.name())) {
                throw new ConfigException(KEY + ": topic '" + topic.name() + "' is listed twice");
            }
            topics.add(topic);
        }
        return topics;
    }

    /**
     * One entry of a YAML list, checked where it is written ({@code topics.metrics[1].format}), as the short text
     * form that {@link #parse(String)} reads.
     */
    static String entryText(final YamlNode entry, final int index) {
        final String where = KEY + "[" + index + "]";
        if (entry instanceof YamlNode.Scalar s) {
            return s.isNull() ? "" : s.text();
        }
        if (!(entry instanceof YamlNode.Mapping mapping)) {
            throw new ConfigException(where + ": must be a topic name or a mapping with name, format and precision");
        }
        for (YamlNode.Entry field : mapping.entries()) {
            if (!ENTRY_KEYS.contains(field.key())) {
                throw new ConfigException("unknown configuration key '" + where + "." + field.key() + "'"
                        + KeySuggestion.closest(field.key(), ENTRY_KEYS)
                                .map(k -> "; did you mean '" + where + "." + k + "'?").orElse(""));
            }
            if (!(field.value() instanceof YamlNode.Scalar)) {
                throw new ConfigException(where + "." + field.key() + ": must be a single value");
            }
        }
        final String name = text(mapping, "name");
        if (name.isEmpty()) {
            throw new ConfigException(where + ".name: missing; every input topic needs a name");
        }
        final String precision = text(mapping, "precision");
        final InputTopic topic = topic(name, text(mapping, "format"), precision, where + ".");
        return topic.name() + ":" + topic.format().configName() + (precision.isEmpty() ? "" : ":" + precision);
    }

    private static String text(final YamlNode.Mapping entry, final String key) {
        return entry.entries().stream().filter(e -> e.key().equals(key)).findFirst()
                .map(e -> (YamlNode.Scalar) e.value())
                .map(value -> value.isNull() ? "" : value.text().strip()).orElse("");
    }

    private static InputTopic parseEntry(final String entry) {
        final String[] parts = entry.split(":", -1);
        if (parts.length > 3) {
            throw new ConfigException(KEY + ": '" + entry + "' is not TOPIC[:FORMAT[:PRECISION]]");
        }
        final String where = KEY + ": '" + entry + "': ";
        return topic(parts[0].strip(), parts.length > 1 ? parts[1].strip() : "",
                parts.length > 2 ? parts[2].strip() : "", where);
    }

    /**
     * @param where how an error message starts, naming the key: {@code topics.metrics[1].} for a mapping (the field
     *              name follows), {@code topics.metrics: 'ENTRY': } for the short form
     */
    private static InputTopic topic(final String name, final String format, final String precision,
                                    final String where) {
        final boolean mapping = where.endsWith(".");
        topicNameProblem(name).ifPresent(problem -> {
            throw new ConfigException((mapping ? where + "name: " : where) + problem);
        });
        final InputFormat f = format.isEmpty() ? InputFormat.AUTO : InputFormat.ofName(format).orElseThrow(() ->
                new ConfigException((mapping ? where + "format: " : where) + "'" + format + "' is not a format ("
                        + String.join(", ", InputFormat.names()) + ")" + suggestion(format, InputFormat.names())));
        final TimestampPrecision p = precision.isEmpty() ? TimestampPrecision.NANOSECONDS
                : TimestampPrecision.ofUnit(precision).orElseThrow(() -> new ConfigException(
                        (mapping ? where + "precision: " : where) + "'" + precision + "' is not a precision ("
                                + String.join(", ", TimestampPrecision.units()) + ")"
                                + suggestion(precision, TimestampPrecision.units())));
        if (!precision.isEmpty() && (f == InputFormat.JSON || f == InputFormat.TELEGRAF_JSON)) {
            throw new ConfigException((mapping ? where + "precision: " : where) + "the precision is that of line "
                    + "protocol timestamps; a " + f.configName() + " topic has none (use format influx or auto)");
        }
        return new InputTopic(name, f, p);
    }

    private static String suggestion(final String typed, final List<String> known) {
        return KeySuggestion.closest(typed, known).map(k -> "; did you mean '" + k + "'?").orElse("");
    }
}
