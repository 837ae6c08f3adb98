package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The endpoints on a real loopback HTTP server. */
class HttpEndpointsTest {

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(final HttpEndpoints http, final String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withATokenMetricsNeedItAndHealthChecksDoNot() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, () -> true,
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
        }
    }

    @Test
    void servesMetricsHealthAndReadiness() throws Exception {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("vigil.ingest.rejected").tag("reason", "unparseable").register(registry).increment(3);
        final AtomicBoolean ready = new AtomicBoolean(false);
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, registry, ready::get)) {
            final HttpResponse<String> metrics = get(http, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("vigil_ingest_rejected_total{reason=\"unparseable\",} 3.0");
            assertThat(get(http, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(http, "/readyz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(http, "/readyz").statusCode()).isEqualTo(200);
        }
    }
}
