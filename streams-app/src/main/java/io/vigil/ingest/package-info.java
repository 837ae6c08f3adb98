/**
 * The first stage of the flow: Kafka record values to {@link io.vigil.model.Datapoint}s. {@link
 * io.vigil.ingest.RecordDecoder} detects the format of each record, decodes it within {@link
 * io.vigil.ingest.IngestLimits}, and returns every problem as a {@link io.vigil.ingest.Rejection} tagged with a
 * {@link io.vigil.ingest.DeadLetterReason}, for the dead-letter topic and the rejection counter. Nothing here
 * throws on bad input or reads a clock.
 */
package io.vigil.ingest;
