package io.vigil.rules;

/**
 * How a deviation rule summarises a series' history into a centre and a spread (the {@code method} key).
 *
 * <p>{@link #MAD} is rules.md's robust z-score: median and median absolute deviation, blind to the occasional spike,
 * so any departure from the usual level counts. {@link #STDDEV} is the classic z-score: mean and standard deviation,
 * which take the series' usual bursts into the spread, so on a spiky series only a change larger than its usual
 * bursts counts (on the real CloudWatch series of docs/detection-quality.md it halves the false alarms of a
 * level-shift rule).
 */
public enum BaselineMethod {
    MAD, STDDEV
}
