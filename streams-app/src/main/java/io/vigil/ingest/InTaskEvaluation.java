package io.vigil.ingest;

import io.vigil.model.Datapoint;

/**
 * The evaluation of ingest's own task, where the input is partitioned by series ({@code topics.partitioned_by_series}):
 * ingest calls it with each point and notice as it makes them, on the task's thread. Forwarding them through Kafka
 * Streams instead (a record and its context per point, the split that separates the dead letters, a pass-through
 * node, evaluation's per-record checks) took about a tenth of the stream threads in a catch-up.
 */
public interface InTaskEvaluation {

    /** A point that was not late at its source, read from a record stamped {@code recordTimestamp}. */
    void point(Datapoint point, long recordTimestamp);

    /** A watermark or an idle notice, as the evaluators of the series repartition get them. */
    void notice(SeriesMessage notice, long timestamp);
}
