package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules changed while the engine was stopped, as a Kubernetes deploy changes them (the ConfigMap edited, the pods
 * restarted), on a real broker: the restarted engine resolves the firing alerts no rule in force will judge again,
 * and keeps those of a rule that is there still with the same labels.
 */
class RulesChangedWhileStoppedIT {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();
    private static final String REASON = "its rule was removed, or its labels or selector changed, since this task"
            + " last ran (a deploy, or another instance running other rules)";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    private static final String BEFORE = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 90}
                    labels: {severity: page}
                  - alert: CpuWarm
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 80}
                    labels: {severity: warn}
                  - alert: CpuAny
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 0}
                  - alert: CpuAbovePeers
                    series: cpu
                    aggregate: last
                    window: 10s
                    outlier: {peers: [cluster], direction: high, z: 3, min_peers: 3}
            """;

    /** CpuHigh's threshold changed, CpuWarm's labels changed, CpuAny and CpuAbovePeers removed. */
    private static final String AFTER = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 95}
                    labels: {severity: page}
                  - alert: CpuWarm
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 80}
                    labels: {severity: page}
            """;

    @Test
    void aRestartResolvesTheAlertsOfRulesRemovedOrRelabelledAndKeepsTheOthers() throws Exception {
        final VigilConfig config = broker.engineConfig("rules-changed", Map.of());
        final List<AlertEvent> events = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-rules-changed", 2, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<byte[], byte[]> alerts = TestConsumers.readCommitted(broker.bootstrapServers(),
                "alerts-rules-changed")) {
            produce(0, 30);
            try (VigilEngine engine = VigilEngine.start(config, rules("before", BEFORE), dir.resolve("first"),
                    new SimpleMeterRegistry())) {
                // node-07 at 97 among peers at 40 to 42: CpuHigh, CpuWarm and CpuAbovePeers fire for it, CpuAny for all.
                TestConsumers.awaitAlertEvents(alerts, events, 7);
            }
            assertThat(events).allMatch(e -> e.status().name().equals("FIRING"));
            events.clear();

            produce(30, 60);
            // A new state directory: the state, and the rules the first run ran, come back from the changelogs.
            try (VigilEngine engine = VigilEngine.start(config, rules("after", AFTER), dir.resolve("second"),
                    new SimpleMeterRegistry())) {
                TestConsumers.awaitAlertEvents(alerts, events, 7);
            }
        }
        final List<String> seen = events.stream().map(e -> e.status() + " " + e.labels().get("alertname") + " "
                + e.labels().get("instance") + " severity=" + e.labels().get("severity") + " "
                + e.annotations().getOrDefault("resolved_reason", "-")).sorted().toList();
        assertThat(seen).containsExactly(
                "FIRING CpuWarm node-07 severity=page -",
                "RESOLVED CpuAbovePeers node-07 severity= " + REASON,
                "RESOLVED CpuAny node-05 severity= " + REASON,
                "RESOLVED CpuAny node-06 severity= " + REASON,
                "RESOLVED CpuAny node-07 severity= " + REASON,
                "RESOLVED CpuAny node-08 severity= " + REASON,
                "RESOLVED CpuWarm node-07 severity=warn " + REASON);
    }

    /** The rules as {@code vigil run} reads them, from a file: with the text it keeps of them. */
    private static RuleSet rules(final String name, final String yaml) throws Exception {
        final Path file = Files.writeString(dir.resolve(name + ".yaml"), yaml);
        final LoadResult loaded = RuleLoader.load(List.of(file));
        assertThat(loaded.problems()).isEmpty();
        return loaded.ruleSet();
    }

    /** node-07 at 97 from the tenth step on. */
    private static void produce(final int from, final int to) {
        TestProducers.fourNodes(broker.bootstrapServers(), "metrics-rules-changed", T0, from, to, step -> step >= 10);
    }
}
