package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.SeriesQuestions;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.SourceLag;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** The production topology in Kafka Streams' test driver, with rules from YAML text: for topology tests. */
final class TopologyFixture implements AutoCloseable {

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> metrics;
    final TestOutputTopic<String, byte[]> alerts;
    final TestOutputTopic<byte[], byte[]> dlq;
    /** Where questions reach the topology's evaluation tasks, answered as the driver's wall clock advances. */
    final SeriesQuestions questions = new SeriesQuestions();

    TopologyFixture(final String rulesYaml, final Path stateDir, final Instant wallClock) {
        this(new LiveRules(parse(rulesYaml)), stateDir, wallClock);
    }

    static io.vigil.rules.RuleSet parse(final String rulesYaml) {
        final LoadResult rules = RuleLoader.parse("rules.yaml", rulesYaml);
        assertThat(rules.problems()).isEmpty();
        return rules.ruleSet();
    }

    TopologyFixture(final LiveRules rules, final Path stateDir, final Instant wallClock) {
        this(rules, stateDir, wallClock, settings(List.of(InputTopic.auto("metrics")), IngestLimits.defaults()));
    }

    /** The test settings with these input topics (one partition each) and limits. */
    static TopologySettings settings(final List<InputTopic> topics, final IngestLimits limits) {
        final Map<String, Integer> partitions = new java.util.HashMap<>();
        topics.forEach(t -> partitions.put(t.name(), 1));
        return new TopologySettings(topics, "alerts", "metrics.dlq", Duration.ofSeconds(15), Duration.ofHours(24),
                IDLE_TIMEOUT, limits, "http://vigil:8080", partitions);
    }

    /** @param settings its first input topic is {@link #metrics} */
    TopologyFixture(final LiveRules rules, final Path stateDir, final Instant wallClock, final TopologySettings settings) {
        this(rules, stateDir, wallClock, settings, Map.of());
    }

    /** @param streamsConfig Kafka Streams settings on top of the defaults (as {@code kafka.*} keys would add) */
    TopologyFixture(final LiveRules rules, final Path stateDir, final Instant wallClock, final TopologySettings settings,
                    final Map<String, Object> streamsConfig) {
        final Properties props = VigilTopology.streamsDefaults("vigil-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(streamsConfig);
        driver = new TopologyTestDriver(VigilTopology.build(rules, settings, registry, SourceLag.CAUGHT_UP, questions),
                props, wallClock);
        metrics = input(settings.metricsTopics().get(0));
        alerts = driver.createOutputTopic("alerts", new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic("metrics.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    TestInputTopic<byte[], byte[]> input(final String topic) {
        return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static String point(final String name, final Map<String, String> labels, final double value, final long ts) {
        final StringBuilder sb = new StringBuilder("{\"name\":\"").append(name).append("\",\"labels\":{");
        int i = 0;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(labels).entrySet()) {
            sb.append(i++ > 0 ? "," : "").append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
        }
        return sb.append("},\"value\":").append(value).append(",\"timestamp\":").append(ts).append('}').toString();
    }

    void send(final String value) {
        metrics.pipeInput(null, value.getBytes(StandardCharsets.UTF_8));
    }

    List<AlertEvent> events() {
        return alerts.readValuesToList().stream().map(AlertEventJson::read).toList();
    }

    /** "STATUS alertname instance @time" for each event, the time being the one its status is about. */
    static List<String> describe(final List<AlertEvent> events) {
        return events.stream().map(e -> e.status() + " " + e.labels().get("alertname") + " " + e.labels().get("instance")
                + " @" + (e.status() == EventStatus.PENDING ? e.activeAt()
                : e.status() == EventStatus.FIRING ? e.startsAt().orElseThrow() : e.endsAt().orElseThrow())).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
