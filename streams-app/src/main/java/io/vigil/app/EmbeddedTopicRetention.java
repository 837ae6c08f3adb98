package io.vigil.app;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives Vigil's own topics on the embedded broker Kafka's usual week of retention. The embedded broker keeps records
 * forever unless a topic says otherwise ({@code log.retention.ms=-1}: a topic created on it by hand, with the
 * producer's timestamps, may hold a capture of last year that Kafka would delete for its age within minutes). Vigil's
 * topics are written with the broker's append time, so a week counts from when a record came; kept forever, the input
 * topic grew without bound, 64 MB an hour for a fleet of 200 nodes (a soak, 2026-12-07), and filled the disk of a
 * {@code vigil run} left running. A retention set on a topic (by hand, {@code kafka-configs --alter}) is kept.
 */
final class EmbeddedTopicRetention {

    static final Duration RETENTION = Duration.ofDays(7);
    private static final String RETENTION_MS = "retention.ms";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedTopicRetention.class);

    private EmbeddedTopicRetention() {
    }

    /** Sets a week's retention on each of {@code topics} that has none of its own. */
    static void apply(final String bootstrapServers, final Collection<String> topics) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            final List<ConfigResource> resources = topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            final Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                    .get(30, TimeUnit.SECONDS);
            final Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
            configs.forEach((topic, config) -> {
                final ConfigEntry retention = config.get(RETENTION_MS);
                if (retention == null || retention.source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                    ops.put(topic, List.of(new AlterConfigOp(new ConfigEntry(RETENTION_MS,
                            Long.toString(RETENTION.toMillis())), AlterConfigOp.OpType.SET)));
                }
            });
            if (!ops.isEmpty()) {
                admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("could not give the topics {} a retention of {} on the embedded broker ({}): they keep every"
                    + " record until you set retention.ms on them", topics, RETENTION, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
