package io.vigil.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** Vigil's HTTP surface: {@code /metrics}, {@code /healthz}, {@code /readyz}. Plain JDK server, no framework. */
public final class HttpEndpoints implements AutoCloseable {

    private final HttpServer server;

    private HttpEndpoints(final HttpServer server) {
        this.server = server;
    }

    /**
     * @param ready whether the engine is ready to serve (Streams running, rules loaded)
     */
    public static HttpEndpoints start(final String bind, final int port, final PrometheusMeterRegistry registry,
                                      final BooleanSupplier ready) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", ex -> {
            final boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            final Thread t = new Thread(r, "vigil-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new HttpEndpoints(server);
    }

    /** Adds {@code /api/alerts}, {@code /api/rules} and the live alerts page at {@code /}. */
    void serveApi(final AlertsApi api) {
        server.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                respond(ex, 404, "text/plain", "not found\n");
                return;
            }
            try (java.io.InputStream page = HttpEndpoints.class.getResourceAsStream("/web/index.html")) {
                respond(ex, 200, "text/html; charset=utf-8", new String(page.readAllBytes(), StandardCharsets.UTF_8));
            }
        });
        server.createContext("/api/alerts", ex -> answer(ex, local -> api.alerts(local)));
        server.createContext("/api/rules", ex -> answer(ex, local -> api.rules(local)));
    }

    private interface JsonQuery {
        String run(boolean localOnly) throws IOException;
    }

    private static void answer(final HttpExchange ex, final JsonQuery query) throws IOException {
        final String q = ex.getRequestURI().getRawQuery();
        final boolean local = q != null && java.util.Arrays.asList(q.split("&")).contains("scope=local");
        try {
            respond(ex, 200, "application/json", query.run(local));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            respond(ex, 503, "application/json", "{\"error\":\"state is not queryable yet (starting or rebalancing)\"}");
        } catch (IOException e) {
            respond(ex, 502, "application/json", "{\"error\":\"another instance did not answer\"}");
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(final HttpExchange ex, final int status, final String type, final String body)
            throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
