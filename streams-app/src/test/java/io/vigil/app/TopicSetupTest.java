package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The start-up checks: the evaluation state in Kafka placed the way the configuration places series, and a cluster that
 * does not answer named as such.
 */
class TopicSetupTest {

    private static final Set<String> NEVER_RAN = Set.of("metrics", "alerts");
    private static final Set<String> RAN_THROUGH_REPARTITION = Set.of("metrics", "vigil-series-repartition",
            "vigil-vigil-series-changelog");
    private static final Set<String> RAN_IN_TASK = Set.of("metrics", "vigil-vigil-series-changelog");

    @Test
    void aFirstStartOrTheSamePlacementAsBeforeIsAccepted() {
        for (boolean bySeries : new boolean[] {false, true}) {
            assertThatCode(() -> TopicSetup.checkPlacement(NEVER_RAN, "vigil", bySeries)).doesNotThrowAnyException();
        }
        assertThatCode(() -> TopicSetup.checkPlacement(RAN_THROUGH_REPARTITION, "vigil", false))
                .doesNotThrowAnyException();
        assertThatCode(() -> TopicSetup.checkPlacement(RAN_IN_TASK, "vigil", true)).doesNotThrowAnyException();
        // Another application's topics say nothing about this one.
        assertThatCode(() -> TopicSetup.checkPlacement(RAN_THROUGH_REPARTITION, "vigil2", true))
                .doesNotThrowAnyException();
    }

    /**
     * Vigil's own topics are replicated as Kafka Streams replicates its internal ones: on a cluster left at Kafka's
     * default of 1, the alerts topic lived on one broker beside changelogs on three (a three-broker audit).
     */
    @Test
    void theTopicsVigilCreatesTakeKafkaStreamsReplicationFactor() {
        final VigilConfig three = ConfigLoader.load(null, java.util.Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092",
                "VIGIL_KAFKA_REPLICATION_FACTOR", "3"));
        assertThat(TopicSetup.missing(Set.of("alerts"), three)).extracting(t -> t.name() + " " + t.replicationFactor())
                .containsExactly("metrics 3", "metrics.dlq 3", "alerts.dlq 3");
        final VigilConfig unsaid = ConfigLoader.load(null, java.util.Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092"));
        final VigilConfig brokers = ConfigLoader.load(null, java.util.Map.of("VIGIL_BOOTSTRAP_SERVERS", "broker:9092",
                "VIGIL_KAFKA_REPLICATION_FACTOR", "-1"));
        for (VigilConfig config : java.util.List.of(unsaid, brokers)) {
            assertThat(TopicSetup.missing(Set.of(), config)).as("the broker's default").allMatch(
                    t -> t.replicationFactor() == -1);
        }
    }

    @Test
    void aClusterThatDoesNotAnswerIsNamedWithWhatToCheck() throws Exception {
        final int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        final String servers = "127.0.0.1:" + closed;
        final org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", servers));
        try {
            assertThatThrownBy(() -> TopicSetup.ensure(admin, ConfigLoader.load(null, java.util.Map.of()), servers,
                    "vigil", java.time.Duration.ofMillis(500)))
                    .isInstanceOf(KafkaUnanswered.class)
                    .hasMessage("cannot set up topics at " + servers + ": no answer within 500ms (is a Kafka broker"
                            + " listening there, reachable from here, and are kafka.security.protocol and its settings"
                            + " the cluster's?)");
        } finally {
            admin.close(java.time.Duration.ZERO); // its listTopics call still pending would hold a close a minute
        }
    }

    @Test
    void aChangedPlacementIsRefusedNamingTheKeyAndTheWayOut() {
        assertThatThrownBy(() -> TopicSetup.checkPlacement(RAN_THROUGH_REPARTITION, "vigil", true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("topics.partitioned_by_series: true, but application vigil has evaluated with it false"
                        + " (topic vigil-series-repartition), and its evaluation state is placed that way: set it"
                        + " back, or start afresh with a new kafka.application.id (the evaluation state, windows and"
                        + " firing alerts, is not carried over)");
        assertThatThrownBy(() -> TopicSetup.checkPlacement(RAN_IN_TASK, "vigil", false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("topics.partitioned_by_series: false, but application vigil has evaluated"
                        + " with it true (topic vigil-vigil-series-changelog)")
                .hasMessageEndingWith("; or, if the application was reset with some of its internal topics deleted,"
                        + " delete this one too");
    }

    @Test
    void inputPartitionsTheRepartitionTopicsWereMadeForAreAccepted() {
        assertThatCode(() -> TopicSetup.checkPartitions(java.util.Map.of("metrics", 4), java.util.Map.of(), "vigil"))
                .as("a first start").doesNotThrowAnyException();
        assertThatCode(() -> TopicSetup.checkPartitions(java.util.Map.of("metrics", 8, "telegraf", 4),
                java.util.Map.of("vigil-peers-repartition", 8, "vigil-series-repartition", 8), "vigil"))
                .as("the repartition topics have the widest input topic's count").doesNotThrowAnyException();
    }

    @Test
    void inputPartitionsOtherThanTheRepartitionTopicsWereMadeForAreRefusedNamingThemAndTheWayOut() {
        assertThatThrownBy(() -> TopicSetup.checkPartitions(java.util.Map.of("metrics", 8, "telegraf", 2),
                java.util.Map.of("vigil-peers-repartition", 4), "vigil"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("the input topics have 8 partitions at the widest (metrics: 8, telegraf: 2),"
                        + " but the internal topics of application vigil were made for 4 (vigil-peers-repartition: 4):"
                        + " Kafka Streams would refuse it")
                .hasMessageContaining("start afresh with a new kafka.application.id")
                .hasMessageContaining("kafka-streams-application-reset");
    }
}
