package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Incidents of one node's CPU at 97 in a metrics topic, and which of them an engine pages: how the integration tests of
 * where an application starts reading its input ({@link MetricsLookbackIT}, {@link ApplicationResetIT}) tell what it
 * read.
 */
final class CpuIncidents {

    /** CpuHigh fires on each node's first evaluation of an incident. */
    static final String RULES = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: CpuHigh
                    series: cpu
                    aggregate: last
                    window: 10s
                    threshold: {above: 90}
            """;

    private CpuIncidents() {
    }

    /** {@link #RULES}, written to {@code file} and loaded. */
    static RuleSet ruleSet(final Path file) throws Exception {
        final LoadResult loaded = RuleLoader.load(List.of(Files.writeString(file, RULES)));
        assertThat(loaded.problems()).isEmpty();
        return loaded.ruleSet();
    }

    /**
     * 30 points of {@code instance}'s CPU at 97, one each 10 s of event time from {@code from}, to {@code partition}
     * of {@code topic}, each in a record stamped {@code recordTime} (null: the producer's clock, now).
     */
    static void produceHot(final KafkaProducer<byte[], byte[]> producer, final String topic, final int partition,
                           final String instance, final long from, final Long recordTime) {
        for (int step = 0; step < 30; step++) {
            final long at = from + step * 10_000L;
            producer.send(new ProducerRecord<>(topic, partition, recordTime == null ? null : at, null,
                    TopologyTest.point(instance, 97, at).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * The instances an engine started on {@code config} pages CpuHigh for, as {@code alerts} reads them, once it has
     * paged {@code expected}, and for 3 s more: an incident whose records come before the last expected one's in its
     * partition has been paged by then if the engine read it.
     */
    static Set<String> firingInstances(final VigilConfig config, final RuleSet rules, final Path stateDir,
                                       final KafkaConsumer<byte[], byte[]> alerts, final String... expected) {
        final Set<String> firing = new TreeSet<>();
        try (VigilEngine engine = VigilEngine.start(config, rules, stateDir, new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                poll(alerts, firing);
                assertThat(firing).contains(expected);
            });
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                poll(alerts, firing);
                assertThat(firing).containsExactlyInAnyOrder(expected);
            });
        }
        return firing;
    }

    private static void poll(final KafkaConsumer<byte[], byte[]> alerts, final Set<String> firing) {
        alerts.poll(Duration.ofMillis(200)).forEach(r -> {
            final AlertEvent event = AlertEventJson.read(r.value());
            if (event.status() == EventStatus.FIRING) {
                firing.add(event.labels().get("instance"));
            }
        });
    }
}
