package io.vigil.ingest;

import io.vigil.model.Datapoint;

/**
 * What ingest sends to the evaluators: datapoints keyed by series, and each source partition's progress in event time,
 * broadcast to every evaluator (see evaluation's EventClock). Encoded through the series repartition topic; handed,
 * never encoded, to the evaluation of ingest's own task where the input is partitioned by series
 * ({@link InTaskEvaluation}).
 */
public sealed interface SeriesMessage permits SeriesMessage.Point, SeriesMessage.Watermark,
        SeriesMessage.SourceIdle {

    /** A datapoint that was not late at its source. */
    record Point(Datapoint datapoint) implements SeriesMessage {
    }

    /** Source {@code source} has seen no timestamp newer than {@code timestampMs}, and sent every point before this. */
    record Watermark(String source, long timestampMs) implements SeriesMessage {
    }

    /**
     * Source {@code source} has had no record for the idle timeout (wall clock), and has none waiting. Its record
     * timestamp is the wall clock when it was announced: an evaluator ignores notices from before it started.
     */
    record SourceIdle(String source) implements SeriesMessage {
    }
}
