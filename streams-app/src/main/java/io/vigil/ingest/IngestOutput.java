package io.vigil.ingest;

/**
 * What the ingest stage forwards: records of the series repartition topic for the evaluators (its {@link SeriesMessage}s,
 * encoded), or an input record for the dead-letter topic. (Where the input is partitioned by series, the messages go
 * to the evaluation of the same task directly: {@link InTaskEvaluation}.)
 */
public sealed interface IngestOutput permits SeriesRecord, DeadLetter {
}
