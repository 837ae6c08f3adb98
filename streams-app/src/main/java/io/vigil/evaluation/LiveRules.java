package io.vigil.evaluation;

import io.vigil.rules.RuleSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rules in force, replaceable while the engine runs (hot reload). Stream tasks read it on their own thread and
 * move to a new rule set at their next record or punctuation, keeping the state of every rule that did not change.
 */
public final class LiveRules {

    private final AtomicReference<RuleIndex> current;

    public LiveRules(final RuleSet rules) {
        this.current = new AtomicReference<>(new RuleIndex(rules));
    }

    public RuleIndex current() {
        return current.get();
    }

    public void replace(final RuleSet rules) {
        current.set(new RuleIndex(rules));
    }
}
