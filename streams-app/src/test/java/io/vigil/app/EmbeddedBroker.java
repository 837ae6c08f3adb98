package io.vigil.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real broker for a test class: the embedded single-node KRaft broker {@code vigil run} starts, on a free loopback
 * port, with its data in a directory of its own, removed after the class. Registered as a static field
 * ({@code @RegisterExtension}), it starts before the class's {@code @BeforeAll} methods and stops after its
 * {@code @AfterAll} ones.
 */
public final class EmbeddedBroker implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(final ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("vigil-it-broker");
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    }

    @Override
    public void afterAll(final ExtensionContext context) throws IOException {
        try {
            kafka.close();
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** The broker's {@code host:port}. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * The configuration of an engine on this broker with topics and an application of its own, so that tests of one
     * class do not share them: {@code metrics-NAME}, {@code alerts-NAME}, {@code dlq-NAME}, {@code vigil-NAME}; sources
     * idle after 2 s; then {@code more} (environment variables, as {@link ConfigLoader} reads them).
     */
    public VigilConfig engineConfig(final String name, final Map<String, String> more) {
        final Map<String, String> env = new HashMap<>(Map.of(
                "VIGIL_BOOTSTRAP_SERVERS", bootstrapServers(),
                "VIGIL_KAFKA_APPLICATION_ID", "vigil-" + name,
                "VIGIL_TOPICS_METRICS", "metrics-" + name,
                "VIGIL_TOPICS_ALERTS", "alerts-" + name,
                "VIGIL_TOPICS_DLQ", "dlq-" + name,
                "VIGIL_EVALUATION_IDLE_TIMEOUT", "2s"));
        env.putAll(more);
        return ConfigLoader.load(null, env);
    }
}
