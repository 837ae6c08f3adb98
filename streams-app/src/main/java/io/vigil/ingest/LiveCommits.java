package io.vigil.ingest;

import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Commits at the live pace while ingest keeps up with its input, and at Kafka Streams' {@code commit.interval.ms}
 * while it works through a backlog.
 *
 * <p>Under exactly-once every hop of an alert's path waits for a commit, so live data wants them often (Kafka's
 * default, 100 ms). A backlog wants them rare: a series' state goes to the changelog once per commit, and a commit
 * covering less than a scrape of every series writes one state per datapoint; a 5 s commit interval cut the process'
 * CPU per datapoint of a catch-up to 0.85x (docs/performance.md). So the engine sets {@code commit.interval.ms} to
 * the backlog's pace ({@link #BACKLOG_INTERVAL_MS}) and ingest asks for a commit ({@link ProcessorContext#commit()})
 * at most every {@link #INTERVAL_CONFIG} while it is not behind.
 *
 * <p>The stages after ingest ask too, unless ingest last found itself behind, and a stream thread asks at most once
 * per interval whichever of its processors asks ({@link Pace}): the last records of a backlog leave their output in
 * those stages after ingest's last request.
 *
 * <p>Behind means both: the record being processed was stamped more than {@link #BEHIND_MS} ago (a hiccup of a
 * second or two leaves the pace alone), and more than {@link #BEHIND_RECORDS} records wait in Kafka on its partition
 * (a producer whose clock runs late makes old-looking records, not a backlog).
 */
public final class LiveCommits {

    /** The Streams setting ({@code kafka.vigil.live.commit.interval.ms}) of the live pace; 0 turns requests off. */
    public static final String INTERVAL_CONFIG = "vigil.live.commit.interval.ms";
    /** Kafka's own default under exactly-once. */
    public static final long DEFAULT_INTERVAL_MS = 100;
    /**
     * The engine's {@code commit.interval.ms}: a fifth of the transaction timeout Kafka Streams sets under exactly-once
     * (10 s), which a transaction must not outlive, with room for a slow commit.
     */
    public static final long BACKLOG_INTERVAL_MS = 2_000;
    static final long BEHIND_MS = 10_000;
    static final long BEHIND_RECORDS = 1_000;

    /**
     * What the processors of one topology share, per stream thread (its tasks commit in one transaction): when a
     * commit was last asked for, so that the thread asks at the live pace whichever of its processors asks, and
     * whether ingest last found its input behind, so that the stages after it (a backlog's last records leave output
     * in them after ingest's last request) do not ask during a backlog.
     */
    public static final class Pace {
        private final ThreadLocal<long[]> lastRequestMs = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE});
        private final ThreadLocal<boolean[]> behind = ThreadLocal.withInitial(() -> new boolean[1]);
    }

    private final long intervalMs;
    private final Pace pace;

    private LiveCommits(final long intervalMs, final Pace pace) {
        this.intervalMs = intervalMs;
        this.pace = pace;
    }

    /** The pace the application's configuration sets ({@link #INTERVAL_CONFIG}; absent: off, as in tests). */
    public static LiveCommits from(final Map<String, Object> appConfigs, final Pace pace) {
        final Object configured = appConfigs.get(INTERVAL_CONFIG);
        return new LiveCommits(configured == null ? 0 : interval(configured.toString()), pace);
    }

    /** Reads the setting's value; the message says what is wrong. */
    public static long interval(final String text) {
        final long ms;
        try {
            ms = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected milliseconds (0: no commits asked for), not \"" + text + "\"");
        }
        if (ms < 0) {
            throw new IllegalArgumentException("must be at least 0 (no commits asked for), not " + ms);
        }
        return ms;
    }

    /**
     * After a record of {@code topic}/{@code partition} stamped {@code recordTimestampMs}: asks for a commit if the
     * live pace is due and the partition is not behind.
     */
    void afterRecord(final ProcessorContext<?, ?> context, final long recordTimestampMs, final SourceLag lag,
                     final String topic, final int partition) {
        if (!due(context)) {
            return;
        }
        // Judged at most once per interval: the consumer's lag takes its lock.
        boolean behind = false;
        if (context.currentSystemTimeMs() - recordTimestampMs > BEHIND_MS && topic != null) {
            final OptionalLong waiting = lag.of(topic, partition);
            behind = waiting.isEmpty() || waiting.getAsLong() > BEHIND_RECORDS;
        }
        pace.behind.get()[0] = behind;
        if (!behind) {
            request(context);
        }
    }

    /** After a later stage's output: asks for a commit at the live pace unless ingest is behind. */
    public void afterOutput(final ProcessorContext<?, ?> context) {
        if (!pace.behind.get()[0] && due(context)) {
            request(context);
        }
    }

    private boolean due(final ProcessorContext<?, ?> context) {
        final long last = pace.lastRequestMs.get()[0];
        return intervalMs > 0 && (last == Long.MIN_VALUE || context.currentSystemTimeMs() - last >= intervalMs);
    }

    private void request(final ProcessorContext<?, ?> context) {
        pace.lastRequestMs.get()[0] = context.currentSystemTimeMs();
        context.commit();
    }
}
