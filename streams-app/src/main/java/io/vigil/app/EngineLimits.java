package io.vigil.app;

import io.vigil.ingest.IngestLimits;

/** The ingest limits a configuration asks for. */
final class EngineLimits {

    private EngineLimits() {
    }

    static IngestLimits of(final VigilConfig config) {
        final IngestLimits d = IngestLimits.defaults();
        return new IngestLimits(d.maxRecordBytes(), d.maxLabels(), d.maxLabelNameLength(), d.maxLabelValueLength(),
                config.maxFutureSkew());
    }
}
