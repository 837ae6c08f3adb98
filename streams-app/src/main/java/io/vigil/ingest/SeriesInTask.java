package io.vigil.ingest;

/**
 * A series message for the evaluator of the same task, as an object: where the input is partitioned by series
 * ({@code topics.partitioned_by_series}), ingest hands its points, watermarks and idle notices on in the task that read
 * them, with no series repartition (so nothing to encode, bundle or read back).
 */
public record SeriesInTask(SeriesMessage message) implements IngestOutput {
}
