package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** An answer without another instance's share: only where the asker allows it, and then naming the instance. */
class MissingSharesTest {

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
        assertThat(allowed.share(peers, gone, "/api/alerts?scope=local")).isNull();
        assertThat(allowed.names()).containsExactly(named);
        assertThat(allowed.header()).isEqualTo(named);
        // Asked again within the same answer (/api/series asks twice): not waited for again, named once.
        assertThat(allowed.share(peers, gone, "/api/series?scope=local")).isNull();
        assertThat(allowed.names()).containsExactly(named);

        for (String query : new String[] {null, "match=cpu", "partial=allowed", "match=partial%3Dallow"}) {
            final MissingShares whole = MissingShares.of(query);
            assertThatThrownBy(() -> whole.share(peers, gone, "/api/alerts?scope=local"))
                    .isInstanceOf(IOException.class).hasMessage(named);
            assertThat(whole.names()).isEmpty();
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
}
