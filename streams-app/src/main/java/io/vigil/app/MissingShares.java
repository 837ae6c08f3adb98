package io.vigil.app;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The shares an API answer goes without: another instance's that failed, or this one's where its stores cannot be
 * read. By default an answer is whole or an error naming the instance that failed (502, or this one's 503), as a
 * script reading a list must not take part of it for all. Asked with
 * {@code partial=allow} (the alerts page is), it is what the instances that answered hold, and names the others in
 * the {@value #HEADER} header: when an instance dies, Kafka Streams gives its work to the others only after the
 * consumer's session timeout (45 s) and their restore, and the page was down for all of that, when it was needed most.
 */
final class MissingShares {

    /** The response header naming the instances left out, {@code ; }-separated, each with why. */
    static final String HEADER = "Vigil-Unanswered";

    private final boolean allowed;
    /** Why each instance left out did not answer, by instance: asked once, named once. */
    private final Map<HostInfo, String> missing = new LinkedHashMap<>();

    private MissingShares(final boolean allowed) {
        this.allowed = allowed;
    }

    /** Whether {@code rawQuery} (a URL's query, undecoded; null for none) allows a partial answer. */
    static MissingShares of(final String rawQuery) {
        return new MissingShares(rawQuery != null && Arrays.asList(rawQuery.split("&")).contains("partial=allow"));
    }

    /**
     * {@code other}'s answer to {@code path}; null where it failed and a partial answer is allowed, the failure named.
     *
     * @throws IOException it failed, and the answer must be whole
     */
    String share(final PeerClient peers, final HostInfo other, final String path) throws IOException {
        if (missing.containsKey(other)) {
            // Failed already for this answer (/api/series asks each instance twice): not waited for again.
            return null;
        }
        try {
            return peers.get(other, path);
        } catch (IOException e) {
            if (!allowed) {
                throw e;
            }
            missing.put(other, e.getMessage());
            return null;
        }
    }

    /** A read of this instance's own share. */
    interface OwnShare<T> {
        T read() throws IOException;
    }

    /**
     * This instance's own share, as {@code read} gives it; {@code none} where its stores cannot be read (starting,
     * rebalancing, a task restoring) and a partial answer is allowed, this instance named.
     *
     * @throws InvalidStateStoreException they cannot be read, and the answer must be whole
     */
    <T> T own(final HostInfo self, final OwnShare<T> read, final T none) throws IOException {
        try {
            return read.read();
        } catch (InvalidStateStoreException e) {
            if (!allowed) {
                throw e;
            }
            missing.putIfAbsent(self, "instance " + HttpEndpoints.authority(self.host(), self.port())
                    + " (this one): state is not queryable yet: " + e.getMessage());
            return none;
        }
    }

    /** The failures, each naming its instance and why, in the order met. */
    List<String> names() {
        return List.copyOf(missing.values());
    }

    /** The header's value: the failures on one line. */
    String header() {
        return String.join("; ", missing.values()).replaceAll("[\\r\\n]", " ");
    }
}
