package io.vigil.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole per-series path of one datapoint in an evaluator task, as the rule set grows (issue #7's target: 1,000
 * rules cost no more than twice one rule): accepting it into its series' window, and its series' share of the
 * evaluation instant it makes due. {@value #SERIES} series, one point each per 10 s step; every series is selected by
 * exactly one threshold rule whatever the number of rules (see {@link GeneratedRules}), so the work per datapoint is
 * the same and only the number of rules in force differs.
 */
@State(Scope.Benchmark)
public class PerDatapointBenchmark extends NanosPerOperation {

    static final int SERIES = 10_000;

    @Param({"1", "10", "100", "1000"})
    public int rules;

    private Fleet fleet;

    @Setup
    public void setUp() {
        fleet = new Fleet(rules, 100, GeneratedRules.Mix.THRESHOLD, SERIES);
        fleet.warmUp(12);
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public Object acceptAndEvaluate() {
        fleet.acceptStep();
        return fleet.evaluate();
    }
}
