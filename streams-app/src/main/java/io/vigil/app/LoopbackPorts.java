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
     * The ports to bind, each the requested one if it can be bound now or else a free port chosen by the OS; all
     * probes are held open together, so two requests for any port never get the same one (one probe closed before
     * the next opens may be handed the same port again, and Kafka then refuses two listeners on one port).
     *
     * @param requested ports, 0 for any free one
     * @throws UncheckedIOException naming the port that cannot be bound
     */
    static int[] available(final int... requested) {
        final ServerSocket[] probes = new ServerSocket[requested.length];
        try {
            final int[] ports = new int[requested.length];
            for (int i = 0; i < requested.length; i++) {
                probes[i] = probe(requested[i]);
                ports[i] = probes[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket probe : probes) {
                closeQuietly(probe);
            }
        }
    }

    private static ServerSocket probe(final int requested) {
        try {
            return new ServerSocket(requested, 1, InetAddress.getByName(HOST));
        } catch (BindException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker: port " + requested + " on "
                + HOST + " is already in use; choose another port or stop the process that holds it", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker: port " + requested + " on "
                + HOST + " cannot be bound: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(final ServerSocket probe) {
        if (probe != null) {
            try {
                probe.close();
            } catch (IOException e) {
                // A probe that cannot close leaves its port taken: Kafka's bind reports it, naming the port.
            }
        }
    }
}
