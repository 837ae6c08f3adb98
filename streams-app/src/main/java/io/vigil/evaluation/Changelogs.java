package io.vigil.evaluation;

import java.util.Map;

/**
 * The topic settings of the stores' changelogs, which Kafka Streams creates compacted. Compaction only cleans closed
 * segments, and Kafka's default segment rolls after 7 days (or 1 GB): a changelog kept every write of its first week,
 * and a restart replayed them all (a soak, 2026-12-07: the changelogs grew 32 MB an hour for a fleet of 200 nodes, a
 * restart after a week would have read about 5 GB). Rolled every hour, a changelog holds about its states and an hour
 * or two of writes. Kafka Streams sets these when it creates a changelog; one it made before keeps its own.
 */
public final class Changelogs {

    /** A segment an hour. */
    public static final Map<String, String> TOPIC_CONFIG = Map.of("segment.ms", "3600000");

    private Changelogs() {
    }
}
