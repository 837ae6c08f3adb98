package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil run} started in-process as a user starts it, on the embedded broker, where it must not start: one line
 * naming what to fix, exit 2, and nothing left running or half-written behind it.
 */
@Timeout(120)
class RunCommandTest {

    private static final String RULES = Path.of("..", "rules").toAbsolutePath().normalize().toString();

    @TempDir
    Path dir;

    @Test
    void aStartThatFailsAfterTheBrokerIsUpClosesTheBroker() throws Exception {
        // Valid to the configuration's checks, refused by the Kafka clients the engine makes once the broker is up.
        final Path config = Files.writeString(dir.resolve("vigil.yaml"),
                "kafka:\n  security.protocol: SASL_PLAINTEXT\n  sasl.mechanism: PLAIN\n");
        final Path data = dir.resolve("data");

        final CommandRun run = CommandRun.vigil("run", "--config", config.toString(), "--rules", RULES,
                "--http-port", "0", "--data-dir", data.toString());

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).startsWith("vigil: ").contains("JAAS configuration").hasLineCount(1);
        // Kafka writes this marker when it stops cleanly; without it the next start recovers every log (seconds more,
        // and logs of topics it had not yet recorded are marked stray).
        assertThat(data.resolve("kafka/.kafka_cleanshutdown")).as("the broker stopped cleanly").exists();
        // And it let go of its directory: a broker left open in this JVM would hold the lock.
        EmbeddedKafka.start(data.resolve("kafka"), 0).close();
    }

    @Test
    void aFlagsValueThatCannotBeUsedIsNamedAsTheFlag() throws Exception {
        final CommandRun port = CommandRun.vigil("run", "--rules", RULES, "--http-port", "70000");
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).isEqualTo("vigil: --http-port (http.port): 70000 is not a port number (0-65535)"
                + System.lineSeparator());

        final CommandRun format = CommandRun.vigil("run", "--rules", RULES, "--log-format", "xml");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).isEqualTo("vigil: --log-format (log.format): 'xml' is not a log format (text or json)"
                + System.lineSeparator());

        // Both at once, beside a problem of the file: every one reported, the file's first, then the flags in order.
        final Path withProblem = Files.writeString(dir.resolve("forget.yaml"), "evaluation: {forget: banana}\n");
        final CommandRun all = CommandRun.vigil("run", "--rules", RULES, "--config", withProblem.toString(),
                "--http-port", "70000", "--log-format", "xml");
        assertThat(all.exit()).isEqualTo(2);
        assertThat(all.err().lines()).containsExactly(
                "vigil: " + withProblem + ":1:14: evaluation.forget: 'banana' is not a duration (e.g. 15s, 1m30s, 2h)",
                "vigil: --http-port (http.port): 70000 is not a port number (0-65535)",
                "vigil: --log-format (log.format): 'xml' is not a log format (text or json)");

        // The same values in the configuration are named by their keys.
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), "http: {port: 70000}\n");
        final CommandRun key = CommandRun.vigil("run", "--rules", RULES, "--config", config.toString());
        assertThat(key.exit()).isEqualTo(2);
        assertThat(key.err()).startsWith("vigil: " + config + ":1:8: http.port: 70000 ");
    }

    /** The embedded broker's port is the user's to choose, where there is an embedded broker. */
    @Test
    void aBrokerPortIsAPortAndOnlyForTheEmbeddedBroker() {
        final CommandRun notAPort = CommandRun.vigil("run", "--rules", RULES, "--http-port", "0", "--data-dir",
                dir.resolve("data").toString(), "--broker-port", "70000");
        assertThat(notAPort.exit()).isEqualTo(2);
        assertThat(notAPort.err()).isEqualTo("vigil: --broker-port: 70000 is not a port number (1-65535)"
                + System.lineSeparator());

        final CommandRun noBroker = CommandRun.vigil("run", "--rules", RULES, "--http-port", "0", "--data-dir",
                dir.resolve("data").toString(), "--bootstrap-servers", "kafka-1:9092", "--broker-port", "39092");
        assertThat(noBroker.exit()).isEqualTo(2);
        assertThat(noBroker.err()).isEqualTo("vigil: --broker-port: there is no embedded broker to put on it, as a"
                + " Kafka cluster is given (bootstrap servers kafka-1:9092)" + System.lineSeparator());
    }

    @Test
    void aDataDirWithACommaIsRefusedBeforeKafkaSplitsIt() {
        final String data = dir.resolve("d1").toString() + "," + dir.resolve("d2");
        final CommandRun run = CommandRun.vigil("run", "--rules", RULES, "--http-port", "0", "--data-dir", data);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil: --data-dir: '" + data + "' has a ',', which the embedded Kafka broker"
                + " would read as a list of directories; choose a directory without one" + System.lineSeparator());
        assertThat(dir.resolve("d1")).doesNotExist();
        assertThatThrownBy(() -> EmbeddedKafka.start(Path.of(data), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a ','");
        assertThat(dir.resolve("d1")).doesNotExist();
    }

    @Test
    void anHttpBindAddressThatIsNotThisMachinesIsNamedAsSuch() throws Exception {
        // 192.0.2.1 is kept for documentation (RFC 5737), never a machine's; .invalid never resolves (RFC 2606).
        // One the configuration cannot tell (it resolves) is refused where it is bound; one that does not resolve
        // is refused as the configuration is read.
        for (String bind : new String[] {"192.0.2.1", "no-such-host.invalid"}) {
            final Path config = Files.writeString(dir.resolve("vigil.yaml"), "http: {bind: " + bind + "}\n");
            final CommandRun run = CommandRun.vigil("run", "--config", config.toString(), "--rules", RULES,
                    "--http-port", "0", "--data-dir", dir.resolve("data").toString());
            assertThat(run.exit()).as(bind).isEqualTo(2);
            assertThat(run.err()).as(bind).startsWith(bind.endsWith(".invalid")
                    ? "vigil: " + config + ":1:8: http.bind: 'no-such-host.invalid' is neither an IP address nor"
                    : "vigil: http.bind: cannot bind " + bind + ": ").hasLineCount(1);
            assertThat(run.out()).isEmpty();
        }
        assertThat(dir.resolve("data")).as("nothing started").doesNotExist();
        assertThat(RunCommand.isAddressOfThisMachine("127.0.0.1")).isTrue();
        assertThat(RunCommand.isAddressOfThisMachine("0.0.0.0")).isTrue();
        assertThat(RunCommand.isAddressOfThisMachine("192.0.2.1")).isFalse();
    }

    @Test
    void aDataDirInUseByAnotherBrokerIsSaidInOneLine() throws Exception {
        final Path kafka = dir.resolve("data/kafka");
        try (EmbeddedKafka other = EmbeddedKafka.start(kafka, 0); CapturedLogs logs = new CapturedLogs()) {
            final CommandRun run = CommandRun.vigil("run", "--rules", RULES, "--http-port", "0",
                    "--data-dir", dir.resolve("data").toString());
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).isEqualTo("vigil: --data-dir: " + kafka + " is in use by another Kafka broker"
                    + " (another vigil run?); stop it or choose another directory" + System.lineSeparator());
            assertThat(logs.text()).doesNotContain("Failed to acquire lock").doesNotContain("ERROR");
        }
    }

    @Test
    void aDataDirThatCannotBeCreatedSaysWhy() throws Exception {
        final Path file = Files.writeString(dir.resolve("data"), "");
        final CommandRun inTheWay = CommandRun.vigil("run", "--rules", RULES, "--http-port", "0",
                "--data-dir", file.toString());
        assertThat(inTheWay.exit()).isEqualTo(2);
        assertThat(inTheWay.err()).isEqualTo("vigil: --data-dir: cannot create " + file.resolve("kafka") + ": " + file
                + " is a file, not a directory" + System.lineSeparator());
    }

    @Test
    void anUnwritableDataDirIsPermissionDenied() throws Exception {
        final Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(readOnly), "permissions do not hold for this user (root)");
            final CommandRun denied = CommandRun.vigil("run", "--rules", RULES, "--http-port", "0",
                    "--data-dir", readOnly.toString());
            assertThat(denied.exit()).isEqualTo(2);
            assertThat(denied.err()).isEqualTo("vigil: --data-dir: cannot create " + readOnly.resolve("kafka")
                    + ": permission denied" + System.lineSeparator());
        } finally {
            Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void onPortZeroLinksAndTheStreamsAddressNameThePortBound() {
        final VigilConfig fromZero = RunCommand.onBoundPort(ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "0")), 43_210);
        assertThat(fromZero.httpPort()).isEqualTo(43_210);
        assertThat(fromZero.externalUrl()).isEqualTo("http://localhost:43210");
        assertThat(VigilEngine.streamsProperties(fromZero, dir)).containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG,
                "localhost:43210");

        // An external URL given is kept: without a port, other instances reach this one on the port bound.
        final VigilConfig external = RunCommand.onBoundPort(ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "0",
                "VIGIL_HTTP_EXTERNAL_URL", "https://vigil.example.com/ops")), 43_210);
        assertThat(external.externalUrl()).isEqualTo("https://vigil.example.com/ops");
        assertThat(VigilEngine.streamsProperties(external, dir)).containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG,
                "vigil.example.com:43210");
        final VigilConfig withPort = RunCommand.onBoundPort(ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "0",
                "VIGIL_HTTP_EXTERNAL_URL", "http://vigil-1:9000")), 43_210);
        assertThat(withPort.externalUrl()).isEqualTo("http://vigil-1:9000");
        assertThat(VigilEngine.streamsProperties(withPort, dir)).containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG,
                "vigil-1:9000");

        final VigilConfig fixed = ConfigLoader.load(null, Map.of("VIGIL_HTTP_PORT", "8081"));
        assertThat(RunCommand.onBoundPort(fixed, 8081)).isSameAs(fixed);
    }
}
