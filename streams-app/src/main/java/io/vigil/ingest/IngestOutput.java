package io.vigil.ingest;

/** What the ingest stage emits per input record: messages for the evaluators, or the record for the dead-letter topic. */
public sealed interface IngestOutput permits SeriesMessage, DeadLetter {
}
