package io.vigil.model;

/**
 * When a point is late (rules.md, "Evaluation (event time)"): evaluation {@code T} sees the points in
 * {@code (T - window, T]} and runs once event time reaches {@code T + grace}, so a point is late once the first
 * instant that would see it has run, not once it is some distance behind the newest timestamp. Ingest judges a point
 * against its input partition's newest timestamp by the groups of the rules naming its metric, an evaluator against
 * the low watermark it last acted on by the groups of its series' own rules, a part of those; both ask here (design.md,
 * "Event time: watermarks per input partition").
 *
 * <p>Times are epoch milliseconds of the years 0000 to 9999 (what ingest lets through) and durations at most
 * {@link DurationSyntax#LONGEST}: none of the sums here comes near overflowing a {@code long}.
 */
public final class EvaluationInstants {

    private EvaluationInstants() {
    }

    /**
     * The first evaluation instant whose window holds a point of {@code timestampMs}: {@code timestampMs} rounded up
     * to a multiple of {@code stepMs} (an aligned timestamp is its own instant). The step is a group's {@code every},
     * or a divisor of several groups' (their greatest common divisor: no instant of theirs that sees the point comes
     * before this one); 0 or less (no rules) gives {@code timestampMs} itself.
     */
    public static long firstSeeing(final long timestampMs, final long stepMs) {
        if (stepMs <= 0) {
            return timestampMs;
        }
        final long past = Math.floorMod(timestampMs, stepMs);
        return past == 0 ? timestampMs : timestampMs - past + stepMs;
    }

    /**
     * Whether a point of {@code timestampMs} is late once event time has reached {@code eventTimeMs}: the first
     * instant that would see it ({@link #firstSeeing}) has run or been made due, {@code instant + grace <=
     * eventTime}. Never before any event time ({@link Long#MIN_VALUE}). A point less than {@code grace} behind is
     * never late, and is told so without a division: nearly every point of a stream in order.
     */
    public static boolean isLate(final long timestampMs, final long stepMs, final long graceMs, final long eventTimeMs) {
        if (eventTimeMs == Long.MIN_VALUE) {
            return false;
        }
        final long dueThrough = eventTimeMs - graceMs;
        return timestampMs <= dueThrough && firstSeeing(timestampMs, stepMs) <= dueThrough;
    }

    /**
     * The last of the first instants that would see a point of {@code timestampMs} among groups stepping by {@code
     * stepsMs} (each {@link #firstSeeing}): the point is late once that one has run or been made due too. Without
     * steps, the first instant by {@code otherwiseStepMs}.
     */
    public static long lastFirstSeeing(final long timestampMs, final long[] stepsMs, final long otherwiseStepMs) {
        if (stepsMs.length == 0) {
            return firstSeeing(timestampMs, otherwiseStepMs);
        }
        long last = Long.MIN_VALUE;
        for (long step : stepsMs) {
            last = Math.max(last, firstSeeing(timestampMs, step));
        }
        return last;
    }

    /** Whether an instant has run, or been made due, once event time has reached {@code eventTimeMs}. */
    public static boolean hasRun(final long instantMs, final long graceMs, final long eventTimeMs) {
        return eventTimeMs != Long.MIN_VALUE && instantMs <= eventTimeMs - graceMs;
    }
}
