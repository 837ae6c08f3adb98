package io.vigil.app;

import java.util.Arrays;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * How log events are written to stderr, one line per event either way: {@code text} for people (the default),
 * {@code json} for log collectors (one object per line with {@code time}, {@code level}, {@code logger},
 * {@code message}, {@code thread}, and {@code exception} as one string when there is one).
 *
 * <p>Both are appenders of {@code log4j2.xml}; the system property {@value #PROPERTY} names the one in use. The JSON
 * is log4j2's own {@code JsonTemplateLayout} over {@code vigil-log-event.json}, so escaping and multi-line messages
 * are its concern, not ours.
 */
enum LogFormat {
    TEXT,
    JSON;

    /** The system property {@code log4j2.xml} reads to pick the appender ({@code text} when unset). */
    static final String PROPERTY = "vigil.log.format";

    /** @throws ConfigException naming {@code key} when {@code text} is neither format */
    static LogFormat parse(final String key, final String text) {
        return Arrays.stream(values()).filter(f -> f.configName().equals(text.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new ConfigException(key + ": '" + text + "' is not a log format (text or json)"));
    }

    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Writes every later log event of this process in this format. Called by {@code vigil run} as soon as its
     * configuration is read, before the broker, the engine or delivery log anything.
     */
    void apply() {
        applyTo((LoggerContext) LogManager.getContext(false));
    }

    /** As {@link #apply()}, on the given logging context (tests use one of their own). */
    void applyTo(final LoggerContext context) {
        if (context.getConfiguration().getRootLogger().getAppenders().containsKey(configName())) {
            return;
        }
        System.setProperty(PROPERTY, configName());
        // Re-reads the configuration file, whose root logger refers to the appender ${sys:vigil.log.format}.
        context.reconfigure();
    }
}
