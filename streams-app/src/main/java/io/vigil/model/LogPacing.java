package io.vigil.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a log line about a key is due: the first for each key, then at most one every {@code everyMs} of the wall
 * clock. For a WARN that would otherwise come at every record or event of a kind (a producer dead-lettering all it
 * sends, a rule whose every event is cut), and be lost in its own repetition. Safe to share between tasks.
 *
 * @param <K> what a line is about; kept per key, so of a bounded set (reasons, rules)
 */
public final class LogPacing<K> {

    /** The period of Vigil's repeated WARN lines: a line at most every 10 minutes of a kind (and key). */
    public static final long TEN_MINUTES_MS = 600_000;

    private final long everyMs;
    private final Map<K, Long> loggedAtMs = new ConcurrentHashMap<>();

    public LogPacing(final long everyMs) {
        this.everyMs = everyMs;
    }

    /** Whether to log about {@code key} at {@code nowMs}, epoch milliseconds; if so, the next is due a period later. */
    public boolean due(final K key, final long nowMs) {
        final boolean[] due = new boolean[1];
        loggedAtMs.compute(key, (k, last) -> {
            due[0] = last == null || nowMs - last >= everyMs;
            return due[0] ? nowMs : last;
        });
        return due[0];
    }

    /**
     * The same for one key, confined to one thread (a task, a delivery loop): a field, no map, nothing allocated, for
     * the paths taken per point (a flood of late points).
     */
    public static final class Single {

        private final long everyMs;
        private long loggedAtMs = Long.MIN_VALUE;

        public Single(final long everyMs) {
            this.everyMs = everyMs;
        }

        /** Whether to log at {@code nowMs}; if so, the next is due a period later. */
        public boolean due(final long nowMs) {
            if (!wouldBeDue(nowMs)) {
                return false;
            }
            loggedAtMs = nowMs;
            return true;
        }

        /** Whether {@link #due} would say yes at {@code nowMs}, without taking the turn. */
        public boolean wouldBeDue(final long nowMs) {
            return loggedAtMs == Long.MIN_VALUE || nowMs - loggedAtMs >= everyMs;
        }
    }
}
