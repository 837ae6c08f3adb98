package io.vigil.evaluation;

import java.util.Arrays;
import java.util.Optional;

/**
 * Which rules a stream task runs, and what it keeps of them in its progress store ({@link RulesRan}): a task moves to
 * the rules in force at its next record or punctuation, and after a restart it moves there from the rules it ran
 * before it, as a reload would, but keeping what a restart keeps ({@link RuleChange#RESTART}).
 */
final class TaskRules {

    /** The progress store's key of the rules the task runs. */
    static final String KEY = "rules";

    /** A task's move to other rules. */
    interface Move<T> {
        T to(RuleIndex next, RuleChange change);
    }

    private final LiveRules live;
    private final WriteBehindStore<byte[]> store;
    /** What the store holds: the rules the task runs, or ran before its restart until it has moved on. */
    private byte[] kept;
    private RuleChange nextChange = RuleChange.RELOAD;

    TaskRules(final LiveRules live, final WriteBehindStore<byte[]> store) {
        this.live = live;
        this.store = store;
        this.kept = store.get(KEY);
    }

    /**
     * The rules the task starts with: those it ran before a restart where they were others than those in force (it
     * moves to those in force at once, through {@link #follow}), else those in force.
     */
    RuleIndex atStart() {
        final LiveRules.InForce now = live.inForce();
        if (kept != null && !Arrays.equals(kept, now.kept())) {
            final Optional<RuleIndex> ran = RulesRan.decode(kept);
            if (ran.isPresent()) {
                nextChange = RuleChange.RESTART;
                return ran.get();
            }
        }
        keep(now.kept());
        return now.index();
    }

    /**
     * Moves the task to the rules in force if it runs others ({@code running}), and keeps those; null where it runs
     * them already, as at nearly every record.
     */
    <T> T follow(final RuleIndex running, final Move<T> move) {
        final LiveRules.InForce now = live.inForce();
        if (now.index() == running) {
            return null;
        }
        final T moved = move.to(now.index(), nextChange);
        nextChange = RuleChange.RELOAD;
        keep(now.kept());
        return moved;
    }

    private void keep(final byte[] rules) {
        if (rules == kept || rules != null && Arrays.equals(rules, kept)) {
            kept = rules;
            return;
        }
        if (rules == null) {
            store.delete(KEY);
        } else {
            store.put(KEY, rules);
        }
        kept = rules;
    }
}
