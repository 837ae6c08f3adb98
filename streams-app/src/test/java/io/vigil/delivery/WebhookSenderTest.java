package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One request to a real HTTP receiver on loopback, and the outcome delivery acts on. */
class WebhookSenderTest {

    private static final byte[] BODY = "{\"version\":\"4\"}".getBytes(StandardCharsets.UTF_8);
    private static final String TOKEN = "tok-ENV-SECRET";

    private final WebhookSender sender = new WebhookSender(WebhookSender.httpClient());
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.List<String> moved = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);
    private final java.util.List<String> upgrades = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private HttpServer server;

    @BeforeEach
    void startReceiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> {
            ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/headers", ex -> {
            ex.getRequestBody().readAllBytes();
            upgrades.add(String.valueOf(ex.getRequestHeaders().getFirst("Upgrade")) + " "
                    + ex.getRequestHeaders().getFirst("Connection"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/busy", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Retry-After", "Sun, 06 Dec 2026 03:00:00 GMT");
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        for (int status : new int[] {301, 302, 307, 308}) {
            server.createContext("/" + status, ex -> {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().set("Location", "/moved");
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
        }
        server.createContext("/elsewhere", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Location", "http://localhost:" + server.getAddress().getPort() + "/moved");
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        server.createContext("/moved", ex -> {
            moved.add(ex.getRequestMethod() + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    + " " + ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/drip", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 60);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 60 && !stopping.await(1, java.util.concurrent.TimeUnit.SECONDS); i++) {
                    out.write('x');
                    out.flush();
                }
            } catch (InterruptedException | java.io.IOException e) {
                // the sender went away: what this receiver is for
            }
        });
        server.createContext("/silent", ex -> {
            ex.getRequestBody().readAllBytes();
            try {
                stopping.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        stopping.countDown();
        server.stop(0);
    }

    private URI url(final String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static WebhookReceiver receiver(final URI url, final Optional<String> token, final Optional<String> hmac,
                                            final Duration timeout) {
        return new WebhookReceiver("pager", url, Optional.empty(), true, token.map(WebhookReceiver.Secret::new),
                hmac.map(WebhookReceiver.Secret::new), timeout);
    }

    @Test
    void aTokenTheJdkRefusesAsAHeaderFailsTheRequestNamingTheSettingNotTheToken() {
        final WebhookSender.Attempt outcome = sender.send(
                receiver(url("/ok"), Optional.of(TOKEN + "\n"), Optional.empty(), Duration.ofSeconds(5)), BODY, "k");

        assertThat(outcome).isInstanceOfSatisfying(WebhookSender.Misconfigured.class, m -> {
            assertThat(m.setting()).isEqualTo("bearer token");
            assertThat(m.reason()).contains("IllegalArgumentException").doesNotContain(TOKEN);
        });
        assertThat(requests).hasValue(0);
    }

    /**
     * Plain HTTP/1.1, as Alertmanager's and Prometheus' own clients send: the JDK's default asks every plain-http
     * receiver to upgrade to HTTP/2 (Upgrade: h2c) on a POST, which proxies and small servers need not understand.
     */
    @Test
    void aRequestDoesNotAskTheReceiverToUpgradeToHttp2() {
        assertThat(sender.send(receiver(url("/headers"), Optional.empty(), Optional.empty(), Duration.ofSeconds(5)), BODY,
                "k")).isInstanceOf(WebhookSender.Delivered.class);

        assertThat(upgrades).containsExactly("null null");
    }

    @Test
    void aZeroTimeoutFailsTheRequestNamingTheTimeout() {
        assertThat(sender.send(receiver(url("/ok"), Optional.empty(), Optional.empty(), Duration.ZERO), BODY, "k"))
                .isInstanceOfSatisfying(WebhookSender.Misconfigured.class, m -> assertThat(m.setting()).isEqualTo("timeout"));
    }

    @Test
    void anEmptyHmacSecretFailsTheRequestNamingTheSecret() {
        assertThat(sender.send(receiver(url("/ok"), Optional.empty(), Optional.of(""), Duration.ofSeconds(5)), BODY, "k"))
                .isInstanceOfSatisfying(WebhookSender.Misconfigured.class,
                        m -> assertThat(m.setting()).isEqualTo("hmac secret"));
    }

    @Test
    void aPortOutOfRangeFailsTheRequestNamingTheUrl() {
        assertThat(sender.send(receiver(URI.create("http://127.0.0.1:99999/x"), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5)), BODY, "k"))
                .isInstanceOfSatisfying(WebhookSender.Misconfigured.class, m -> assertThat(m.setting()).isEqualTo("url"));
    }

    @Test
    void aRetryAfterDateIsTheWaitUntilThen() {
        final WebhookSender at = new WebhookSender(WebhookSender.httpClient(),
                java.time.Clock.fixed(java.time.Instant.parse("2026-12-06T02:59:40Z"), java.time.ZoneOffset.UTC));
        assertThat(at.send(receiver(url("/busy"), Optional.empty(), Optional.empty(), Duration.ofSeconds(5)), BODY, "k"))
                .isEqualTo(new WebhookSender.Retry("HTTP 503", Optional.of(Duration.ofSeconds(20))));
    }

    /**
     * A receiver that takes the request and never answers is said one way, whichever of the two timeouts ends the wait
     * first (the request's own, the JDK's "HttpTimeoutException: request timed out", or the wait for the exchange): an
     * operator saw both for the same slow receiver.
     */
    @Test
    void aReceiverThatNeverAnswersIsNoResponseWithinTheTimeout() {
        for (int i = 0; i < 5; i++) {
            assertThat(sender.send(receiver(url("/silent"), Optional.empty(), Optional.empty(), Duration.ofMillis(200)),
                    BODY, "k")).isEqualTo(new WebhookSender.Retry("no response within 200 ms", Optional.empty()));
        }
    }

    @Test
    void aTemporaryOrPermanentRedirectOnTheSameHostIsFollowedWithThePost() {
        for (String status : new String[] {"/307", "/308"}) {
            assertThat(sender.send(receiver(url(status), Optional.of(TOKEN), Optional.empty(), Duration.ofSeconds(5)),
                    BODY, "k")).isEqualTo(new WebhookSender.Delivered(200));
        }
        final String posted = "POST " + new String(BODY, StandardCharsets.UTF_8) + " Bearer " + TOKEN;
        assertThat(moved).containsExactly(posted, posted);
    }

    @Test
    void aRedirectThatWouldDropThePostOrTakeTheTokenElsewhereIsAUrlToFix() {
        for (String status : new String[] {"/301", "/302", "/elsewhere"}) {
            assertThat(sender.send(receiver(url(status), Optional.of(TOKEN), Optional.empty(), Duration.ofSeconds(5)),
                    BODY, "k")).isInstanceOfSatisfying(WebhookSender.Misconfigured.class,
                            m -> assertThat(m.setting()).isEqualTo("url"));
        }
        assertThat(moved).isEmpty(); // neither a GET without the alert, nor the token sent to another host
    }

    @Test
    void aBodyDrippedSlowlyDoesNotHoldTheRequestPastItsStatus() {
        final long started = System.nanoTime();
        assertThat(sender.send(receiver(url("/drip"), Optional.empty(), Optional.empty(), Duration.ofSeconds(2)),
                BODY, "k")).isEqualTo(new WebhookSender.Delivered(200));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aConnectFailureSaysWhetherTheHostIsUnknownOrThePortClosed() throws Exception {
        final int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(sender.send(receiver(URI.create("http://127.0.0.1:" + closed + "/x"), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(5)), BODY, "k"))
                .isEqualTo(new WebhookSender.Retry("cannot connect to 127.0.0.1:" + closed
                        + " (connection refused or host unreachable)", Optional.empty()));
        assertThat(sender.send(receiver(URI.create("http://nonexistent-host.invalid:9/x"), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(5)), BODY, "k"))
                .isEqualTo(new WebhookSender.Retry("cannot resolve host nonexistent-host.invalid", Optional.empty()));
    }

    @Test
    void aGoodReceiverGetsTheAlert() {
        assertThat(sender.send(receiver(url("/ok"), Optional.of(TOKEN), Optional.of("k3y"), Duration.ofSeconds(5)),
                BODY, "k")).isEqualTo(new WebhookSender.Delivered(200));
        assertThat(requests).hasValue(1);
    }
}
