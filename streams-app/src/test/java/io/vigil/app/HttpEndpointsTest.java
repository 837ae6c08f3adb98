package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The endpoints on a real loopback HTTP server. */
class HttpEndpointsTest {

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(final HttpEndpoints http, final String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anIpv6AddressIsBracketedInAUrl() {
        assertThat(HttpEndpoints.authority("::1", 8080)).isEqualTo("[::1]:8080");
        assertThat(HttpEndpoints.authority("[::1]", 8080)).isEqualTo("[::1]:8080");
        assertThat(HttpEndpoints.authority("fe80::1%eth0", 8080)).isEqualTo("[fe80::1%25eth0]:8080");
        assertThat(HttpEndpoints.authority("[fe80::1%25eth0]", 8080)).isEqualTo("[fe80::1%25eth0]:8080");
        assertThat(HttpEndpoints.authority("127.0.0.1", 8080)).isEqualTo("127.0.0.1:8080");
        assertThat(HttpEndpoints.authority("vigil.example.com", 8080)).isEqualTo("vigil.example.com:8080");
    }

    @Test
    void withATokenMetricsNeedItAndHealthChecksDoNot() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.ready("ready"),
                java.util.Optional.of("s3cret"))) {
            assertThat(get(http, "/metrics").statusCode()).isEqualTo(401);
            final HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + http.port() + "/metrics")).header("Authorization", "Bearer guess").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            final HttpResponse<String> right = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + http.port() + "/metrics")).header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(get(http, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(http, "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(http, "/metricsfoo").statusCode()).as("not an endpoint, token or not").isEqualTo(404);
            assertThat(get(http, "/api/alertsXYZ").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void servesMetricsHealthAndReadiness() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("vigil.ingest.rejected").tag("reason", "unparseable").register(registry).increment(3);
        final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        final StreamsReadiness readiness = new StreamsReadiness(clock, Duration.ofMinutes(2));
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, readiness)) {
            final HttpResponse<String> metrics = get(http, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("vigil_ingest_rejected_total{reason=\"unparseable\",} 3.0");
            assertThat(get(http, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(http, "/readyz").statusCode()).isEqualTo(503);
            readiness.onChange(KafkaStreams.State.REBALANCING, KafkaStreams.State.CREATED);
            readiness.onChange(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
            assertThat(get(http, "/readyz")).extracting(HttpResponse::statusCode, HttpResponse::body)
                    .containsExactly(200, "ready\n");
        }
    }

    @Test
    void theApiAnswersStartingUntilTheEngineIsUp() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry,
                () -> Readiness.notReady("starting"))) {
            for (String path : new String[] {"/api/alerts", "/api/rules"}) {
                assertThat(get(http, path)).extracting(HttpResponse::statusCode, HttpResponse::body)
                        .containsExactly(503, "{\"error\":\"starting: the engine is not up yet\"}");
            }
            assertThat(get(http, "/readyz")).extracting(HttpResponse::statusCode, HttpResponse::body)
                    .containsExactly(503, "starting\n");
            assertThat(get(http, "/").statusCode()).isEqualTo(200);
        }
    }

    /**
     * A GET with a malformed chunked body (a chunk size of ffffffff) fails in the JDK's own stream when the answer
     * closes, after it went out: the client's error, which logged a stack trace at ERROR (a hostile-input audit).
     */
    @Test
    void aMalformedRequestBodyIsNotAnErrorOfVigils() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final String logged;
        try (CapturedLogs logs = new CapturedLogs();
             HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.notReady("starting"))) {
            try (Socket socket = new Socket("127.0.0.1", http.port())) {
                socket.getOutputStream().write(("GET /api/alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        + "Connection: close\r\n\r\nffffffff\r\n").getBytes(StandardCharsets.US_ASCII));
                final String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).startsWith("HTTP/1.1 503");
            }
            assertThat(get(http, "/api/alerts").statusCode()).as("the API answers on").isEqualTo(503);
            logged = logs.text();
        }
        assertThat(logged).doesNotContain("ERROR").doesNotContain("IndexOutOfBounds");
    }

    @Test
    void readyzSaysWhyWhenARebalanceTakesTooLong() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        final StreamsReadiness readiness = new StreamsReadiness(clock, Duration.ofSeconds(30));
        readiness.onChange(KafkaStreams.State.REBALANCING, KafkaStreams.State.CREATED);
        readiness.onChange(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, readiness)) {
            readiness.onChange(KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING);
            clock.advance(Duration.ofSeconds(10));
            assertThat(get(http, "/readyz")).extracting(HttpResponse::statusCode, HttpResponse::body)
                    .containsExactly(200, "ready (rebalancing for 10s; not ready after 30s)\n");
            clock.advance(Duration.ofSeconds(25));
            assertThat(get(http, "/readyz")).extracting(HttpResponse::statusCode, HttpResponse::body)
                    .containsExactly(503, "not ready: rebalancing for 35s, longer than http.readyz_max_rebalance (30s)\n");
        }
    }

    /**
     * Clients that never finish their request held the server's workers: two of them hung /healthz, and with 8
     * workers, a few dozen delayed it until the server closed them. Beyond the workers, the server closes them after
     * {@link HttpServerLimits#MAX_REQUEST_SECONDS}.
     */
    @Test
    void halfOpenConnectionsDoNotStopTheHealthChecks() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.ready("ready"))) {
            final List<Socket> halfOpen = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    halfOpen.add(halfOpenRequest(http));
                }
                // Well within the 5 s the server gives each of them.
                assertThat(get(http, "/healthz", Duration.ofSeconds(3)).statusCode()).isEqualTo(200);
                for (int i = halfOpen.size(); i < HttpEndpoints.WORKERS + 1; i++) {
                    halfOpen.add(halfOpenRequest(http));
                }
                // Every worker is held now: the answer comes once the server has closed them.
                assertThat(get(http, "/readyz", Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
                assertThat(halfOpen.get(0).getInputStream().read()).as("closed by the server").isEqualTo(-1);
            } finally {
                for (Socket s : halfOpen) {
                    s.close();
                }
            }
        }
    }

    /** A HEAD with a length made the JDK log a JUL warning, a non-JSON line on stderr. */
    @Test
    void headAnswersWithoutABodyAndWithoutAWarning() throws Exception {
        final java.util.logging.Logger jdk = java.util.logging.Logger.getLogger("com.sun.net.httpserver");
        final List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(final java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jdk.addHandler(capture);
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.ready("ready"))) {
            for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/"}) {
                final HttpResponse<String> head = send(http, "HEAD", path);
                assertThat(head.statusCode()).as(path).isEqualTo(200);
                assertThat(head.body()).as(path).isEmpty();
            }
            // The warnings are logged before the response is sent, so they are all in by now.
            assertThat(warnings).extracting(java.util.logging.LogRecord::getMessage).isEmpty();
        } finally {
            jdk.removeHandler(capture);
        }
    }

    /** The JDK matches by prefix and every method was answered as GET. */
    @Test
    void otherMethodsGet405AndPathsThatOnlyShareAPrefix404() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.ready("ready"))) {
            for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/", "/api/alerts", "/api/rules"}) {
                for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
                    final HttpResponse<String> r = send(http, method, path);
                    assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
                    assertThat(r.headers().firstValue("Allow")).as(method + " " + path).hasValue("GET, HEAD");
                }
            }
            for (String path : new String[] {"/healthzzz", "/healthz/", "/readyzz", "/metricsfoo", "/api/alertsXYZ",
                    "/api/rules/x", "/nope"}) {
                assertThat(get(http, path).statusCode()).as(path).isEqualTo(404);
            }
            assertThat(get(http, "/healthz?probe=1").statusCode()).isEqualTo(200);
        }
    }

    /**
     * An alert's generatorURL, /rules/GROUP/ALERT, is the alerts page showing that rule: Alertmanager's "Source" link
     * and pagers' got 404. The redirect is relative, so it holds behind a reverse proxy's path prefix.
     */
    @Test
    void anAlertsGeneratorUrlOpensThePageOnItsRule() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.ready("ready"),
                java.util.Optional.of("secret"))) {
            final HttpResponse<String> link = get(http, "/rules/backend-nodes/NodeCpuFarBelowPeers");
            assertThat(link.statusCode()).isEqualTo(302);
            assertThat(link.headers().firstValue("Location")).hasValue("../../#rule=backend-nodes%2FNodeCpuFarBelowPeers");
            assertThat(URI.create("http://vigil:8080/rules/backend-nodes/NodeCpuFarBelowPeers")
                    .resolve(link.headers().firstValue("Location").orElseThrow()))
                    .hasToString("http://vigil:8080/#rule=backend-nodes%2FNodeCpuFarBelowPeers");
            assertThat(get(http, "/rules/db%20team/Conn%20Surge").headers().firstValue("Location"))
                    .hasValue("../../#rule=db%20team%2FConn%20Surge");
            assertThat(get(http, "/rules/").statusCode()).isEqualTo(404);
            assertThat(send(http, "POST", "/rules/g/A").statusCode()).isEqualTo(405);
        }
    }

    /**
     * Every answer says its type is not to be sniffed; the API's are live state, behind a token perhaps, never kept by a
     * browser or a proxy; the page may not be framed (clickjacking: it reads the token from its address).
     */
    @Test
    void answersCarryTheirSecurityHeaders() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        for (java.util.Optional<String> token : List.of(java.util.Optional.<String>empty(), java.util.Optional.of("t"))) {
            try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> Readiness.ready("ready"),
                    token)) {
                final List<HttpResponse<String>> all = new ArrayList<>();
                for (String path : new String[] {"/", "/healthz", "/readyz", "/metrics", "/api/alerts", "/api/rules",
                        "/api/series", "/api/alertsXYZ", "/nope", "/rules/g/A", "/rules/"}) {
                    final HttpResponse<String> r = get(http, path);
                    all.add(r);
                    assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path + " " + token)
                            .hasValue("nosniff");
                    assertThat(r.headers().firstValue("Cache-Control")).as(path + " " + token)
                            .isEqualTo(path.startsWith("/api/") ? java.util.Optional.of("no-store")
                                    : java.util.Optional.empty());
                    assertThat(r.headers().firstValue("X-Frame-Options")).as(path + " " + token)
                            .isEqualTo(path.equals("/") ? java.util.Optional.of("DENY") : java.util.Optional.empty());
                    assertThat(r.headers().firstValue("Content-Security-Policy")).as(path + " " + token)
                            .isEqualTo(path.equals("/") ? java.util.Optional.of("frame-ancestors 'none'")
                                    : java.util.Optional.empty());
                }
                assertThat(all.get(4).statusCode()).as("/api/alerts").isEqualTo(token.isPresent() ? 401 : 503);
                assertThat(send(http, "POST", "/api/alerts").headers().firstValue("Cache-Control")).hasValue("no-store");
                assertThat(send(http, "HEAD", "/").headers().firstValue("X-Frame-Options")).hasValue("DENY");
            }
        }
    }

    private HttpResponse<String> send(final HttpEndpoints http, final String method, final String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A connection that sends the start of a request, not its end. */
    private static Socket halfOpenRequest(final HttpEndpoints http) throws Exception {
        final Socket s = new Socket("127.0.0.1", http.port());
        s.setSoTimeout(30_000);
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private HttpResponse<String> get(final HttpEndpoints http, final String path, final Duration timeout) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).timeout(timeout)
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
