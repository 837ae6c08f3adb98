package io.vigil.app;

import io.vigil.model.KeySuggestion;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The {@code kafka.*} settings, checked against the definitions of Kafka's own clients as the configuration is read:
 * a value Kafka would refuse ({@code security.protocol: NONSENSE}, {@code linger.ms: abc}) is a configuration error at
 * its file:line:column, found by {@code rules validate --config} too, rather than a failure of {@code run} once its
 * clients start. Settings no client defines pass through, as Kafka passes them to plug-ins, unless one is a likely
 * typo of a client's.
 */
final class KafkaSettings {

    /** Kafka Streams' prefixes for one client's settings, and that client's definitions. */
    private static final List<Map.Entry<String, ConfigDef>> PREFIXED = List.of(
            Map.entry(StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configDef()),
            Map.entry(StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configDef()),
            Map.entry(StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configDef()),
            Map.entry(StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configDef()),
            Map.entry(StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configDef()),
            Map.entry(StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configDef()));
    /** The clients an unprefixed setting Kafka Streams does not define itself is handed to. */
    private static final List<ConfigDef> CLIENTS = List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(),
            AdminClientConfig.configDef());

    /** Every setting an unprefixed name may be: Kafka Streams' and its clients'. */
    private static final List<String> UNPREFIXED_NAMES = Stream.concat(
            Stream.of(StreamsConfig.configDef()), CLIENTS.stream())
            .flatMap(def -> def.names().stream()).distinct().sorted().toList();
    /** Edits within which a name no client defines is taken for a typo of one that it does. */
    private static final int MAX_TYPO_EDITS = 2;

    private KafkaSettings() {
    }

    /** Whether {@code name} (without {@code kafka.}) is a setting of Kafka's clients, prefixed or not. */
    static boolean isSetting(final String name) {
        return definitions(name).findAny().isPresent();
    }

    /**
     * @param settings by name, without {@code kafka.}
     * @throws ConfigException starting with {@code kafka.NAME} for the first value a client would refuse
     */
    static void check(final Map<String, String> settings) {
        settings.keySet().forEach(KafkaSettings::checkNotATypo);
        settings.forEach((name, value) -> definitions(name).forEach(key -> {
            try {
                if (key.type == ConfigDef.Type.CLASS) {
                    findClass(name, value);
                    return;
                }
                final Object parsed = ConfigDef.parseType(key.name, value, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(key.name, parsed);
                }
            } catch (org.apache.kafka.common.config.ConfigException e) {
                // A password is never shown; Kafka's own message hides it too.
                throw new ConfigException(ConfigLoader.KAFKA_PREFIX + name + ": "
                        + (key.type == ConfigDef.Type.PASSWORD ? "not a valid value" : "'" + value + "' is not valid")
                        + " for Kafka: " + reason(e.getMessage(), key.name));
            }
        }));
    }

    /**
     * A name no client defines is passed through as a plug-in's, but one within two edits of a client's setting is
     * a typo: {@code bootstrap.server} passed through left {@code run} on its embedded broker without a word (a
     * conformance audit, 2026-12-07). Vigil's own {@code vigil.*} settings are checked where they are read.
     */
    private static void checkNotATypo(final String name) {
        if (name.startsWith("vigil.") || isSetting(name)) {
            return;
        }
        final Optional<Map.Entry<String, ConfigDef>> prefixed = PREFIXED.stream()
                .filter(p -> name.startsWith(p.getKey())).findFirst();
        final String prefix = prefixed.map(Map.Entry::getKey).orElse("");
        final String unprefixed = name.substring(prefix.length());
        final List<String> known = prefixed.map(p -> List.copyOf(p.getValue().names())).orElse(UNPREFIXED_NAMES);
        KeySuggestion.closest(unprefixed, known)
                .filter(meant -> KeySuggestion.distance(unprefixed, meant) <= MAX_TYPO_EDITS)
                .ifPresent(meant -> {
                    throw new ConfigException(ConfigLoader.KAFKA_PREFIX + name + ": no Kafka client has this setting;"
                            + " did you mean " + ConfigLoader.KAFKA_PREFIX + prefix + meant + "? (a plug-in's own"
                            + " setting may not be this close to one of Kafka's)");
                });
    }

    /** Kafka's clients load a class setting and run its static code; here it is only looked for. */
    private static void findClass(final String name, final String value) {
        try {
            Class.forName(value.strip(), false, KafkaSettings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(ConfigLoader.KAFKA_PREFIX + name + ": '" + value + "' is not valid for Kafka:"
                    + " no class of that name here (a plug-in's jar is not on Vigil's class path)");
        }
    }

    /** The definitions of {@code name} in the clients it configures. */
    private static Stream<ConfigDef.ConfigKey> definitions(final String name) {
        final Optional<Map.Entry<String, ConfigDef>> prefixed = PREFIXED.stream()
                .filter(p -> name.startsWith(p.getKey())).findFirst();
        if (prefixed.isPresent()) {
            final String unprefixed = name.substring(prefixed.get().getKey().length());
            return Optional.ofNullable(prefixed.get().getValue().configKeys().get(unprefixed)).stream();
        }
        // Kafka Streams reads what it defines itself (group.protocol: streams is its, not the consumer's CLASSIC or
        // CONSUMER), and hands the rest to its clients.
        final ConfigDef.ConfigKey streams = StreamsConfig.configDef().configKeys().get(name);
        if (streams != null) {
            return Stream.of(streams);
        }
        return CLIENTS.stream().map(def -> def.configKeys().get(name)).filter(java.util.Objects::nonNull);
    }

    /** Kafka's "Invalid value X for configuration NAME: why" as the why. */
    private static String reason(final String message, final String name) {
        final String marker = "for configuration " + name;
        final int at = message == null ? -1 : message.indexOf(marker);
        if (at < 0) {
            return String.valueOf(message);
        }
        final String rest = message.substring(at + marker.length());
        return rest.startsWith(": ") ? rest.substring(2) : rest.isEmpty() ? "refused" : rest;
    }
}
