package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input partitions added to an application (here from 4 to 8, as an operator scales a topic): while it runs, the engine
 * stops within seconds, saying why and what to do, before the series of the partitions it does not read could page as
 * absent; at a start, it is refused (exit 2) rather than left to Kafka Streams' failure at its first assignment, which a
 * supervisor would restart for ever.
 */
class InputPartitionsChangedIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @TempDir
    Path dir;

    @Test
    void partitionsAddedWhileRunningStopTheEngineWithinSecondsAndExitNonZeroSayingWhatToDo() throws Exception {
        createInput("metrics-running", 4);
        final Path rules = FaultInjectionIT.writeRules(dir.resolve("rules"), FaultSuiteData.NODE_RULES);
        final Map<String, String> env = Map.of(
                "VIGIL_KAFKA_APPLICATION_ID", "vigil-running",
                "VIGIL_TOPICS_METRICS", "metrics-running",
                "VIGIL_TOPICS_ALERTS", "alerts-running",
                "VIGIL_TOPICS_DLQ", "dlq-running");
        try (VigilProcess engine = VigilProcess.start("partitions-running", Path.of("target", "input-partitions"),
                List.of("--bootstrap-servers", broker.bootstrapServers(), "--rules", rules.toString(),
                        "--data-dir", dir.resolve("data").toString()), env, List.of())) {
            engine.awaitStarted();
            awaitInternalTopics("vigil-running");
            // Past its first assignments, which create those topics and read the topics' metadata afresh: from here
            // Kafka Streams would see new partitions only at its next metadata refresh, as in a deployment.
            await().atMost(Duration.ofSeconds(60)).until(() -> engine.get("/metrics").lines()
                    .anyMatch(l -> l.startsWith("kafka_stream_client_state") && l.endsWith(" 2.0")));

            grow("metrics-running", 8);

            // The watch asks every 5 s; Kafka Streams itself would notice only at its next metadata refresh (up to
            // 5 minutes), and then fail at every restart.
            await().atMost(Duration.ofSeconds(30)).until(() -> !engine.isAlive());
            assertThat(engine.exitValue()).as("exit status; log:%n%s", engine.log()).isEqualTo(1);
            assertThat(engine.log())
                    .contains("ERROR", "the partitions of input topic metrics-running went from 4 to 8 while"
                            + " application vigil-running ran", "start afresh with a new kafka.application.id")
                    .contains("stopped because the input partitions changed")
                    .doesNotContain("resumes from the last committed transaction")
                    .doesNotContain("has invalid partitions");
        }
    }

    @Test
    void aStartOnInputPartitionsOtherThanTheApplicationWasMadeForIsRefusedNamingThemAndTheWayOut() throws Exception {
        createInput("metrics-start", 4);
        final RuleSet rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        final VigilConfig config = broker.engineConfig("start", Map.of());
        try (VigilEngine engine = VigilEngine.start(config, rules, dir.resolve("first"), new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> engine.state() == KafkaStreams.State.RUNNING);
            awaitInternalTopics("vigil-start");
        }

        grow("metrics-start", 8);

        assertThatThrownBy(() -> VigilEngine.start(config, rules, dir.resolve("second"), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("the input topics have 8 partitions at the widest (metrics-start: 8), but the internal"
                        + " topics of application vigil-start were made for 4 (vigil-start-peers-repartition: 4,"
                        + " vigil-start-series-repartition: 4): Kafka Streams would refuse it, and series would move to"
                        + " tasks that do not hold their state. A topic's partitions cannot be taken back in Kafka:"
                        + " start afresh with a new kafka.application.id (windows, baselines and pending alerts are"
                        + " relearned from the input; alerts firing now are not resolved by the new application), or"
                        + " reset this one with Kafka's kafka-streams-application-reset and an empty state directory"
                        + " (docs/reliability.md, \"Input partitions\")");

        // The first way out: a new application on the same topics starts, and runs on the 8 partitions.
        final VigilConfig fresh = broker.engineConfig("start", Map.of("VIGIL_KAFKA_APPLICATION_ID", "vigil-start-2"));
        try (VigilEngine engine = VigilEngine.start(fresh, rules, dir.resolve("fresh"), new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> engine.state() == KafkaStreams.State.RUNNING);
            assertThat(engine.inputPartitionsChanged()).isNotDone();
        }
    }

    private static void createInput(final String topic, final int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void grow(final String topic, final int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Until Kafka Streams has made the application's repartition topics, at its first assignment. */
    private static void awaitInternalTopics(final String applicationId) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)
                    .containsAll(Set.copyOf(TopicSetup.repartitionTopics(applicationId))));
        }
    }
}
