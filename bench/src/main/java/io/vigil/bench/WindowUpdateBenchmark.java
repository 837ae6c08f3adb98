package io.vigil.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Taking a datapoint of a series the evaluator already holds into its window ({@code TaskEvaluator.accept}, and
 * {@code drainChanged} once per step: the public path; SeriesEvaluationProcessor's own, {@code take}, keeps its own
 * list of changed states and so costs a little less), per datapoint. Each invocation
 * brings one point for each of {@value #SERIES} series, 10 s after the last; between invocations (not measured) the
 * evaluator runs that instant, which prunes the windows, so every window holds the 6 points of a 1m window as it
 * does in steady state.
 */
@State(Scope.Benchmark)
public class WindowUpdateBenchmark extends NanosPerOperation {

    static final int SERIES = 10_000;

    @Param({"1", "1000"})
    public int rules;

    private Fleet fleet;

    @Setup(Level.Trial)
    public void setUp() {
        fleet = new Fleet(rules, 100, GeneratedRules.Mix.THRESHOLD, SERIES);
        fleet.warmUp(12);
    }

    /** Evaluates the previous step's points (pruning the windows): state for the next invocation, not measured. */
    @Setup(Level.Invocation)
    public void evaluatePreviousStep() {
        fleet.evaluate();
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public int accept() {
        return fleet.acceptStep();
    }
}
