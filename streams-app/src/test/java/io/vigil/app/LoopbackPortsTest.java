package io.vigil.app;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoopbackPortsTest {

    @Test
    void portsChosenTogetherAreDistinct() {
        for (int round = 0; round < 200; round++) {
            final int[] ports = LoopbackPorts.available(0, 0, 0, 0);
            assertThat(Arrays.stream(ports).distinct().count()).as(Arrays.toString(ports)).isEqualTo(4);
        }
    }

    @Test
    void everyProbeIsHeldUntilAllAreChosen() {
        // Probes closed one by one would hand the same requested port back twice; held together, the second fails.
        final int port = LoopbackPorts.available(0)[0];
        assertThatThrownBy(() -> LoopbackPorts.available(port, port))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("port " + port + " on 127.0.0.1 is already in use");
    }

    @Test
    void aFreeRequestedPortIsKeptAndReleased() throws Exception {
        final int port = LoopbackPorts.available(0)[0];
        assertThat(LoopbackPorts.available(port, 0)[0]).isEqualTo(port);
        // Released again, for Kafka to bind.
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName(LoopbackPorts.HOST))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aTakenPortIsNamedAndTheOthersReleased() throws Exception {
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName(LoopbackPorts.HOST))) {
            final int taken = holder.getLocalPort();
            final int free = LoopbackPorts.available(0)[0];
            assertThatThrownBy(() -> LoopbackPorts.available(free, taken))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("port " + taken + " on 127.0.0.1 is already in use");
            try (ServerSocket again = new ServerSocket(free, 1, InetAddress.getByName(LoopbackPorts.HOST))) {
                assertThat(again.getLocalPort()).isEqualTo(free);
            }
        }
    }
}
