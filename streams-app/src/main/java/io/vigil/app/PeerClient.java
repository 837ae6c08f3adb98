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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
     * Asks {@code host} for {@code path} and returns without waiting: an answer asks every other instance before it
     * waits for any, so that stopped instances cost one timeout together rather than one each.
     */
    Answer ask(final HostInfo host, final String path) {
        final String authority = HttpEndpoints.authority(host.host(), host.port());
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + authority + path))
                .timeout(timeout);
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return new Answer(authority, http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> body(authority, response, failure)));
    }

    /** Another instance's answer on its way. */
    static final class Answer {
        private final String authority;
        private final CompletableFuture<String> body;

        private Answer(final String authority, final CompletableFuture<String> body) {
            this.authority = authority;
            this.body = body;
        }

        /**
         * The body, once the instance answered 200.
         *
         * @throws NoAnswer it did not answer: timed out, or the connection was lost
         * @throws IOException it refused the connection, or answered other than 200; the message says which instance
         *         and why
         */
        String await() throws IOException {
            try {
                return body.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted asking instance " + authority, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException failure) {
                    throw failure;
                }
                throw new IOException("instance " + authority + " did not answer (" + e.getCause() + ")", e);
            }
        }
    }

    /**
     * No answer came: it timed out (a stopped process, whose kernel still takes the connection, or an unreachable
     * host) or lost the connection. Asking again will likely wait as long, where a refused connection fails at once
     * and an instance answering an error is up.
     */
    static final class NoAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        private NoAnswer(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * What {@code response} (or {@code failure}, the request's) makes of the answer: its body, or an
     * {@link IOException} naming the instance and why, thrown wrapped as a stage of a future throws.
     */
    private String body(final String authority, final HttpResponse<String> response, final Throwable failure) {
        if (failure != null) {
            throw new CompletionException(failed(authority, unwrapped(failure)));
        }
        if (response.statusCode() != 200) {
            throw new CompletionException(new IOException("instance " + authority + " answered "
                    + response.statusCode() + why(response.body())));
        }
        return response.body();
    }

    private IOException failed(final String authority, final Throwable e) {
        if (e instanceof HttpTimeoutException) {
            return new NoAnswer("instance " + authority + " did not answer within " + timeout.toMillis() + " ms", e);
        }
        if (e instanceof ConnectException) {
            return new IOException("instance " + authority + " refused the connection", e);
        }
        final String reason = "instance " + authority + " did not answer ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
        // Not an I/O failure: the request itself is wrong, and an instance is not to be thought silent for it.
        return e instanceof IOException ? new NoAnswer(reason, e) : new IOException(reason, e);
    }

    /** The failure itself, out of the future's wrapping. */
    private static Throwable unwrapped(final Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
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
