package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The topics Vigil creates at start, on a real broker. */
class TopicSetupIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /**
     * More replicas than the cluster has brokers: the message names the key to change, where it was Kafka's words
     * alone (a re-check on the jar).
     */
    @Test
    void aReplicationFactorTheClusterCannotGiveNamesItsKey() {
        final VigilConfig three = broker.engineConfig("rf3", Map.of("VIGIL_KAFKA_REPLICATION_FACTOR", "3"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThatThrownBy(() -> TopicSetup.ensure(admin, three, broker.bootstrapServers(), "vigil-rf3"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("kafka.replication.factor: cannot create [metrics-rf3, alerts-rf3, dlq-rf3,"
                            + " alerts-rf3.dlq] at " + broker.bootstrapServers() + " with 3 replicas: ");

            final VigilConfig one = broker.engineConfig("rf1", Map.of("VIGIL_KAFKA_REPLICATION_FACTOR", "1"));
            assertThat(TopicSetup.ensure(admin, one, broker.bootstrapServers(), "vigil-rf1"))
                    .containsEntry("metrics-rf1", TopicSetup.DEFAULT_INPUT_PARTITIONS);
            assertThat(TopicSetup.missing(Set.of(), one)).allMatch(t -> t.replicationFactor() == 1);
        }
    }

    /** Topics made before the factor was raised are left as they are, and the log says so for each. */
    @Test
    void anExistingTopicWithFewerReplicasIsNamed() throws Exception {
        final VigilConfig two = broker.engineConfig("rf2", Map.of("VIGIL_KAFKA_REPLICATION_FACTOR", "2"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
             CapturedLogs logs = new CapturedLogs()) {
            admin.createTopics(TopicSetup.missing(Set.of(), broker.engineConfig("rf2", Map.of()))).all().get();
            TopicSetup.ensure(admin, two, broker.bootstrapServers(), "vigil-rf2");
            assertThat(logs.text()).contains("topic alerts-rf2 has 1 replica(s) a partition, fewer than"
                    + " kafka.replication.factor (2): Vigil does not change a topic that exists;"
                    + " kafka-reassign-partitions.sh adds replicas");
            assertThat(logs.text().lines().filter(l -> l.contains("fewer than kafka.replication.factor"))).hasSize(4);
        }
    }
}
