package io.vigil.evaluation;

/**
 * A series' own recent history for a deviation rule: its window aggregates at past evaluations within the rule's
 * {@code baseline}, in a ring of bounded size. When the baseline holds more evaluations than {@link #MAX_SAMPLES},
 * every k-th evaluation is kept, so memory per series stays bounded whatever the baseline (a 1 h baseline at 10 s has
 * 360 evaluations: every second one is kept). The ring has as many slots as the baseline's kept evaluations, no more:
 * a ring of 180 at every second evaluation of a 31 min baseline (186 evaluations) held an hour of history, judged
 * against values older than the baseline and warmed up only after 30 min, not 15.5.
 *
 * <p>An evaluation whose window held no point takes its place in the ring too, as a NaN slot ({@link #skip}): the
 * ring counts time, not values, so that a series with gaps is judged against its history within the baseline, not
 * against values older than it (a series sending once a minute to a rule of a 10 s window, every 10 s, and a 2 min
 * baseline was judged against values six minutes old). A baseline is warm once half its slots hold values.
 *
 * <p>Mutable and confined to one task, like {@link SeriesState} which holds it.
 */
final class Baseline {

    static final int MAX_SAMPLES = 180;

    /**
     * The deviation rule's id: a series' only baseline is held by its state without a map, so it names its rule
     * itself. With `head` and `size` in shorts (at most {@link #MAX_SAMPLES}) it costs no byte more.
     */
    private final String ruleId;
    private final double[] samples;
    private final int stride;
    private short head;
    private short size;
    private int sinceSample;

    /** A baseline of no rule in particular (for tests). */
    Baseline(final long evaluations) {
        this(null, evaluations);
    }

    /** @param evaluations how many evaluations the baseline spans ({@code baseline / every}) */
    Baseline(final String ruleId, final long evaluations) {
        this.ruleId = ruleId;
        this.samples = new double[capacityFor(evaluations)];
        this.stride = strideFor(evaluations);
    }

    /**
     * Evaluations from one kept sample to the next: 1 up to {@link #MAX_SAMPLES} evaluations, then the fewest that keep
     * the samples within {@link #MAX_SAMPLES}.
     */
    static int strideFor(final long evaluations) {
        return (int) Math.max(1, (evaluations + MAX_SAMPLES - 1) / MAX_SAMPLES);
    }

    /**
     * Slots for the kept evaluations of a baseline of {@code evaluations}: rounded down, so that the oldest sample is
     * never older than the baseline (rules.md: "within baseline").
     */
    static int capacityFor(final long evaluations) {
        return (int) Math.max(1, evaluations / strideFor(evaluations));
    }

    /** Whether this ring is the one a baseline of {@code evaluations} wants: not once the rule's baseline or every changed. */
    boolean fits(final long evaluations) {
        return samples.length == capacityFor(evaluations) && stride == strideFor(evaluations);
    }

    /**
     * This history in the ring a baseline of {@code evaluations} wants: its newest samples, as many as fit, where
     * they were kept at the same stride (a state written before the ring's size was fitted to the baseline); none
     * where the stride differs, as their times would be misread.
     */
    Baseline refitted(final long evaluations) {
        final Baseline fitted = new Baseline(ruleId, evaluations);
        if (fitted.stride != stride) {
            return fitted;
        }
        final int kept = Math.min(size, fitted.samples.length);
        // Oldest first: the ring's newest sample is just before head, its oldest (once full) at head.
        for (int i = kept; i > 0; i--) {
            fitted.samples[kept - i] = samples[Math.floorMod(head - i, samples.length)];
        }
        fitted.head = (short) (kept % fitted.samples.length);
        fitted.size = (short) kept;
        fitted.sinceSample = sinceSample;
        return fitted;
    }

    Baseline(final String ruleId, final double[] samples, final int stride, final int head, final int size,
             final int sinceSample) {
        this.ruleId = ruleId;
        this.samples = samples;
        this.stride = stride;
        this.head = (short) head;
        this.size = (short) size;
        this.sinceSample = sinceSample;
    }

    String ruleId() {
        return ruleId;
    }

    /** Offers one evaluation's aggregate; only every {@code stride}-th is kept. */
    void offer(final double value) {
        if (sinceSample++ % stride != 0) {
            return;
        }
        samples[head] = value;
        head = (short) ((head + 1) % samples.length);
        size = (short) Math.min(size + 1, samples.length);
    }

    /**
     * Counts {@code evaluations} evaluations without a value, in time order before the next {@link #offer}: each kept
     * one a NaN slot, pushing out the oldest values as an evaluation with a value would.
     */
    void skip(final long evaluations) {
        if (evaluations >= (long) samples.length * stride) {
            clear();
            return;
        }
        for (long i = 0; i < evaluations; i++) {
            offer(Double.NaN);
        }
    }

    /** Forgets the history: none of it lies within the baseline any more (the series was silent longer). */
    void clear() {
        head = 0;
        size = 0;
        sinceSample = 0;
    }

    /** rules.md: a deviation needs at least half the baseline of history. */
    boolean isWarm() {
        return size * 2 >= samples.length && values() * 2 >= samples.length;
    }

    /** The slots that hold a value, not an evaluation without one. */
    private int values() {
        int values = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(samples[i])) {
                values++;
            }
        }
        return values;
    }

    /** How many kept evaluations a baseline of {@code evaluations} needs before {@link #isWarm}. */
    static int warmAt(final long evaluations) {
        return (capacityFor(evaluations) + 1) / 2;
    }

    int size() {
        return size;
    }

    /**
     * The evaluations its history spans: each sample kept stands for {@link #stride} of them, up to the whole ring's.
     * What a user counts, where {@link #size} counts samples: a 1h baseline at 10 s keeps every second evaluation.
     */
    int evaluationsHeld() {
        final int values = values();
        return values < size ? values * stride : (int) Math.min(sinceSample, (long) samples.length * stride);
    }

    /** How many evaluations a baseline of {@code evaluations} must see before {@link #isWarm}: the warm sample's. */
    static int evaluationsToWarm(final long evaluations) {
        return (warmAt(evaluations) - 1) * strideFor(evaluations) + 1;
    }

    /**
     * The median and the median absolute deviation of the history, in {@code out[0]} and {@code out[1]}.
     *
     * @param work room for {@link #MAX_SAMPLES} values to reorder a copy of the ring in, the caller's (one per
     *             evaluator, not per series; a thread-local was found through a probe of the thread's map, about a
     *             tenth of a deviation rule's evaluation in a replay's profile)
     */
    void medianAndMad(final double[] out, final double[] work) {
        // Until the ring is full its samples are [0, size); after, all of it: either way the first `size` slots.
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(samples[i])) {
                work[n++] = samples[i];
            }
        }
        final double median = RobustStatistics.medianInPlace(work, n);
        for (int i = 0; i < n; i++) {
            work[i] = Math.abs(work[i] - median);
        }
        out[0] = median;
        out[1] = RobustStatistics.medianInPlace(work, n);
    }

    /**
     * The mean and the population standard deviation of the history, in {@code out[0]} and {@code out[1]}. Two passes
     * over at most {@link #MAX_SAMPLES} values: exact where a running sum would lose digits on large counters.
     */
    void meanAndStddev(final double[] out) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(samples[i])) {
                sum += samples[i];
                n++;
            }
        }
        final double mean = sum / n;
        double squares = 0;
        for (int i = 0; i < size; i++) {
            if (!Double.isNaN(samples[i])) {
                final double d = samples[i] - mean;
                squares += d * d;
            }
        }
        out[0] = mean;
        out[1] = Math.sqrt(squares / n);
    }

    double[] samples() {
        return samples;
    }

    int stride() {
        return stride;
    }

    int head() {
        return head;
    }

    int sinceSample() {
        return sinceSample;
    }
}
