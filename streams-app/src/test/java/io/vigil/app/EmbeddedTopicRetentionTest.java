package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil's topics on the embedded broker are kept a week, where the broker keeps records forever: the input topic of a
 * {@code vigil run} left running grew without bound (a soak). A retention set on a topic by hand stays.
 */
class EmbeddedTopicRetentionTest {

    @TempDir
    Path dir;

    @Test
    void vigilsTopicsAreKeptAWeekUnlessTheySayOtherwise() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics", 1, (short) 1),
                    new NewTopic("kept", 1, (short) 1).configs(Map.of("retention.ms", "1000")))).all().get();
            assertThat(retention(admin, "metrics")).as("the broker's: forever").isEqualTo("-1");

            EmbeddedTopicRetention.apply(kafka.bootstrapServers(), List.of("metrics", "kept"));

            // The broker applies a change from the metadata log in its own time.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(retention(admin, "metrics")).isEqualTo("604800000"));
            assertThat(retention(admin, "kept")).isEqualTo("1000");
        }
    }

    private static String retention(final Admin admin, final String topic) throws Exception {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms").value();
    }
}
