package io.vigil.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * How one instance asks another for its share of {@code /api/alerts} and {@code /api/rules}. A failure names the
 * instance and what went wrong, which the API passes on: "another instance did not answer" left whoever read it on the
 * alerts page to find which of the instances, and why.
 */
final class PeerClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most this much of another instance's explanation is passed on: it goes into a header and the page. */
    private static final int MAX_REASON = 200;

    private final Duration timeout;
    private final Optional<String> token;
    private final HttpClient http;

    /** @param token the bearer token every instance's API requires, when set */
    PeerClient(final Duration timeout, final Optional<String> token) {
        this.timeout = timeout;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The body of {@code path} at {@code host}.
     *
     * @throws IOException it did not answer 200, or did not answer: the message says which instance and why
     */
    String get(final HostInfo host, final String path) throws IOException {
        final String authority = HttpEndpoints.authority(host.host(), host.port());
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + authority + path))
                .timeout(timeout);
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        final HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted asking instance " + authority, e);
        } catch (HttpTimeoutException e) {
            throw new IOException("instance " + authority + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw new IOException("instance " + authority + " refused the connection", e);
        } catch (IOException e) {
            throw new IOException("instance " + authority + " did not answer ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("instance " + authority + " answered " + response.statusCode() + why(response.body()));
        }
        return response.body();
    }

    /**
     * The {@code error} an API answer other than 200 gives, as {@code ": ..."}: "answered 503" alone hid whether the
     * instance was starting, rebalancing or restoring. Empty for a body of any other form (a proxy's page).
     */
    private static String why(final String body) {
        try {
            final JsonNode error = JSON.readTree(body).get("error");
            if (error == null || !error.isTextual()) {
                return "";
            }
            final String line = error.asText().replaceAll("[\\r\\n]+", " ");
            return ": " + (line.length() <= MAX_REASON ? line : line.substring(0, MAX_REASON) + "...");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
