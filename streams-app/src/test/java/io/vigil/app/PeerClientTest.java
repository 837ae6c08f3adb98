package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** What an instance says of another that does not answer its API, on real loopback sockets. */
class PeerClientTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @Test
    void namesAnInstanceThatRefusesTheConnection() throws IOException {
        final int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        final HostInfo host = new HostInfo("127.0.0.1", port);
        assertThatThrownBy(() -> new PeerClient(TIMEOUT, Optional.empty()).ask(host, "/api/alerts").await())
                .isInstanceOf(IOException.class).isNotInstanceOf(PeerClient.NoAnswer.class)
                .hasMessage("instance 127.0.0.1:" + port + " refused the connection");
    }

    /** A process stopped with SIGSTOP: the kernel takes the connection, and no answer ever comes. */
    @Test
    void namesAnInstanceThatNeverAnswers() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final HostInfo host = new HostInfo("127.0.0.1", silent.getLocalPort());
            assertThatThrownBy(() -> new PeerClient(TIMEOUT, Optional.empty()).ask(host, "/api/alerts").await())
                    .isInstanceOf(PeerClient.NoAnswer.class)
                    .hasMessage("instance 127.0.0.1:" + host.port() + " did not answer within 300 ms");
        }
    }

    @Test
    void sendsTheTokenAndNamesAnInstanceAnsweringAnError() throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            final boolean authorized = "Bearer s3cret".equals(ex.getRequestHeaders().getFirst("Authorization"));
            final boolean starting = ex.getRequestURI().getPath().equals("/api/rules");
            final boolean proxied = ex.getRequestURI().getPath().equals("/api/series");
            final byte[] body = (proxied ? "<html>Bad gateway</html>"
                    : starting ? "{\"error\":\"state is not queryable yet\\n(starting or rebalancing)\"}" : "[]")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(!authorized ? 401 : starting || proxied ? 503 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            final HostInfo host = new HostInfo("127.0.0.1", server.getAddress().getPort());
            final PeerClient client = new PeerClient(TIMEOUT, Optional.of("s3cret"));
            assertThat(client.ask(host, "/api/alerts?scope=local").await()).isEqualTo("[]");
            // Its reason passed on, on one line; a body that gives none (a proxy's page) leaves the status alone.
            assertThatThrownBy(() -> client.ask(host, "/api/rules").await())
                    .isNotInstanceOf(PeerClient.NoAnswer.class).hasMessage("instance 127.0.0.1:" + host.port()
                    + " answered 503: state is not queryable yet (starting or rebalancing)");
            assertThatThrownBy(() -> client.ask(host, "/api/series").await())
                    .hasMessage("instance 127.0.0.1:" + host.port() + " answered 503");
        } finally {
            server.stop(0);
        }
    }
}
