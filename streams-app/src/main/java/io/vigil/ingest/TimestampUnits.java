package io.vigil.ingest;

/**
 * A hint for a timestamp refused as far from the others: the same number read in another unit would be near them. A
 * producer that writes epoch seconds where milliseconds are read lands in January 1970; microseconds or nanoseconds,
 * thousands of years ahead. Said beside the reason, so that the dead letter names the likely mistake; by the factor,
 * as the timestamp reaches it in milliseconds whatever its format's unit (line protocol's precision, Telegraf JSON's
 * seconds), with the JSON datapoints' case, milliseconds, as the example.
 */
final class TimestampUnits {

    /** How near the reference a timestamp read in another unit must come to be named. */
    private static final long NEAR_MS = 7L * 24 * 3_600_000;

    private TimestampUnits() {
    }

    /**
     * {@code "; ..."} naming the likely mistake where {@code timestampMs}, 1,000 times later or 1,000 or 1,000,000
     * times earlier, would be within a week of {@code referenceMs}; "" otherwise.
     */
    static String hint(final long timestampMs, final long referenceMs) {
        if (timestampMs > 0 && timestampMs < Long.MAX_VALUE / 1_000 && near(timestampMs * 1_000, referenceMs)) {
            return "; as 1,000 times that it is near the others: seconds for milliseconds?";
        }
        if (near(timestampMs / 1_000, referenceMs)) {
            return "; as a 1,000th of that it is near the others: microseconds for milliseconds?";
        }
        if (near(timestampMs / 1_000_000, referenceMs)) {
            return "; as a 1,000,000th of that it is near the others: nanoseconds for milliseconds?";
        }
        return "";
    }

    private static boolean near(final long ms, final long referenceMs) {
        return ms > referenceMs - NEAR_MS && ms < referenceMs + NEAR_MS;
    }
}
