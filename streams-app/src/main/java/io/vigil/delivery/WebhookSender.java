package io.vigil.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** One POST to one webhook receiver, and what it means for delivery. */
final class WebhookSender {

    /** The outcome of one attempt. */
    sealed interface Attempt permits Delivered, Retry, Permanent, Misconfigured {
    }

    record Delivered(int status) implements Attempt {
    }

    /** Try again; {@code after} is the receiver's Retry-After when it gave one. */
    record Retry(String reason, Optional<Duration> after) implements Attempt {
    }

    /** The receiver refused the alert for good (4xx other than 408 and 429): retrying cannot help. */
    record Permanent(String reason) implements Attempt {
    }

    /**
     * The request could not be built or sent because of a receiver setting the JDK refuses (a zero timeout, a header
     * value with a line break, an empty HMAC key, a port out of range). Retried like any failure, so the alert is not
     * lost and the other alerts go on, but it needs a fix in the configuration: delivery logs it as an error.
     *
     * @param setting the receiver setting at fault, as named in the configuration
     * @param problem what went wrong: for an exception, its class only, never its message, which may hold the secret
     *                (the JDK quotes an invalid header value whole, bearer token included)
     */
    record Misconfigured(String setting, String problem) implements Attempt {
        String reason() {
            return problem + " (receiver setting: " + setting + ")";
        }
    }

    /**
     * The client delivery sends with. It follows no redirect itself: JDK 17 sends the request's own headers, bearer
     * token and signature included, to whatever host a redirect names, and turns a POST into a GET without a body for
     * 301, 302 and 303 (as browsers do), so that a 2xx to the GET would count as delivered an alert the receiver never
     * got. {@link #send} follows 307 and 308 within the receiver's own scheme, host and port instead. HTTP/1.1, as
     * Alertmanager's and Prometheus' Go clients speak to a webhook: the JDK's default, HTTP/2, asks a plain-http
     * receiver to upgrade ({@code Upgrade: h2c}) on every first request of a connection, a POST included, which proxies
     * and small servers need not understand (a first-hour audit saw it on every webhook).
     */
    static HttpClient httpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Redirects followed for one request at most. */
    private static final int MAX_REDIRECTS = 3;

    private final HttpClient http;
    private final Clock clock;

    WebhookSender(final HttpClient http) {
        this(http, Clock.systemUTC());
    }

    /** @param clock the wall clock, to read a Retry-After given as a date */
    WebhookSender(final HttpClient http, final Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    Attempt send(final WebhookReceiver receiver, final byte[] body, final String idempotencyKey) {
        final HttpRequest request;
        String setting = "url";
        try {
            final HttpRequest.Builder builder = HttpRequest.newBuilder(receiver.url())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", Delivery.USER_AGENT)
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            setting = "timeout";
            builder.timeout(receiver.timeout());
            setting = "bearer token";
            receiver.bearerToken().ifPresent(t -> builder.header("Authorization", "Bearer " + t.reveal()));
            setting = "hmac secret";
            receiver.hmacSecret().ifPresent(s -> builder.header("X-Vigil-Signature", "sha256=" + hmac(s.reveal(), body)));
            request = builder.build();
        } catch (RuntimeException e) {
            return new Misconfigured(setting, e.getClass().getSimpleName());
        }
        return exchange(request, receiver, MAX_REDIRECTS);
    }

    /**
     * One request and its answer, each within the receiver's timeout; follows a 307 or 308 (which keep the POST and
     * its body) to the same scheme, host and port, as Alertmanager follows redirects by default. Any other redirect is
     * a receiver URL to fix: a 301, 302 or 303 asks for a GET, and another host must not get the receiver's secrets.
     */
    private Attempt exchange(final HttpRequest request, final WebhookReceiver receiver, final int redirectsLeft) {
        final CompletableFuture<HttpResponse<InputStream>> exchange;
        try {
            // Only the status and headers count: the body is never read (a 200 MB one, or one dripped byte by byte,
            // would hold a sending slot for as long as it lasts; HttpRequest.timeout bounds only the wait for headers).
            exchange = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IllegalArgumentException e) {
            // The client checks the URL only when it sends (a port out of range); the request holds no secret here.
            return new Misconfigured("url", e.getClass().getSimpleName());
        }
        final HttpResponse<InputStream> response;
        try {
            // The whole exchange, connecting included, within the receiver's timeout.
            response = exchange.get(receiver.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return new Retry("no response within " + receiver.timeout().toMillis() + " ms", Optional.empty());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            return new Retry("interrupted", Optional.empty());
        } catch (ExecutionException e) {
            return failed(e.getCause(), receiver);
        }
        try {
            response.body().close(); // drops the connection if a body is still coming, rather than read it
        } catch (IOException e) {
            // The status is known already; closing what is left of the body cannot change it.
        }
        final int status = response.statusCode();
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            final Optional<URI> to;
            try {
                to = response.headers().firstValue("Location").map(l -> request.uri().resolve(l.trim()));
            } catch (IllegalArgumentException e) {
                return new Misconfigured("url", "an HTTP " + status + " redirect to an invalid Location");
            }
            if ((status == 307 || status == 308) && to.isPresent() && sameOrigin(request.uri(), to.get())
                    && redirectsLeft > 0) {
                return exchange(HttpRequest.newBuilder(request, (name, value) -> true).uri(to.get()).build(), receiver,
                        redirectsLeft - 1);
            }
            return new Misconfigured("url", "an HTTP " + status + " redirect, not followed: set the url to its location");
        }
        return outcome(response);
    }

    private static boolean sameOrigin(final URI a, final URI b) {
        return a.getScheme().equalsIgnoreCase(String.valueOf(b.getScheme()))
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(final URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private Attempt outcome(final HttpResponse<?> response) {
        final int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Delivered(status);
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new Permanent("HTTP " + status);
        }
        return new Retry("HTTP " + status, response.headers().firstValue("Retry-After")
                .flatMap(v -> RetryAfter.parse(v, clock.instant())));
    }

    /** What an exchange that ended in an exception means for delivery. */
    private Attempt failed(final Throwable e, final WebhookReceiver receiver) {
        if (e instanceof IOException) {
            return new Retry(why(e, receiver), Optional.empty());
        }
        if (e instanceof IllegalArgumentException) {
            return new Misconfigured("url", e.getClass().getSimpleName());
        }
        // Whatever else one request throws fails that request, not the receiver's delivery.
        return new Retry(e.getClass().getSimpleName(), Optional.empty());
    }

    /**
     * Why a request got no answer, in the words an operator searches for: the JDK's ConnectException says neither
     * whether the host is unknown or the port closed; its cause does.
     */
    private static String why(final Throwable e, final WebhookReceiver receiver) {
        final String where = receiver.url().getHost() + (receiver.url().getPort() < 0 ? "" : ":" + receiver.url().getPort());
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "cannot resolve host " + receiver.url().getHost();
            }
            if (c instanceof java.net.http.HttpConnectTimeoutException) {
                return "no connection to " + where + " in time";
            }
            if (c instanceof java.net.http.HttpTimeoutException) {
                // The request's own timeout, the receiver's too, fired before the wait for the exchange ended: the
                // same event as that wait's, said the same way (it was "HttpTimeoutException: request timed out").
                return "no response within " + receiver.timeout().toMillis() + " ms";
            }
        }
        if (e instanceof java.net.ConnectException) {
            // JDK 17 keeps no more detail than a ClosedChannelException: a closed port, or a host out of reach.
            return "cannot connect to " + where + " (connection refused or host unreachable)";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    static String hmac(final String secret, final byte[] body) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
