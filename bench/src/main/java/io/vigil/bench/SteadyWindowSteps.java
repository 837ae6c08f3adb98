package io.vigil.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * How the window-update benchmarks step their fleet: each invocation takes one point of every series, 10 s after the
 * last; between invocations (not measured) the evaluator runs that instant, which prunes the windows, so every window
 * holds the 6 points of a 1m window as it does in steady state.
 */
public abstract class SteadyWindowSteps extends NanosPerOperation {

    private Fleet fleet;

    /** Steps {@code stepped} until its windows are full; for the trial's set-up. */
    void warm(final Fleet stepped) {
        stepped.warmUp(12);
        this.fleet = stepped;
    }

    /** Evaluates the previous step's points (pruning the windows): state for the next invocation, not measured. */
    @Setup(Level.Invocation)
    public void evaluatePreviousStep() {
        fleet.evaluate();
    }

    /** The measured step: one point of every series; how many were accepted. */
    int acceptStep() {
        return fleet.acceptStep();
    }
}
