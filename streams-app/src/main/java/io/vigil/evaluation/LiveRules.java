package io.vigil.evaluation;

import io.vigil.rules.RuleSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rules in force, replaceable while the engine runs (hot reload). Stream tasks read it on their own thread and
 * move to a new rule set at their next record or punctuation, keeping the state of every rule that did not change.
 */
public final class LiveRules {

    /**
     * A rule set with what a task keeps of it ({@link RulesRan#encode}: null for none), encoded once for every task.
     */
    record InForce(RuleIndex index, byte[] kept) {
    }

    private final AtomicReference<InForce> current;

    public LiveRules(final RuleSet rules) {
        this.current = new AtomicReference<>(inForce(rules));
    }

    public RuleIndex current() {
        return current.get().index();
    }

    /** The rules in force with what a task keeps of them, read at one moment. */
    InForce inForce() {
        return current.get();
    }

    public void replace(final RuleSet rules) {
        current.set(inForce(rules));
    }

    private static InForce inForce(final RuleSet rules) {
        return new InForce(new RuleIndex(rules), RulesRan.encode(rules.sources()));
    }
}
