package io.vigil.ingest;

/**
 * What the ingest stage emits: records of the series repartition topic for the evaluators (its {@link SeriesMessage}s,
 * encoded), the messages themselves for the evaluator of the same task (input partitioned by series), or an input
 * record for the dead-letter topic.
 */
public sealed interface IngestOutput permits SeriesRecord, SeriesMessage, DeadLetter {
}
