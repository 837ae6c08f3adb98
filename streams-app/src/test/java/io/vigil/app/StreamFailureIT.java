package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil run} when Kafka Streams cannot go on: a stream thread dies of an error Streams does not handle itself,
 * and the process exits with status 1, so that its supervisor restarts it, instead of living on without an engine
 * (Streams' behaviour without an uncaught exception handler: the client shut down, the process alive, {@code /healthz}
 * still ok).
 *
 * <p>The error is one an operator can cause: {@code kafka.max.request.size} below the size of the records the engine
 * writes, so its first write fails for good ({@code RecordTooLargeException}, which Streams' default production
 * exception handler does not retry).
 */
class StreamFailureIT {

    @TempDir
    Path dir;

    @Test
    void whenAStreamThreadDiesVigilRunSaysWhyAndExitsWithStatus1() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            final Path rules = FaultInjectionIT.writeRules(dir.resolve("rules"), FaultSuiteData.NODE_RULES);
            final Map<String, String> env = Map.of(
                    "VIGIL_KAFKA_APPLICATION_ID", "vigil-failure",
                    "VIGIL_KAFKA_MAX_REQUEST_SIZE", "64");
            try (VigilProcess engine = VigilProcess.start("stream-failure", Path.of("target", "stream-failure"),
                    List.of("--bootstrap-servers", broker.bootstrapServers(), "--rules", rules.toString(),
                            "--data-dir", dir.resolve("data").toString()), env, List.of())) {
                engine.awaitStarted();
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (String record : FaultSuiteData.records(3)) {
                        producer.send(new ProducerRecord<>("metrics", record.getBytes(StandardCharsets.UTF_8)));
                    }
                }

                await().atMost(Duration.ofSeconds(90)).until(() -> !engine.isAlive());

                assertThat(engine.exitValue()).as("exit status; log:%n%s", engine.log()).isEqualTo(1);
                assertThat(engine.log())
                        .contains("failed; shutting the engine down: vigil run exits with status 1")
                        .contains("RecordTooLargeException")
                        .contains("stopped after the Kafka Streams failure")
                        .doesNotContain("stopped cleanly");
            }
        }
    }
}
