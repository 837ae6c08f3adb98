package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real brokers: the port is what Kafka bound, read back from a restart. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedBrokerPortTest {

    @TempDir
    Path dir;

    @Test
    void aRestartTakesThePortChosenWhenThePreferredOneWasTaken() throws IOException {
        try (ServerSocket preferred = taken(0)) {
            final int chosen;
            try (EmbeddedKafka first = EmbeddedBrokerPort.start(dir, preferred.getLocalPort())) {
                chosen = first.port();
                assertThat(chosen).isNotEqualTo(preferred.getLocalPort());
            }
            try (EmbeddedKafka again = EmbeddedBrokerPort.start(dir, preferred.getLocalPort())) {
                assertThat(again.port()).isEqualTo(chosen);
            }
        }
    }

    @Test
    void theRememberedPortComesBeforeThePreferredOne() throws IOException {
        final int remembered;
        try (ServerSocket preferred = taken(0); EmbeddedKafka first = EmbeddedBrokerPort.start(dir,
                preferred.getLocalPort())) {
            remembered = first.port();
        }
        // The preferred port is free now (as 9092 once the other broker on it stops): producers still use the other.
        final int preferred = LoopbackPorts.available(0)[0];
        try (EmbeddedKafka again = EmbeddedBrokerPort.start(dir, preferred)) {
            assertThat(again.port()).isEqualTo(remembered);
        }
    }

    @Test
    void aRememberedPortTakenSinceGivesWayAndIsReplaced() throws IOException {
        final int remembered;
        try (EmbeddedKafka first = EmbeddedBrokerPort.start(dir, LoopbackPorts.available(0)[0])) {
            remembered = first.port();
        }
        try (ServerSocket rememberedTaken = taken(remembered); ServerSocket preferred = taken(0);
             EmbeddedKafka again = EmbeddedBrokerPort.start(dir, preferred.getLocalPort())) {
            assertThat(again.port()).isNotIn(remembered, preferred.getLocalPort());
            assertThat(EmbeddedBrokerPort.remembered(dir)).hasValue(again.port());
        }
    }

    /** Storage of a Vigil that did not keep the port: where the preferred port is taken, the move is said. */
    @Test
    void aBrokerOfAnEarlierVigilMovingIsSaid() throws IOException {
        try (EmbeddedKafka earlier = EmbeddedKafka.start(dir, 0)) {
            assertThat(earlier.port()).isPositive();
        }
        assertThat(EmbeddedBrokerPort.remembered(dir)).isEmpty();
        final String logged;
        try (ServerSocket preferred = taken(0); CapturedLogs logs = new CapturedLogs();
             EmbeddedKafka now = EmbeddedBrokerPort.start(dir, preferred.getLocalPort())) {
            logged = logs.text();
            assertThat(logged).contains("The embedded Kafka broker listens on " + now.bootstrapServers()
                    + " now; the port it had before");
        }
        // Kept since: the next start says nothing of it.
        try (ServerSocket preferred = taken(0); CapturedLogs logs = new CapturedLogs();
             EmbeddedKafka again = EmbeddedBrokerPort.start(dir, preferred.getLocalPort())) {
            assertThat(logs.text()).doesNotContain("the port it had before");
        }
    }

    @Test
    void aFileWithoutAPortIsReadAsNone() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(EmbeddedBrokerPort.FILE), "90\u00b792\n");
        assertThat(EmbeddedBrokerPort.remembered(dir)).isEmpty();
        Files.writeString(dir.resolve(EmbeddedBrokerPort.FILE), "70000\n");
        assertThat(EmbeddedBrokerPort.remembered(dir)).isEmpty();
        final int preferred = LoopbackPorts.available(0)[0];
        try (EmbeddedKafka broker = EmbeddedBrokerPort.start(dir, preferred)) {
            assertThat(broker.port()).isEqualTo(preferred);
            assertThat(EmbeddedBrokerPort.remembered(dir)).hasValue(preferred);
        }
    }

    /** A port the user names is the broker's or an error, never a free one instead; and later starts keep it. */
    @Test
    void aPortTheUserNamesIsTakenOrRefusedAndKept() throws IOException {
        final int named = LoopbackPorts.available(0)[0];
        try (EmbeddedKafka broker = EmbeddedBrokerPort.startOn(dir, named)) {
            assertThat(broker.port()).isEqualTo(named);
        }
        try (EmbeddedKafka again = EmbeddedBrokerPort.start(dir, LoopbackPorts.available(0)[0])) {
            assertThat(again.port()).isEqualTo(named);
        }
        try (ServerSocket inUse = taken(named)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedBrokerPort.startOn(dir, named))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("--broker-port: the embedded Kafka broker cannot listen on 127.0.0.1:"
                            + named + " (");
        }
    }

    private static ServerSocket taken(final int port) throws IOException {
        return new ServerSocket(port, 50, InetAddress.getByName(LoopbackPorts.HOST));
    }
}
