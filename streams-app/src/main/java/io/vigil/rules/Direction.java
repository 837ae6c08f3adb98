package io.vigil.rules;

/**
 * Which side of normal counts as anomalous. Deviation rules write it {@code up|down|both}, outlier rules
 * {@code high|low|both}; both spellings land here.
 */
public enum Direction {
    HIGH, LOW, BOTH;

    /** True when {@code x} lies on an anomalous side of {@code center}. */
    public boolean accepts(final double x, final double center) {
        return switch (this) {
            case HIGH -> x > center;
            case LOW -> x < center;
            case BOTH -> x != center;
        };
    }
}
