package io.vigil.app;

import io.vigil.evaluation.AlertStatus;
import java.time.Instant;

/** How the HTTP API writes numbers and times, the same in every answer. */
final class ApiJson {

    private ApiJson() {
    }

    /** A number, or null where there is none (NaN) or it is infinite: JSON has neither. */
    static Object number(final double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** An RFC 3339 time, or null for {@link AlertStatus#NONE}. */
    static String time(final long epochMs) {
        return epochMs == AlertStatus.NONE ? null : Instant.ofEpochMilli(epochMs).toString();
    }
}
