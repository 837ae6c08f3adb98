package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import org.junit.jupiter.api.Test;

/** The live heap as HotSpot's class histogram counts it, the figure the memory target is read from. */
class ProcessMemoryTest {

    @Test
    void theHistogramsTotalLineGivesTheLiveBytes() {
        final String histogram = """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:        200014       99203240  [D (java.base@17.0.15)
                   2:       1000001       80000080  io.vigil.evaluation.SeriesState
                Total       2989649      287676688
                """;

        assertThat(ProcessMemory.histogramTotalBytes(histogram)).isEqualTo(287_676_688L);
        assertThat(ProcessMemory.histogramTotalBytes("no histogram here")).isEqualTo(-1);
    }

    @Test
    void liveObjectsHeldAreCounted() {
        final long before = ProcessMemory.liveHeapBytes();
        final long[][] held = new long[64][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new long[128 * 1024]; // 1 MiB each
        }

        final long after = ProcessMemory.liveHeapBytes();

        assertThat(before).isPositive();
        assertThat(after - before).as("64 MiB held").isBetween(60L << 20, 72L << 20);
        Reference.reachabilityFence(held);
    }
}
