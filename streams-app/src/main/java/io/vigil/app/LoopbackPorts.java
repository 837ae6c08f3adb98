package io.vigil.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Chooses and checks the embedded broker's ports on the loopback interface before Kafka binds them.
 *
 * <p>Kafka's {@code KafkaRaftServer} does not expose the ports it bound, and the controller's port must
 * be written into {@code controller.quorum.voters} before it starts, so port 0 cannot simply be passed
 * through: the OS picks a free port here, the probe socket is closed, and Kafka binds that port
 * moments later. Checking a requested port the same way turns "address in use" into a message that
 * names the port, before any Kafka thread exists.
 */
final class LoopbackPorts {

    static final String HOST = "127.0.0.1";

    private LoopbackPorts() {
    }

    /**
     * @param requested a port, or 0 for any free one
     * @return the requested port if it can be bound now, or a free port chosen by the OS
     * @throws UncheckedIOException naming the port when it cannot be bound
     */
    static int available(final int requested) {
        try (ServerSocket probe = new ServerSocket(requested, 1, InetAddress.getByName(HOST))) {
            return probe.getLocalPort();
        } catch (BindException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker: port " + requested + " on "
                + HOST + " is already in use; choose another port or stop the process that holds it", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker: port " + requested + " on "
                + HOST + " cannot be bound: " + e.getMessage(), e);
        }
    }
}
