package io.vigil.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.evaluation.LiveRules;
import io.vigil.rules.RuleLoader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The replay's ingesting half alone, on the calling thread: a file's lines read and decoded as {@code vigil replay}
 * reads them ({@link ReplayReader}), nothing evaluated. On prometheus-kafka-adapter's bytes ingest is the replay's
 * bound, and its decoding the largest part of the engine's own work in a catch-up. {@code
 * io.vigil.bench.AlternatingBuilds} times this method of two builds in one JVM, round by round, which tells apart
 * changes of a few percent that whole replays, one JVM each, on a shared machine do not.
 */
public final class IngestHalf {

    private IngestHalf() {
    }

    /**
     * @param rules a rule file or directory, as {@code vigil replay --rules} takes
     * @return the calling thread's CPU nanoseconds per line of {@code file}, under the default configuration
     * @throws IllegalStateException a line went to the dead letters: the figure would be of another path
     */
    public static double cpuNanosPerLine(final Path file, final Path rules) throws IOException {
        final VigilConfig config = ConfigLoader.load(null, Map.of());
        final ReplayPipeline pipeline = new ReplayPipeline(new LiveRules(RuleLoader.load(List.of(rules)).ruleSet()),
                Replay.settings(config), new SimpleMeterRegistry(), System.currentTimeMillis(), event -> { });
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long started = threads.getCurrentThreadCpuTime();
        long lines = 0;
        try (InputStream in = Files.newInputStream(file)) {
            final InputLines input = new InputLines(in, config.limits().maxRecordBytes());
            IngestedBatch batch = ReplayReader.newBatch();
            byte[] line;
            while ((line = input.next()) != null) {
                pipeline.ingest(line, input.lineBytes(), batch, null);
                if (++lines % ReplayReader.RECORDS == 0) {
                    batch = ReplayReader.newBatch(); // the full one would go to the evaluating thread
                }
            }
        }
        final long cpu = threads.getCurrentThreadCpuTime() - started;
        if (pipeline.deadLetters() > 0) {
            throw new IllegalStateException(pipeline.deadLetters() + " of " + lines + " lines of " + file
                    + " went to the dead letters");
        }
        return lines == 0 ? Double.NaN : cpu / (double) lines;
    }
}
