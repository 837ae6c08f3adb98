package io.vigil.app;

import io.vigil.model.DurationSyntax;
import io.vigil.rules.Rule;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an application starts reading its input: from {@code topics.metrics_lookback} before now when it is new (no
 * offset committed on any input partition), from the start of the retention otherwise. An application that has run
 * reads a partition it has never read (one added to a topic, a topic added to {@code topics.metrics}) whole, as it
 * did before the lookback: those records arrived while it was meant to be reading them. A new application that
 * leaves records out says so at INFO, with how many.
 */
final class FirstStart {

    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);

    private FirstStart() {
    }

    /**
     * The span before now an input partition with no committed offset is read from; empty for the start of its
     * retention.
     */
    static Optional<Duration> lookback(final Admin admin, final String applicationId, final Collection<String> inputs,
                                       final MetricsLookback setting, final Collection<Rule> rules) {
        final Optional<Duration> span = setting.span(rules);
        if (span.isEmpty()) {
            return span;
        }
        final Optional<Boolean> committed = hasCommittedInput(admin, applicationId, inputs);
        if (committed.isEmpty()) {
            LOG.warn("Could not read the committed offsets of application {}: an input partition with none is read"
                    + " from the start of its retention, not from {} before now ({}: {})", applicationId,
                    DurationSyntax.format(span.get()), MetricsLookback.KEY, setting.describe());
            return Optional.empty();
        }
        if (committed.get()) {
            return Optional.empty();
        }
        final long skipped = olderRecords(admin, inputs, span.get());
        // Said only when the lookback leaves records out: a new application on an empty topic (the demo's) has
        // nothing to be told.
        if (skipped > 0) {
            LOG.info("Application {} is new (no offset committed on its input): reading its input from {} before now"
                    + " ({}: {}); the {} older records the topics retain are not evaluated, and their incidents not"
                    + " paged again ({}: all would read them)", applicationId, DurationSyntax.format(span.get()),
                    MetricsLookback.KEY, setting.describe(), skipped, MetricsLookback.KEY);
        }
        return span;
    }

    /** How many records of {@code inputs} are older than {@code span} before now; 0 if Kafka did not say. */
    static long olderRecords(final Admin admin, final Collection<String> inputs, final Duration span) {
        try {
            return InputPositions.read(admin, inputs, Optional.of(span)).skipped();
        } catch (ExecutionException | TimeoutException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Whether the group has an offset committed on a partition of {@code inputs}; empty if Kafka did not say. */
    private static Optional<Boolean> hasCommittedInput(final Admin admin, final String group,
                                                       final Collection<String> inputs) {
        try {
            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return Optional.of(committed.entrySet().stream()
                    .anyMatch(e -> e.getValue() != null && inputs.contains(e.getKey().topic())));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
