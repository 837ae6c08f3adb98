package io.vigil.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * The benchmark JVM's CPU time per operation, all its threads (so garbage collection counts), next to JMH's wall
 * time: {@code -prof io.vigil.bench.CpuTimeProfiler}. On a machine shared with other work a thread waits for a core,
 * which wall time counts and CPU time does not, so CPU time is the steadier figure there. It also counts what runs
 * outside the measured method within an iteration (a {@code Level.Invocation} setup), so it only means the cost of
 * the measured method for benchmarks without one.
 */
public final class CpuTimeProfiler implements InternalProfiler {

    private long cpuBefore;

    @Override
    public String getDescription() {
        return "CPU time of the benchmark JVM (all threads) per operation";
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams) {
        cpuBefore = processCpuNanos();
    }

    @Override
    public Collection<? extends Result> afterIteration(final BenchmarkParams benchmarkParams,
                                                       final IterationParams iterationParams,
                                                       final IterationResult result) {
        final long cpu = processCpuNanos() - cpuBefore;
        final long ops = Math.max(1, result.getMetadata().getAllOps());
        return List.of(new ScalarResult("cpu.time/op", (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
