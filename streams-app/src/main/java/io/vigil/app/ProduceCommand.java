package io.vigil.app;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil produce}: each line of the files given, or of standard input, written as one record to a topic. A
 * way to feed a running engine with only what this repository needs (JDK and Maven): kcat and Kafka's console
 * producer, which {@code run}'s banner also names, are often not at hand where Vigil is first tried.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Write each line of the files (or of standard input) as one record, without a key, to a topic:"
                + " datapoints for a running engine to read.")
final class ProduceCommand implements Callable<Integer> {

    /** How long the topic's metadata and each write may take: the broker is running, or the command says so. */
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The file name that stands for standard input. */
    private static final String STDIN = "-";
    private static final String KAFKA_LOGGERS = "org.apache.kafka";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Kafka (default: kafka.bootstrap.servers of --config, or VIGIL_BOOTSTRAP_SERVERS; `run`'s"
                    + " banner names its embedded broker's).")
    private String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "The topic (default: the first of topics.metrics, `metrics`).")
    private String topic;

    @Option(names = "--config", paramLabel = "FILE", description = "vigil.yaml (Kafka's address and security, topics).")
    private Path config;

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "Files of records, one a line; standard input if none, or for -.")
    private List<String> files = List.of();

    @Override
    public Integer call() throws IOException {
        // The command says itself what went wrong (no answer, no topic, a failed write); the clients' WARN at each
        // reconnect to a broker that does not answer, about one a second, buried that on the stderr of its count.
        // Set back afterwards: the command also runs in JVMs that go on (the tests'), whose clients would log less.
        final LoggerContext context = LoggerContext.getContext(false);
        final Map<String, Level> before = kafkaLogLevels(context);
        Configurator.setAllLevels(KAFKA_LOGGERS, Level.ERROR);
        try {
            return produce();
        } finally {
            Configurator.setLevel(before);
            // The logger setAllLevels had to make for org.apache.kafka, where the configuration has none, goes again:
            // kept at the level it inherited, it would no longer follow its parent's.
            if (!before.containsKey(KAFKA_LOGGERS)) {
                context.getConfiguration().removeLogger(KAFKA_LOGGERS);
                context.updateLoggers();
            }
        }
    }

    /** The level of each logger the configuration has for {@code org.apache.kafka} and below. */
    private static Map<String, Level> kafkaLogLevels(final LoggerContext context) {
        final Map<String, Level> levels = new HashMap<>();
        context.getConfiguration().getLoggers().forEach((name, config) -> {
            if (name.equals(KAFKA_LOGGERS) || name.startsWith(KAFKA_LOGGERS + ".")) {
                levels.put(name, config.getLevel());
            }
        });
        return levels;
    }

    private Integer produce() throws IOException {
        final List<ConfigLoader.Option> options = new ArrayList<>();
        if (bootstrapServers != null) {
            options.add(new ConfigLoader.Option("--bootstrap-servers", "kafka.bootstrap.servers", bootstrapServers));
        }
        final VigilConfig cfg = ConfigLoader.load(config, System.getenv(), options);
        final String bootstrap = cfg.bootstrapServers().orElseThrow(() -> new ConfigException(
                "--bootstrap-servers: no Kafka to write to; give the one `vigil run` reads (its banner names the embedded"
                        + " broker's), or kafka.bootstrap.servers in --config"));
        final String to = topic != null ? topic : cfg.metricsTopics().get(0);
        for (String file : files) {
            if (!file.equals(STDIN) && (!Files.isReadable(Path.of(file)) || Files.isDirectory(Path.of(file)))) {
                throw new ConfigException(file + ": not a readable file");
            }
        }
        requireTopic(settingsOf(cfg.kafka(), AdminClientConfig.configNames(), StreamsConfig.ADMIN_CLIENT_PREFIX), to,
                bootstrap);
        final Map<String, Object> props = settingsOf(cfg.kafka(), ProducerConfig.configNames(),
                StreamsConfig.PRODUCER_PREFIX);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request at a time: a topic written to as soon as it exists can lose an idempotent producer's first batch
        // when several are in flight (KAFKA-15591, docs/reliability.md).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, WAIT.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis() / 2);
        final AtomicReference<Exception> failed = new AtomicReference<>();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicReference<String> failedLine = new AtomicReference<>();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String file : files.isEmpty() ? List.of(STDIN) : files) {
                if (file.equals(STDIN) && System.console() != null) {
                    spec.commandLine().getErr().println("reading records from standard input, one a line; end with"
                            + " Ctrl-D");
                }
                // Each line's bytes as they are, not decoded: what Vigil reads is what a producer wrote, and a line
                // that is not UTF-8 is Vigil's to dead-letter (unparseable), not this command's to refuse.
                try (InputStream in = file.equals(STDIN) ? System.in
                        : new BufferedInputStream(Files.newInputStream(Path.of(file)))) {
                    long line = 0;
                    for (byte[] record = nextLine(in); record != null; record = nextLine(in)) {
                        line++;
                        if (failed.get() != null) {
                            break;
                        }
                        if (isBlank(record)) {
                            continue;
                        }
                        final String where = (file.equals(STDIN) ? "standard input" : file) + ":" + line;
                        producer.send(new ProducerRecord<>(to, record), (meta, e) -> {
                            if (e == null) {
                                acknowledged.incrementAndGet();
                            } else if (failed.compareAndSet(null, e)) {
                                failedLine.set(where);
                            }
                        });
                        sent++;
                    }
                }
                if (failed.get() != null) {
                    break;
                }
            }
            producer.flush();
        }
        final var err = spec.commandLine().getErr();
        if (failed.get() != null) {
            err.printf("vigil: could not write the record of %s to %s at %s: %s; %d record(s) before it were written%n",
                    failedLine.get(), to, bootstrap, failed.get().getMessage(), acknowledged.get());
            return 1;
        }
        err.printf("produced %d record(s) to %s at %s%n", sent, to, bootstrap);
        return 0;
    }

    /** The next line's bytes without its line break ({@code \n}, or {@code \r\n}), or null at the end. */
    private static byte[] nextLine(final InputStream in) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n') {
            line.write(b);
            b = in.read();
        }
        final byte[] bytes = line.toByteArray();
        return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? java.util.Arrays.copyOf(bytes, bytes.length - 1)
                : bytes;
    }

    private static boolean isBlank(final byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * The settings of {@code kafka} one client defines, its Kafka Streams prefix ({@code producer.}) taken off: a
     * configuration shared with {@code run} holds Streams' own too, which the client would warn about, one line each.
     */
    private static Map<String, Object> settingsOf(final Map<String, String> kafka, final Set<String> defined,
                                                  final String prefix) {
        final Map<String, Object> out = new HashMap<>();
        kafka.forEach((name, value) -> {
            if (defined.contains(name)) {
                out.putIfAbsent(name, value);
            }
        });
        kafka.forEach((name, value) -> {
            if (name.startsWith(prefix) && defined.contains(name.substring(prefix.length()))) {
                out.put(name.substring(prefix.length()), value);
            }
        });
        return out;
    }

    /**
     * Refuses a topic the broker does not have (`vigil run` creates its input topics at start) or a broker that does
     * not answer, saying so, rather than the producer's wait for metadata and its exception.
     */
    private static void requireTopic(final Map<String, Object> props, final String topic, final String bootstrap) {
        final Admin admin = Admin.create(props);
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new ConfigException("--topic: " + topic + " does not exist at " + bootstrap
                        + " (`vigil run` creates its input topics as it starts)");
            }
            if (e.getCause() instanceof InvalidTopicException) {
                throw new ConfigException("--topic: '" + topic + "' is not a topic name: " + e.getCause().getMessage());
            }
            // Refused access, a security setting the broker does not speak, ...: Kafka's words, about the topic.
            throw new ConfigException("--topic: " + topic + " at " + bootstrap + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new KafkaUnanswered("--bootstrap-servers: no answer from " + bootstrap + " within "
                    + WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        } finally {
            // Not waiting for the question to time out on its own (default.api.timeout.ms, 60 s): an unanswering broker
            // was said to be refused after 30 s, and the command ended after 61.
            admin.close(Duration.ZERO);
        }
    }
}
