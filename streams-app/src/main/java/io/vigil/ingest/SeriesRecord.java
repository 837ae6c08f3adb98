package io.vigil.ingest;

/**
 * A record of the series repartition topic as ingest sends it, encoded ({@link SeriesBundler}): a bundle of points,
 * one point (bundling off), or a watermark or idle notice. The record's key goes with it.
 */
public record SeriesRecord(byte[] value) implements IngestOutput {
}
