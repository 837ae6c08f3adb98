package io.vigil.ingest;

import io.vigil.model.Datapoint;

/**
 * Told of each point ingest drops as late, in place of its log line. A running engine logs them by input partition
 * ({@code input metrics/3: ...}, at most every 10 minutes), which is where an operator looks for the producer; a
 * replay's input is a file, and its user wants the file's line, which only the replay knows.
 */
@FunctionalInterface
public interface LatePoints {

    /**
     * @param point       the point dropped, already counted
     * @param instantMs   the first evaluation instant that would have seen it, which had run
     * @param eventTimeMs its partition's event time, at least {@code instantMs} + grace
     */
    void dropped(Datapoint point, long instantMs, long eventTimeMs);
}
