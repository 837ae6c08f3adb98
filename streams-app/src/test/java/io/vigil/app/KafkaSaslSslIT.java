package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil on a broker that takes clients only over TLS with SASL/SCRAM-SHA-512, configured with {@code kafka.*} settings
 * alone: it creates its topics, reads datapoints and writes the alerts replay prints, and neither secret (the SASL
 * password, the truststore password) appears in anything it prints, Kafka's INFO logs included.
 *
 * <p>The certificates are made here with the JDK's {@code keytool}: a CA, a broker certificate it signs for
 * 127.0.0.1, and a truststore holding the CA. The SCRAM credentials are created through the Admin API on the broker's
 * PLAINTEXT listener, which Vigil is never told about.
 */
class KafkaSaslSslIT {

    private static final String USER = "vigil-engine";
    private static final String PASSWORD = "Scram-pw-4b1d7e29";
    private static final String TRUSTSTORE_PASSWORD = "Trust-pw-93c0aa51";
    private static final String KEYSTORE_PASSWORD = "Key-pw-5e02f6d3";
    private static final String RULES = """
            groups:
              - name: nodes
                every: 10s
                rules:
                  - alert: NodeCpuHot
                    series: cpu_usage_percent
                    aggregate: max
                    window: 10s
                    threshold: {above: 90}
                    labels: {severity: page}
            """;
    private static final int NODES = 4;

    @TempDir
    Path dir;

    @Test
    void vigilRunsOverSaslSslWithKafkaSettingsOnlyAndLogsNoSecret() throws Exception {
        final Path tls = Files.createDirectories(dir.resolve("tls"));
        final Path truststore = makeCertificates(tls);
        final Map<String, String> listener = new HashMap<>();
        listener.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        listener.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        listener.put("listener.name.sasl_ssl.ssl.keystore.location", tls.resolve("broker.p12").toString());
        listener.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
        listener.put("listener.name.sasl_ssl.ssl.keystore.password", KEYSTORE_PASSWORD);
        listener.put("listener.name.sasl_ssl.ssl.key.password", KEYSTORE_PASSWORD);

        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0,
                List.of(new EmbeddedKafka.Listener("SASL_SSL", "SASL_SSL", listener, 0)))) {
            final String secure = broker.bootstrapServers("SASL_SSL");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORD))).all().get(30, TimeUnit.SECONDS);
            }
            final Map<String, Object> client = clientSettings(secure, truststore, PASSWORD);
            // The credential is in force once the broker has applied the metadata record.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                try (Admin admin = Admin.create(client)) {
                    admin.listTopics().names().get(10, TimeUnit.SECONDS);
                }
            });
            // The listener does check: a wrong password is refused.
            final Map<String, Object> wrong = clientSettings(secure, truststore, "not-" + PASSWORD);
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
            }

            final Path rules = Files.writeString(dir.resolve("rules.yaml"), RULES);
            // Everything about Kafka in kafka.*: the truststore password in the file, the JAAS line from the environment.
            final Path config = Files.writeString(dir.resolve("vigil.yaml"), String.join("\n",
                    "kafka:",
                    "  bootstrap.servers: " + secure,
                    "  security.protocol: SASL_SSL",
                    "  sasl.mechanism: SCRAM-SHA-512",
                    "  ssl.truststore.location: " + truststore,
                    "  ssl.truststore.type: PKCS12",
                    "  ssl.truststore.password: " + TRUSTSTORE_PASSWORD,
                    "  application.id: vigil-secure",
                    "evaluation:",
                    "  idle_timeout: 2s",
                    ""));
            // Kafka's clients log their whole configuration at INFO: let them, so that a leak would show.
            final Path logConfig = Files.writeString(dir.resolve("log4j2-info.xml"), """
                    <Configuration status="WARN">
                      <Appenders><Console name="out" target="SYSTEM_ERR"><PatternLayout pattern="%d %p %c - %m%n"/></Console></Appenders>
                      <Loggers><Root level="INFO"><AppenderRef ref="out"/></Root></Loggers>
                    </Configuration>
                    """);
            final List<String> lines = datapoints();
            final List<AlertEvent> expected = new ArrayList<>();
            final Path input = Files.write(dir.resolve("input.jsonl"), lines);
            final LoadResult loaded = RuleLoader.load(List.of(rules));
            assertThat(loaded.problems()).isEmpty();
            Replay.run(loaded.ruleSet(), ConfigLoader.load(null, Map.of()), List.of(input),
                    json -> expected.add(AlertEventJson.read(json)));
            assertThat(expected).hasSize(2); // node-2 fires, then resolves

            final String log;
            try (VigilProcess vigil = VigilProcess.start("sasl-ssl-" + System.nanoTime(), dir.resolve("logs"),
                    List.of("--config", config.toString(), "--rules", rules.toString(),
                            "--data-dir", dir.resolve("data").toString()),
                    Map.of("VIGIL_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule"
                            + " required username=\"" + USER + "\" password=\"" + PASSWORD + "\";"),
                    List.of("-Dlog4j2.configurationFile=" + logConfig.toUri()))) {
                vigil.awaitStarted();
                // Vigil created its topics over SASL_SSL; the test writes and reads through the PLAINTEXT listener.
                produce(broker.bootstrapServers(), lines);
                final List<AlertEvent> actual = new ArrayList<>();
                try (KafkaConsumer<byte[], byte[]> alerts = alertsConsumer(broker.bootstrapServers())) {
                    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                        alerts.poll(Duration.ofMillis(200)).forEach(r -> actual.add(AlertEventJson.read(r.value())));
                        assertThat(FaultInjectionIT.byFingerprint(actual)).isEqualTo(FaultInjectionIT.byFingerprint(expected));
                    });
                }
                vigil.stop();
                log = vigil.log();
            }
            assertThat(log).contains("Vigil is running", "security.protocol = SASL_SSL", "sasl.jaas.config = [hidden]");
            assertThat(log).doesNotContain(PASSWORD).doesNotContain(TRUSTSTORE_PASSWORD).doesNotContain(KEYSTORE_PASSWORD);
        }
    }

    /** 4 nodes x 30 steps, one partition each (so each is in order); node-2 above 90 % for steps 10-19. */
    private static List<String> datapoints() {
        final List<String> lines = new ArrayList<>();
        for (int step = 0; step < 30; step++) {
            for (int n = 0; n < NODES; n++) {
                final double cpu = n == 2 && step >= 10 && step < 20 ? 97 : 40 + n;
                lines.add(TopologyFixture.point("cpu_usage_percent", Map.of("instance", "node-" + n), cpu,
                        FaultSuiteData.time(step)));
            }
        }
        return lines;
    }

    private static void produce(final String bootstrap, final List<String> lines) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < lines.size(); i++) {
                producer.send(new ProducerRecord<>("metrics", i % NODES, null, lines.get(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> alertsConsumer(final String bootstrap) {
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> partitions = consumer.partitionsFor("alerts", Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static Map<String, Object> clientSettings(final String bootstrap, final Path truststore, final String password) {
        return Map.of("bootstrap.servers", bootstrap,
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + USER + "\" password=\"" + password + "\";",
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.password", TRUSTSTORE_PASSWORD);
    }

    /**
     * A CA, a broker key pair whose certificate the CA signs for IP 127.0.0.1 (clients verify the host name), and a
     * truststore with the CA's certificate, all PKCS12, made by the JDK's keytool as an operator would.
     *
     * @return the truststore
     */
    private static Path makeCertificates(final Path tls) throws Exception {
        final String ca = tls.resolve("ca.p12").toString();
        final String broker = tls.resolve("broker.p12").toString();
        final String truststore = tls.resolve("truststore.p12").toString();
        final String caPem = tls.resolve("ca.pem").toString();
        final String csr = tls.resolve("broker.csr").toString();
        final String brokerPem = tls.resolve("broker.pem").toString();
        keytool(tls, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Vigil test CA",
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca, "-storepass", KEYSTORE_PASSWORD);
        keytool(tls, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", KEYSTORE_PASSWORD, "-file", caPem);
        keytool(tls, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", broker, "-storepass", KEYSTORE_PASSWORD);
        keytool(tls, "-certreq", "-alias", "broker", "-keystore", broker, "-storepass", KEYSTORE_PASSWORD, "-file", csr);
        keytool(tls, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", KEYSTORE_PASSWORD, "-infile", csr,
                "-outfile", brokerPem, "-ext", "SAN=ip:127.0.0.1", "-validity", "2");
        keytool(tls, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", broker,
                "-storepass", KEYSTORE_PASSWORD);
        keytool(tls, "-importcert", "-alias", "broker", "-file", brokerPem, "-keystore", broker,
                "-storepass", KEYSTORE_PASSWORD);
        keytool(tls, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-storetype", "PKCS12",
                "-keystore", truststore, "-storepass", TRUSTSTORE_PASSWORD);
        return Path.of(truststore);
    }

    private static void keytool(final Path workDir, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Path output = workDir.resolve("keytool.log");
        final Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed:\n" + Files.readString(output));
        }
    }
}
