package io.vigil.app;

import io.vigil.model.DurationSyntax;
import io.vigil.rules.Rule;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * How far back a new application starts reading its metrics topics ({@code topics.metrics_lookback}): one with no
 * offset committed on its input, at its first start or under a new {@code kafka.application.id} ({@link FirstStart}).
 * A restart resumes where the application stopped, however long ago.
 *
 * <p>Prometheus evaluates its rules from the moment it starts and never pages what was over before. Reading a week's
 * retained metrics would page every incident of that week to receivers that have long dealt with it; reading nothing
 * would start every baseline empty and miss a node that went silent just before. So by default the engine reads the
 * history its rules look at, plus an hour: what would have paged within the last hour pages, and baselines start
 * whole.
 */
public sealed interface MetricsLookback {

    /** What {@link Auto} adds to the longest history a rule looks at. */
    Duration MARGIN = Duration.ofHours(1);

    /** The configuration key. */
    String KEY = "topics.metrics_lookback";

    /** The rules' longest history plus {@link #MARGIN}. */
    record Auto() implements MetricsLookback {
    }

    /** The whole retention of the topics, as Kafka's {@code earliest}. */
    record All() implements MetricsLookback {
    }

    /** This long before the start. */
    record Fixed(Duration span) implements MetricsLookback {
    }

    /**
     * How far back to read for these rules, or empty for the whole retention.
     */
    default Optional<Duration> span(final Collection<Rule> rules) {
        if (this instanceof Fixed fixed) {
            return Optional.of(fixed.span());
        }
        if (this instanceof All) {
            return Optional.empty();
        }
        return Optional.of(rules.stream().map(MetricsLookback::history).max(Duration::compareTo)
                .orElse(Duration.ZERO).plus(MARGIN));
    }

    /**
     * The span of points one rule looks at to decide an instant: its window and {@code for}, and the history a
     * deviation's baseline or an absence's {@code after} stands on.
     */
    static Duration history(final Rule rule) {
        return rule.window().plus(rule.forDuration()).plus(rule.condition().history());
    }

    /** {@code auto}, {@code all} or a duration above 0s; the message names {@link #KEY}. */
    static MetricsLookback parse(final String text) {
        final String value = text.trim();
        if (value.equals("auto")) {
            return new Auto();
        }
        if (value.equals("all")) {
            return new All();
        }
        final Duration span = DurationSyntax.parse(value).orElseThrow(() -> new ConfigException(KEY + ": '" + text
                + "' is neither auto, all nor a duration (e.g. 6h)"));
        if (span.isZero()) {
            throw new ConfigException(KEY + ": must be longer than 0s (at 0s a new application would read no history,"
                    + " and not know a node that went silent just before it started)");
        }
        if (span.compareTo(DurationSyntax.LONGEST) > 0) {
            throw new ConfigException(KEY + ": '" + text + "' is too long, at most "
                    + DurationSyntax.format(DurationSyntax.LONGEST) + " (or all)");
        }
        return new Fixed(span);
    }

    /** As the configuration writes it. */
    default String describe() {
        if (this instanceof Fixed fixed) {
            return DurationSyntax.format(fixed.span());
        }
        return this instanceof All ? "all" : "auto";
    }
}
