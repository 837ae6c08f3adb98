package io.vigil.evaluation;

import java.util.Arrays;

/**
 * The series of one {@link TaskEvaluator} sorted by the rule groups they have rules in, each set of groups a small
 * number (a visit class), and what the evaluation pass last found of each class: its earliest point, its earliest
 * deadline, its active and firing alerts. An evaluation instant visits only the classes with a group due; the task's
 * totals are the sums over the classes, visited or not.
 *
 * <p>Class 0 stands for "every group": the series whose rules are in groups beyond a mask's 64, and all series once
 * there are more distinct sets of groups than classes. It is visited at every instant, as every series was before.
 */
final class VisitClasses {

    /** Most sets of groups a task tells apart; a {@code byte} per series and per table slot holds the class. */
    static final int MAX_CLASSES = Byte.MAX_VALUE + 1;

    private long[] masks = {-1};
    private long[] earliest = {Long.MAX_VALUE};
    private long[] deadline = {Long.MAX_VALUE};
    private int[] active = {0};
    private int[] firing = {0};
    private boolean[] visit = {true};

    /** Forgets every class (the rules changed); states must be given their class again. */
    void clear() {
        masks = new long[] {-1};
        earliest = new long[] {Long.MAX_VALUE};
        deadline = new long[] {Long.MAX_VALUE};
        active = new int[] {0};
        firing = new int[] {0};
        visit = new boolean[] {true};
    }

    /** The class of series with rules in the groups of {@code groupMask} (bit g: group g; -1: every group). */
    byte of(final long groupMask) {
        if (groupMask == -1 || groupMask == 0) {
            return 0;
        }
        for (int c = 1; c < masks.length; c++) {
            if (masks[c] == groupMask) {
                return (byte) c;
            }
        }
        if (masks.length == MAX_CLASSES) {
            return 0;
        }
        final int c = masks.length;
        masks = Arrays.copyOf(masks, c + 1);
        masks[c] = groupMask;
        earliest = Arrays.copyOf(earliest, c + 1);
        earliest[c] = Long.MAX_VALUE;
        deadline = Arrays.copyOf(deadline, c + 1);
        deadline[c] = Long.MAX_VALUE;
        active = Arrays.copyOf(active, c + 1);
        firing = Arrays.copyOf(firing, c + 1);
        visit = Arrays.copyOf(visit, c + 1);
        return (byte) c;
    }

    /**
     * Which classes an instant with the groups of {@code dueMask} due visits, by class; their findings are reset, for
     * the pass to {@link #add} its series to. The array is this object's own, valid until the next call.
     */
    boolean[] visiting(final long dueMask) {
        for (int c = 0; c < masks.length; c++) {
            visit[c] = (masks[c] & dueMask) != 0;
            if (visit[c]) {
                earliest[c] = Long.MAX_VALUE;
                deadline[c] = Long.MAX_VALUE;
                active[c] = 0;
                firing[c] = 0;
            }
        }
        return visit;
    }

    /**
     * {@link #visiting} for several instants taken together, with the groups of {@code dueMasks[0 .. n - 1]} due: the
     * classes any of them visits.
     */
    boolean[] visitingAny(final long[] dueMasks, final int n) {
        long any = 0;
        for (int k = 0; k < n; k++) {
            any |= dueMasks[k];
        }
        return visiting(any);
    }

    /** Whether an instant with the groups of {@code dueMask} due visits class {@code c}. */
    boolean visits(final byte c, final long dueMask) {
        return (masks[c] & dueMask) != 0;
    }

    /** What one series of class {@code c} adds to its class's findings. */
    void add(final byte c, final long earliestPoint, final long nextDeadline, final int alerts, final int firingAlerts) {
        earliest[c] = Math.min(earliest[c], earliestPoint);
        deadline[c] = Math.min(deadline[c], nextDeadline);
        active[c] += alerts;
        firing[c] += firingAlerts;
    }

    /** A point taken into a series of class {@code c} since its class was last visited. */
    void tookPoint(final byte c, final long timestampMs) {
        earliest[c] = Math.min(earliest[c], timestampMs);
    }

    long earliest() {
        long min = Long.MAX_VALUE;
        for (long e : earliest) {
            min = Math.min(min, e);
        }
        return min;
    }

    long deadline() {
        long min = Long.MAX_VALUE;
        for (long d : deadline) {
            min = Math.min(min, d);
        }
        return min;
    }

    int active() {
        return Arrays.stream(active).sum();
    }

    int firing() {
        return Arrays.stream(firing).sum();
    }
}
