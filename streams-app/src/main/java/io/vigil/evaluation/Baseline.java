package io.vigil.evaluation;

/**
 * A series' own recent history for a deviation rule: its window aggregates at past evaluations within the rule's
 * {@code baseline}, in a ring of bounded size. When the baseline holds more evaluations than the ring, every k-th
 * evaluation is kept, so memory per series stays fixed whatever the baseline (a 1 h baseline at 10 s has 360
 * evaluations; the ring keeps at most {@link #MAX_SAMPLES}).
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
        final int capacity = (int) Math.max(1, Math.min(evaluations, MAX_SAMPLES));
        this.ruleId = ruleId;
        this.samples = new double[capacity];
        this.stride = (int) Math.max(1, (evaluations + capacity - 1) / capacity);
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

    /** Forgets the history: none of it lies within the baseline any more (the series was silent longer). */
    void clear() {
        head = 0;
        size = 0;
        sinceSample = 0;
    }

    /** rules.md: a deviation needs at least half the baseline of history. */
    boolean isWarm() {
        return size * 2 >= samples.length;
    }

    int size() {
        return size;
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
        System.arraycopy(samples, 0, work, 0, size);
        final double median = RobustStatistics.medianInPlace(work, size);
        for (int i = 0; i < size; i++) {
            work[i] = Math.abs(work[i] - median);
        }
        out[0] = median;
        out[1] = RobustStatistics.medianInPlace(work, size);
    }

    /**
     * The mean and the population standard deviation of the history, in {@code out[0]} and {@code out[1]}. Two passes
     * over at most {@link #MAX_SAMPLES} values: exact where a running sum would lose digits on large counters.
     */
    void meanAndStddev(final double[] out) {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += samples[i];
        }
        final double mean = sum / size;
        double squares = 0;
        for (int i = 0; i < size; i++) {
            final double d = samples[i] - mean;
            squares += d * d;
        }
        out[0] = mean;
        out[1] = Math.sqrt(squares / size);
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
