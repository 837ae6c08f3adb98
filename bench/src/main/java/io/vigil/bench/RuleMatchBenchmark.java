package io.vigil.bench;

import io.vigil.evaluation.RuleIndex;
import io.vigil.model.Series;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Finding the rules that select a series ({@link RuleIndex#match}), per series, as the rule set grows. The evaluator
 * does this once per new series (and for every series at a rule reload or a restore), so it is what a burst of new
 * series costs. Each series is selected by exactly one rule whatever the size of the rule set (see
 * {@link GeneratedRules}): the cost that grows with the rule set is the index's, not the work of matching.
 */
@State(Scope.Benchmark)
public class RuleMatchBenchmark extends NanosPerOperation {

    static final int SERIES = 1024;

    @Param({"1", "10", "100", "1000"})
    public int rules;

    /** Metric names the rules are spread over: 100 as in a fleet's rule files, 1 for all rules on one metric. */
    @Param({"100", "1"})
    public int metrics;

    private RuleIndex index;
    private Series[] series;

    @Setup
    public void setUp() {
        index = GeneratedRules.index(rules, metrics, GeneratedRules.Mix.REALISTIC);
        series = GeneratedRules.allSeries(SERIES, rules, metrics);
        GeneratedRules.checkEachSelectedOnce(index, series);
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public int match() {
        int found = 0;
        for (Series s : series) {
            found += index.match(s).length;
        }
        return found;
    }
}
