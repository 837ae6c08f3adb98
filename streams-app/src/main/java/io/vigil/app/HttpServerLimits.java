package io.vigil.app;

/**
 * Time limits for the JDK's HTTP server ({@code com.sun.net.httpserver}), which by default waits forever for a
 * request to arrive: a client that opens a connection and never finishes its headers (a half-open connection, a slow
 * client) holds one of the server's worker threads for good, and a few of them took {@code /healthz} and {@code /readyz}
 * down. The JDK 17 server reads them as system properties once, when its classes initialise
 * ({@code sun.net.httpserver.ServerConfig}), so they are set before the first server is made (first thing in
 * {@code main}); a value the user gave ({@code -Dsun.net.httpserver.maxReqTime=...}) is kept. The test JVMs, where
 * other tests' servers come first, get the same values from the build (streams-app/pom.xml).
 */
final class HttpServerLimits {

    /** Seconds to read a request, from its first byte: ours are GETs without a body, sent at once. */
    static final String MAX_REQUEST_SECONDS = "5";
    /**
     * Seconds to send a response: a scrape of {@code /metrics} is some hundreds of KB, and a reader slower than that holds
     * a worker for nothing.
     */
    static final String MAX_RESPONSE_SECONDS = "30";

    private HttpServerLimits() {
    }

    /** Sets the limits the user has not set; call before the first {@code HttpServer.create}. */
    static void apply() {
        setUnlessGiven("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        setUnlessGiven("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
    }

    private static void setUnlessGiven(final String property, final String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
