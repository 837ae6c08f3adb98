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
 * list of changed states and so costs a little less), per datapoint, for {@value #SERIES} series stepped as
 * {@link SteadyWindowSteps} says.
 */
@State(Scope.Benchmark)
public class WindowUpdateBenchmark extends SteadyWindowSteps {

    static final int SERIES = 10_000;

    @Param({"1", "1000"})
    public int rules;

    @Setup(Level.Trial)
    public void setUp() {
        warm(new Fleet(rules, 100, GeneratedRules.Mix.THRESHOLD, SERIES));
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public int accept() {
        return acceptStep();
    }
}
