package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** An answer without another instance's share: only where the asker allows it, and then naming the instance. */
class MissingSharesTest {

    private static final String PATH = "/api/alerts?scope=local";
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SilentPeers silent = new SilentPeers(clock);

    private static HostInfo closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return new HostInfo("127.0.0.1", s.getLocalPort());
        }
    }

    @Test
    void aShareThatFailsIsNamedWhereAPartialAnswerIsAllowedAndThrownWhereNot() throws Exception {
        final PeerClient peers = new PeerClient(Duration.ofSeconds(5), Optional.empty());
        final HostInfo gone = closedPort();
        final String named = "instance 127.0.0.1:" + gone.port() + " refused the connection";

        final MissingShares allowed = MissingShares.of("match=cpu&partial=allow");
        assertThat(allowed.shares(peers, silent, List.of(gone), PATH)).isEmpty();
        assertThat(allowed.names()).containsExactly(named);
        assertThat(allowed.header()).isEqualTo(named);
        // Asked again within the same answer (/api/series asks twice): not waited for again, named once.
        assertThat(allowed.shares(peers, silent, List.of(gone, gone), "/api/series?scope=local")).isEmpty();
        assertThat(allowed.names()).containsExactly(named);
        // A refusal costs no wait: the next answer asks it again (one restarting is seen at once), named as it was.
        final MissingShares next = MissingShares.of("partial=allow");
        assertThat(next.shares(peers, silent, List.of(gone), PATH)).isEmpty();
        assertThat(next.names()).containsExactly(named);

        for (String query : new String[] {null, "match=cpu", "partial=allowed", "match=partial%3Dallow"}) {
            final MissingShares whole = MissingShares.of(query);
            assertThatThrownBy(() -> whole.shares(peers, silent, List.of(gone), PATH))
                    .isInstanceOf(IOException.class).hasMessage(named);
            assertThat(whole.names()).isEmpty();
        }
    }

    /**
     * Each instance answers only once the other has been asked too, which only asking them at once can do (asked in
     * turn, the first would wait alone); the answers come in the order the instances were given, not as they came.
     */
    @Test
    void asksEveryInstanceAtOnceAndKeepsTheirOrder() throws Exception {
        final CountDownLatch bothAsked = new CountDownLatch(2);
        final CountDownLatch secondAnswered = new CountDownLatch(1);
        try (FakePeer first = new FakePeer(ex -> {
                if (bothAskedOr503(bothAsked, ex)) {
                    secondAnswered.await(5, TimeUnit.SECONDS);
                    respond(ex, 200, "[\"first\"]");
                }
            });
             FakePeer second = new FakePeer(ex -> {
                if (bothAskedOr503(bothAsked, ex)) {
                    respond(ex, 200, "[\"second\"]");
                    secondAnswered.countDown();
                }
            })) {
            final PeerClient peers = new PeerClient(Duration.ofSeconds(30), Optional.empty());
            final MissingShares whole = MissingShares.of(null);
            assertThat(whole.shares(peers, silent, List.of(first.host(), second.host()), PATH))
                    .containsExactly("[\"first\"]", "[\"second\"]");
            assertThat(whole.names()).isEmpty();
        }
    }

    private static boolean bothAskedOr503(final CountDownLatch bothAsked, final HttpExchange ex) throws Exception {
        bothAsked.countDown();
        if (bothAsked.await(5, TimeUnit.SECONDS)) {
            return true;
        }
        respond(ex, 503, "{\"error\":\"asked alone: the other instance was not asked meanwhile\"}");
        return false;
    }

    /**
     * A stopped instance (the kernel takes the connection, no answer comes): the next refreshes of the page name it
     * at once and do not ask it, until {@link SilentPeers#REMEMBERED} has passed; an answer that must be whole asks it
     * all the same.
     */
    @Test
    void anInstanceThatGaveNoAnswerLatelyIsNamedAtOnceWhereAPartialAnswerIsAllowed() throws Exception {
        final AtomicInteger asked = new AtomicInteger();
        final CountDownLatch never = new CountDownLatch(1);
        try (FakePeer stopped = new FakePeer(ex -> {
                asked.incrementAndGet();
                never.await();
            })) {
            final PeerClient peers = new PeerClient(Duration.ofSeconds(1), Optional.empty());
            final HostInfo gone = closedPort();
            final List<HostInfo> others = List.of(stopped.host(), gone);
            final String noAnswer = "instance 127.0.0.1:" + stopped.host().port() + " did not answer within 1000 ms";
            final String refused = "instance 127.0.0.1:" + gone.port() + " refused the connection";

            final MissingShares first = MissingShares.of("partial=allow");
            assertThat(first.shares(peers, silent, others, PATH)).isEmpty();
            assertThat(first.names()).containsExactly(noAnswer, refused);
            await().atMost(Duration.ofSeconds(30)).until(() -> asked.get() == 1);

            clock.advance(Duration.ofSeconds(2));
            final MissingShares refresh = MissingShares.of("partial=allow");
            assertThat(refresh.shares(peers, silent, others, PATH)).isEmpty();
            assertThat(refresh.names()).containsExactly(noAnswer + " (2 s ago; asked again in 8 s)", refused);
            assertThat(refresh.header()).isEqualTo(noAnswer + " (2 s ago; asked again in 8 s); " + refused);

            clock.advance(Duration.ofSeconds(3));
            assertThatThrownBy(() -> MissingShares.of(null).shares(peers, silent, others, PATH)).hasMessage(noAnswer);
            await().atMost(Duration.ofSeconds(30)).until(() -> asked.get() == 2);

            // Remembered from the whole answer's failure, 9 s ago now; at 10 s it is asked again.
            clock.advance(Duration.ofSeconds(9));
            final MissingShares later = MissingShares.of("partial=allow");
            assertThat(later.shares(peers, silent, others, PATH)).isEmpty();
            assertThat(later.names()).containsExactly(noAnswer + " (9 s ago; asked again in 1 s)", refused);
            clock.advance(Duration.ofSeconds(1));
            final MissingShares again = MissingShares.of("partial=allow");
            assertThat(again.shares(peers, silent, others, PATH)).isEmpty();
            assertThat(again.names()).containsExactly(noAnswer, refused);
            await().atMost(Duration.ofSeconds(30)).until(() -> asked.get() == 3);
            assertThat(asked).as("asked by the first, whole and last answers only").hasValue(3);
        }
    }

    /** An instance that answers an error is up, and says why each time: it is asked at every answer. */
    @Test
    void anInstanceAnsweringAnErrorIsAskedAgain() throws Exception {
        final AtomicInteger asked = new AtomicInteger();
        try (FakePeer restoring = new FakePeer(ex -> {
                asked.incrementAndGet();
                respond(ex, 503, "{\"error\":\"state is not queryable yet\"}");
            })) {
            final PeerClient peers = new PeerClient(Duration.ofSeconds(5), Optional.empty());
            final String named = "instance 127.0.0.1:" + restoring.host().port()
                    + " answered 503: state is not queryable yet";
            for (int i = 1; i <= 2; i++) {
                final MissingShares partial = MissingShares.of("partial=allow");
                assertThat(partial.shares(peers, silent, List.of(restoring.host()), PATH)).isEmpty();
                assertThat(partial.names()).containsExactly(named);
                assertThat(asked).hasValue(i);
            }
        }
    }

    /** The instance answering cannot read its own stores (a rebalance, a task restoring): named like the others. */
    @Test
    void itsOwnShareUnreadableIsNamedWhereAPartialAnswerIsAllowed() throws Exception {
        final HostInfo self = new HostInfo("10.0.0.7", 8080);
        final MissingShares.OwnShare<List<String>> restoring = () -> {
            throw new InvalidStateStoreException("restoring vigil-series/2");
        };
        final MissingShares allowed = MissingShares.of("partial=allow");
        assertThat(allowed.own(self, restoring, List.of())).isEmpty();
        assertThat(allowed.names()).containsExactly(
                "instance 10.0.0.7:8080 (this one): state is not queryable yet: restoring vigil-series/2");
        assertThat(allowed.own(self, () -> List.of("mine"), List.of())).containsExactly("mine");

        assertThatThrownBy(() -> MissingShares.of(null).own(self, restoring, List.of()))
                .isInstanceOf(InvalidStateStoreException.class).hasMessage("restoring vigil-series/2");
    }

    private static void respond(final HttpExchange ex, final int status, final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    /** What a fake instance does with a request; it may wait. */
    private interface Answering {
        void answer(HttpExchange ex) throws Exception;
    }

    /** Another instance's API on a free loopback port, each request on a thread of its own. */
    private static final class FakePeer implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();

        FakePeer(final Answering answering) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ex -> {
                try {
                    answering.answer(ex);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IOException(e);
                } finally {
                    ex.close();
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        HostInfo host() {
            return new HostInfo("127.0.0.1", server.getAddress().getPort());
        }

        @Override
        public void close() {
            server.stop(0);
            // Ends the requests still held (a stopped instance's).
            threads.shutdownNow();
        }
    }
}
