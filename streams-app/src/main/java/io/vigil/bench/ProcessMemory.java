package io.vigil.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;

/** This JVM's memory as the bench reports it. */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /**
     * Bytes of the objects alive in the heap, as HotSpot's class histogram counts them after a full collection
     * ({@code jcmd GC.class_histogram}): the same figure whichever collector runs. What a collector reports as used
     * after {@code System.gc()} adds its own slack, and differently: with 1,000,000 series held, G1's used was 21 MB
     * above the live objects and the parallel collector's 40 MB (docs/performance-log.md, Twenty-seventh round).
     *
     * @return -1 where the JVM has no such command (not HotSpot)
     */
    public static long liveHeapBytes() {
        try {
            final Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return histogramTotalBytes(String.valueOf(histogram));
        } catch (JMException | RuntimeException e) {
            return -1;
        }
    }

    /** The bytes of a class histogram's {@code Total} line ("Total  instances  bytes"), or -1 without one. */
    static long histogramTotalBytes(final String histogram) {
        for (String line : histogram.split("\n")) {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length == 3 && fields[0].equals("Total")) {
                return Long.parseLong(fields[2]);
            }
        }
        return -1;
    }

    /**
     * Heap in use after full collections, as the collector counts it ({@code System.gc()} is a full collection with G1
     * and with the parallel collector).
     */
    public static long heapUsedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process' resident set size, from {@code /proc/self/status} (VmRSS), or -1 where there is none (not Linux). */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    // "VmRSS:	  123456 kB"
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
