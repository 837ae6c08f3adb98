package io.vigil.bench;

import io.vigil.evaluation.TaskEvaluator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One evaluation instant ({@link TaskEvaluator#advance} over one 10 s step), per series held, for an evaluator task
 * holding {@value #SERIES} series under the realistic mix of {@link GeneratedRules} (thresholds, a deviation from a
 * 1h baseline, an outlier's peer value, an absence, a counter rate). Between invocations (not measured) one point of
 * every series arrives. The task first runs an hour of steps, so the deviation rules' baselines are full.
 */
@State(Scope.Benchmark)
public class EvaluationBenchmark extends NanosPerOperation {

    static final int SERIES = 10_000;
    /** An hour of 10 s steps and a bit: a 1h baseline is full. */
    private static final int WARM_UP_STEPS = 370;

    @Param({"1", "1000"})
    public int rules;

    private Fleet fleet;

    @Setup(Level.Trial)
    public void setUp() {
        fleet = new Fleet(rules, 100, GeneratedRules.Mix.REALISTIC, SERIES);
        fleet.warmUp(WARM_UP_STEPS);
    }

    /** The points the measured instant evaluates: not measured. */
    @Setup(Level.Invocation)
    public void acceptNextStep() {
        fleet.acceptStep();
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public TaskEvaluator.Outcome evaluate() {
        return fleet.evaluate();
    }
}
