package io.vigil.ingest;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The answers of the rules in force ({@link SelectedMetrics}) remembered per metric name instance, for one task's
 * ingest. The names ingest reads are the instances {@link KnownLabels} keeps, one per name, so a point's answer is
 * found by comparing references in a slot its name's (cached) hash picks: asking the rules a hash map lookup per
 * datapoint, whose string comparison reads the name's bytes, was about 4 % of a catching-up stream thread.
 *
 * <p>A name in another instance (one too long for {@code KnownLabels} to keep, or after its table let it go) misses
 * and is asked again, so the answer is always the rules' own. Replaced rules (a reload) are seen at the next point,
 * since the rules in force are read at each one, and forget every answer.
 *
 * <p>Not thread-safe: a task's ingest reads it on the task's thread only.
 */
public final class RememberedSelection implements SelectedMetrics {

    /** A power of two; a fleet's rules name a few metrics, and a missed slot costs one question to the rules. */
    private static final int SLOTS = 64;

    private final Supplier<? extends SelectedMetrics> inForce;
    private final String[] names = new String[SLOTS];
    private final boolean[] answers = new boolean[SLOTS];
    private final long[][] steps = new long[SLOTS][];
    private SelectedMetrics answeredBy;

    /** @param inForce the rules in force, read at each point; a new instance means new rules */
    public RememberedSelection(final Supplier<? extends SelectedMetrics> inForce) {
        this.inForce = inForce;
    }

    @Override
    public boolean selects(final String metricName) {
        final SelectedMetrics rules = inForce.get();
        if (rules != answeredBy) {
            Arrays.fill(names, null);
            answeredBy = rules;
        }
        final int slot = metricName.hashCode() & (SLOTS - 1);
        if (names[slot] == metricName) {
            return answers[slot];
        }
        final boolean answer = rules.selects(metricName);
        names[slot] = metricName;
        answers[slot] = answer;
        steps[slot] = rules.stepsMs(metricName);
        return answer;
    }

    /** The answer of the rules {@link #selects} last asked, for a metric it has just been asked about. */
    @Override
    public long[] stepsMs(final String metricName) {
        final int slot = metricName.hashCode() & (SLOTS - 1);
        if (names[slot] == metricName && answeredBy == inForce.get()) {
            return steps[slot];
        }
        return inForce.get().stepsMs(metricName);
    }
}
