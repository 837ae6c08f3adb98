package io.vigil.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Vigil's HTTP surface: {@code /metrics}, {@code /healthz}, {@code /readyz}, the alerts page and {@code /api/*}. Plain JDK
 * server, no framework.
 */
public final class HttpEndpoints implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpEndpoints.class);
    /**
     * Threads answering requests, made as needed and ended after {@link #WORKER_IDLE_SECONDS} unused. The JDK server
     * reads a request's headers on one of them, so each slow or half-open client holds one until
     * {@link HttpServerLimits} closes it (5 s): with 2, two such clients stopped the health checks, and with 8, 300
     * clients trickling their headers delayed {@code /healthz} up to 5 s, past a Kubernetes probe's 1 s. A thread per
     * connection being read, as Go's servers have, up to this many; past them requests wait their turn.
     */
    static final int WORKERS = 512;
    static final int WORKER_IDLE_SECONDS = 30;
    /**
     * Threads answering {@code /api/*}, apart from {@link #WORKERS}: an answer may wait seconds for another instance
     * (5 s for one that stopped answering), and a few open pages held every worker, so that {@code /healthz} and
     * {@code /readyz} took 4 to 5 s on the healthy instances, past a probe's timeout: a slow instance got the others
     * restarted.
     */
    static final int API_WORKERS = 8;
    /** API requests waiting for a thread; beyond them a request is answered 503 at once. */
    static final int API_QUEUE = 64;

    private final HttpServer server;
    private final Optional<String> token;
    /** What {@code /api/*} asks; null until the engine is up ({@link #serveApi}), and they answer 503 meanwhile. */
    private volatile AlertsApi api;
    /** Set from {@link #api} at each scrape of {@code /metrics}. */
    private final RuleSeriesGauge ruleSeries;

    private final ExecutorService apiWorkers = new ThreadPoolExecutor(API_WORKERS, API_WORKERS, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(API_QUEUE), r -> {
                final Thread t = new Thread(r, "vigil-api");
                t.setDaemon(true);
                return t;
            });

    private HttpEndpoints(final HttpServer server, final Optional<String> token, final PrometheusMeterRegistry registry) {
        this.server = server;
        this.token = token;
        this.ruleSeries = new RuleSeriesGauge(registry);
    }

    /**
     * @param readiness what {@code /readyz} answers (see {@link StreamsReadiness}); asked at each request
     */
    public static HttpEndpoints start(final String bind, final int port, final PrometheusMeterRegistry registry,
                                      final Supplier<Readiness> readiness) throws IOException {
        return start(bind, port, registry, readiness, Optional.empty());
    }

    /**
     * @param readiness what {@code /readyz} answers (see {@link StreamsReadiness}); asked at each request
     * @param token when present, {@code /metrics} and {@code /api/*} answer only requests carrying
     *              {@code Authorization: Bearer TOKEN}; health checks and the page itself stay open (the page holds no
     *              data, and passes the token from its URL's {@code #token=...} to the API, taking it out of the URL)
     */
    public static HttpEndpoints start(final String bind, final int port, final PrometheusMeterRegistry registry,
                                      final Supplier<Readiness> readiness, final Optional<String> token)
            throws IOException {
        HttpServerLimits.apply();
        final HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        final HttpEndpoints endpoints = new HttpEndpoints(server, token, registry);
        endpoints.guard(server.createContext("/metrics", only("/metrics", ex -> {
            endpoints.countRuleSeries();
            respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        })));
        server.createContext("/healthz", only("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n")));
        server.createContext("/readyz", only("/readyz", ex -> {
            final Readiness now = readiness.get();
            respond(ex, now.ready() ? 200 : 503, "text/plain; charset=utf-8", now.reason() + "\n");
        }));
        endpoints.addApiContexts();
        final ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKERS, WORKERS, WORKER_IDLE_SECONDS,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    final Thread t = new Thread(r, "vigil-http");
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
        server.setExecutor(workers);
        server.start();
        return endpoints;
    }

    private void guard(final com.sun.net.httpserver.HttpContext context) {
        token.ifPresent(expected -> context.getFilters().add(new com.sun.net.httpserver.Filter() {
            @Override
            public void doFilter(final HttpExchange ex, final Chain chain) throws IOException {
                // Another path under the context's prefix is not this endpoint: its handler answers 404, token or not.
                if (!ex.getRequestURI().getRawPath().equals(context.getPath())) {
                    chain.doFilter(ex);
                    return;
                }
                final String given = ex.getRequestHeaders().getFirst("Authorization");
                // Constant-time comparison: the token must not leak through response timing.
                if (given != null && java.security.MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                        ("Bearer " + expected).getBytes(StandardCharsets.UTF_8))) {
                    chain.doFilter(ex);
                } else {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    respond(ex, 401, "text/plain", "a bearer token is required\n");
                }
            }

            @Override
            public String description() {
                return "bearer token";
            }
        }));
    }

    /** {@code vigil_rule_series} as the stores say now; as last counted while they cannot be read (a rebalance). */
    private void countRuleSeries() {
        final AlertsApi now = api;
        if (now != null) {
            try {
                ruleSeries.set(now.localSeriesWatched());
            } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                // kept as last counted
            }
        }
    }

    /** The engine is up: {@code /api/*} answers from {@code api} from now on. */
    void serveApi(final AlertsApi api) {
        this.api = api;
    }

    /** Adds {@code /api/alerts}, {@code /api/rules}, {@code /api/series} and the live alerts page at {@code /}. */
    private void addApiContexts() {
        server.createContext("/", only("/", ex -> {
            // Not framed by another site (clickjacking). No script-src: the page's script is inline.
            ex.getResponseHeaders().set("X-Frame-Options", "DENY");
            ex.getResponseHeaders().set("Content-Security-Policy", "frame-ancestors 'none'");
            try (java.io.InputStream page = HttpEndpoints.class.getResourceAsStream("/web/index.html")) {
                respond(ex, 200, "text/html; charset=utf-8", new String(page.readAllBytes(), StandardCharsets.UTF_8));
            }
        }));
        server.createContext(RULE_PATH, getOrHead(HttpEndpoints::ruleLink));
        guard(server.createContext("/api/alerts", only("/api/alerts",
                ex -> answerApart(ex, (a, local, q, missing) -> a.alerts(local, AlertsQuery.parse(q), missing)))));
        guard(server.createContext("/api/rules", only("/api/rules",
                ex -> answerApart(ex, (a, local, q, missing) -> a.rules(local, missing)))));
        guard(server.createContext("/api/series", only("/api/series",
                ex -> answerApart(ex, (a, local, q, missing) -> a.series(local, SeriesQuery.parse(q), missing)))));
    }

    /**
     * Answers {@code query} on an API worker, leaving the server's workers to the health checks, the page and
     * {@code /metrics}; the exchange is completed there. Busy past its queue, it is answered 503 at once.
     */
    private void answerApart(final HttpExchange ex, final JsonQuery query) throws IOException {
        final AlertsApi now = api;
        try {
            apiWorkers.execute(() -> {
                try {
                    answer(ex, now, query);
                } catch (IOException e) {
                    // The client went away: nothing to answer.
                } catch (RuntimeException e) {
                    // Past the API's own error handling: a bug, said where the JDK's thread would have died of it.
                    LOG.error("{} failed", ex.getRequestURI().getRawPath(), e);
                } finally {
                    try {
                        closeBody(ex, null);
                    } catch (IOException e) {
                        // The client went away: nothing to close.
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            respond(ex, 503, "application/json", "{\"error\":\"busy: " + (API_WORKERS + API_QUEUE)
                    + " API requests in progress or waiting; try again\"}");
        }
    }

    /**
     * Closes a response's body, or its exchange ({@code out} null). The JDK reads what is left of the request's body
     * then, and a malformed chunked body fails there (a chunk size of {@code ffffffff}: an IndexOutOfBoundsException
     * from the JDK's own stream), after the answer went out: the client's error, which logged a stack trace at ERROR.
     */
    private static void closeBody(final HttpExchange ex, final OutputStream out) throws IOException {
        try {
            if (out == null) {
                ex.close();
            } else {
                out.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: the rest of the request could not be read: {}", ex.getRequestURI().getRawPath(),
                    e.toString());
        }
    }

    /** Where an alert event's generatorURL points: {@code http.external_url}/rules/GROUP/ALERT (formats.md). */
    private static final String RULE_PATH = "/rules/";

    /**
     * An alert's generatorURL, the "Source" link of Alertmanager's UI and of pagers' messages: the alerts page showing
     * that rule alone ({@code #rule=GROUP/ALERT}). The redirect is relative, so that it holds behind a reverse proxy's
     * path prefix (an external URL such as {@code https://ops.example.com/vigil}).
     */
    private static void ruleLink(final HttpExchange ex) throws IOException {
        final String rawPath = ex.getRequestURI().getRawPath();
        final String rule = ex.getRequestURI().getPath().substring(RULE_PATH.length());
        if (rule.isEmpty()) {
            respond(ex, 404, "text/plain", "not found: give a rule as /rules/GROUP/ALERT\n");
        } else {
            final int depth = (int) rawPath.chars().filter(c -> c == '/').count() - 1;
            ex.getResponseHeaders().set("Location", "../".repeat(depth) + "#rule="
                    + java.net.URLEncoder.encode(rule, StandardCharsets.UTF_8).replace("+", "%20"));
            respond(ex, 302, "text/plain", "the alerts page, showing rule " + rule + "\n");
        }
    }

    /**
     * {@code handler} for GET and HEAD of exactly {@code path}. The JDK matches a context by prefix, so /healthzzz
     * answered as /healthz (a probe pointed at a typo passed), and every method was answered as GET.
     */
    private static HttpHandler only(final String path, final HttpHandler handler) {
        final HttpHandler read = getOrHead(handler);
        return ex -> {
            if (!ex.getRequestURI().getRawPath().equals(path)) {
                respond(ex, 404, "text/plain", "not found\n");
            } else {
                read.handle(ex);
            }
        };
    }

    /** {@code handler} for GET and HEAD; any other method is answered 405, naming the two. */
    private static HttpHandler getOrHead(final HttpHandler handler) {
        return ex -> {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(ex, 405, "text/plain", "only GET and HEAD are answered here\n");
            } else {
                handler.handle(ex);
            }
        };
    }

    private interface JsonQuery {
        /**
         * @param rawQuery the request's query, undecoded, or null
         * @param missing  where the other instances' shares left out are named, if the query allows it
         */
        String run(AlertsApi api, boolean localOnly, String rawQuery, MissingShares missing) throws IOException;
    }

    private static void answer(final HttpExchange ex, final AlertsApi api, final JsonQuery query) throws IOException {
        if (api == null) {
            respond(ex, 503, "application/json", "{\"error\":\"starting: the engine is not up yet\"}");
            return;
        }
        final String q = ex.getRequestURI().getRawQuery();
        final boolean local = q != null && java.util.Arrays.asList(q.split("&")).contains("scope=local");
        try {
            final MissingShares missing = MissingShares.of(q);
            final String body = query.run(api, local, q, missing);
            if (!missing.names().isEmpty()) {
                ex.getResponseHeaders().set(MissingShares.HEADER, missing.header());
            }
            respond(ex, 200, "application/json", body);
        } catch (AlertsQuery.BadQuery e) {
            respond(ex, 400, "application/json", JSON.writeValueAsString(Map.of("error", e.getMessage())));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            respond(ex, 503, "application/json", JSON.writeValueAsString(Map.of("error",
                    "state is not queryable yet (starting or rebalancing): " + e.getMessage())));
        } catch (AlertsApi.SharedAddressException e) {
            respond(ex, 500, "application/json", JSON.writeValueAsString(Map.of("error", e.getMessage())));
        } catch (IOException e) {
            // Its share cannot be read until it answers, or until Kafka Streams gives its work to the others (within
            // the consumer's session timeout, 45 s by default, after it died): say which one, and why.
            respond(ex, 502, "application/json", JSON.writeValueAsString(Map.of("error", e.getMessage()
                    + "; its share of the answer cannot be shown (each instance answers for its own share with"
                    + " ?scope=local)")));
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code host:port} as a URL writes it: an IPv6 literal in brackets ({@code [::1]:8080}, RFC 3986). */
    static String authority(final String host, final int port) {
        if (!host.contains(":")) {
            return host + ":" + port;
        }
        // An IPv6 literal, bracketed in a URL; its zone (fe80::1%eth0) written %25 there (RFC 6874), so that the
        // printed URL is one a browser or curl takes.
        final String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return "[" + bare.replace("%25", "%").replace("%", "%25") + "]:" + port;
    }

    /**
     * Sends every answer of these endpoints: none is to be sniffed as another type than it says, and those of
     * {@code /api/*} (live state, behind a token perhaps) are not to be kept by a browser or a proxy.
     */
    private static void respond(final HttpExchange ex, final int status, final String type, final String body)
            throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (ex.getRequestURI().getRawPath().startsWith("/api/")) {
            ex.getResponseHeaders().set("Cache-Control", "no-store");
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            // No body, and -1 says so: with a length the JDK logs a warning through java.util.logging, a line on
            // stderr that is not JSON under --log-format json, which any client could cause.
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        final OutputStream out = ex.getResponseBody();
        out.write(bytes);
        closeBody(ex, out);
    }

    @Override
    public void close() {
        server.stop(0);
        apiWorkers.shutdownNow();
    }
}
