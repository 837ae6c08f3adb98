package io.vigil.app;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The shares an API answer goes without: another instance's that failed, or this one's where its stores cannot be
 * read. By default an answer is whole or an error naming the instance that failed (502, or this one's 503), as a
 * script reading a list must not take part of it for all. Asked with
 * {@code partial=allow} (the alerts page is), it is what the instances that answered hold, and names the others in
 * the {@value #HEADER} header: when an instance dies, Kafka Streams gives its work to the others only after the
 * consumer's session timeout (45 s) and their restore, and the page was down for all of that, when it was needed most.
 * There, an instance that gave no answer lately ({@link SilentPeers}) is named at once, not waited for at each refresh.
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
     * The answers of {@code others} to {@code path} that came, in {@code others}' order. All are asked before any is
     * waited for: asked in turn, each stopped instance added its whole timeout (5 s) to the answer. Where a partial
     * answer is allowed, one that fails is left out and named, and one that {@code silent} says gave no answer lately is
     * named without being asked; where not, every one is asked. Each instance is asked at most once per answer: one
     * that failed already for it (/api/series asks twice) is not asked again.
     *
     * @param silent told what each instance asked did, whatever the answer allows
     * @throws IOException one failed, and the answer must be whole: the first of {@code others} that did, as when
     *         they were asked in turn
     */
    List<String> shares(final PeerClient peers, final SilentPeers silent, final List<HostInfo> others,
                        final String path) throws IOException {
        final Map<HostInfo, String> lately = new HashMap<>();
        final Map<HostInfo, PeerClient.Answer> asked = new HashMap<>();
        for (HostInfo other : others) {
            if (missing.containsKey(other) || lately.containsKey(other) || asked.containsKey(other)) {
                continue;
            }
            final Optional<String> silentLately = allowed ? silent.lately(other) : Optional.empty();
            if (silentLately.isPresent()) {
                lately.put(other, silentLately.get());
            } else {
                asked.put(other, peers.ask(other, path));
            }
        }
        final List<String> out = new ArrayList<>();
        for (HostInfo other : others) {
            final String reason = lately.remove(other);
            final PeerClient.Answer answer = asked.remove(other);
            if (reason != null) {
                missing.put(other, reason);
            } else if (answer != null) {
                // Thrown at the first failure where the answer must be whole: the instances asked after it are
                // not waited for, their requests ending on the client's own threads.
                await(silent, other, answer).ifPresent(out::add);
            }
        }
        return out;
    }

    /** {@code answer}'s body; empty where it failed and a partial answer is allowed, the failure named. */
    private Optional<String> await(final SilentPeers silent, final HostInfo other, final PeerClient.Answer answer)
            throws IOException {
        try {
            final String body = answer.await();
            silent.answered(other);
            return Optional.of(body);
        } catch (PeerClient.NoAnswer e) {
            silent.failed(other, e.getMessage());
            return leftOut(other, e);
        } catch (IOException e) {
            silent.answered(other);
            return leftOut(other, e);
        }
    }

    private Optional<String> leftOut(final HostInfo other, final IOException e) throws IOException {
        if (!allowed) {
            throw e;
        }
        missing.put(other, e.getMessage());
        return Optional.empty();
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
