package io.vigil.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link WindowUpdateBenchmark} with a million series in the task rather than 10,000: their states, hundreds of
 * megabytes, no longer fit any cache, and each point's lookup and window are cache misses, as in a large fleet's
 * catch-up. One rule; the series are taken in the order they were made, as that benchmark takes them.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class WindowUpdateAtScaleBenchmark extends SteadyWindowSteps {

    static final int SERIES = 1_000_000;

    @Setup(Level.Trial)
    public void setUp() {
        warm(new Fleet(1, 100, GeneratedRules.Mix.THRESHOLD, SERIES));
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public int accept() {
        return acceptStep();
    }
}
