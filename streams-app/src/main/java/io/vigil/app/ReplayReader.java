package io.vigil.app;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;

/**
 * {@code vigil replay}'s second thread: reads the input files (one record per line, blank lines skipped; several
 * files merged by time, {@link TimeMergedLines}) and runs
 * ingest's half of the {@link ReplayPipeline} over them, ahead of evaluation on the replaying thread. It hands
 * the points and notices over in batches of {@value #RECORDS} records through a small bounded queue, in input order,
 * then an end marker. Decoding is about half of a replay's work and evaluation the rest, so with a second core the
 * two overlap; the order of what evaluation sees, and so every alert event, is the same as on one thread.
 *
 * <p>What fails the reading thread is thrown by {@link #next()} on the replaying thread; a replaying thread that stops
 * early {@link #close() closes} the reader, which stops the reading thread.
 */
final class ReplayReader implements AutoCloseable {

    /** Records per batch: the threads meet once per batch, not once per record. */
    static final int RECORDS = 1_024;
    /** Batches read ahead of evaluation: enough to ride out a pause of either thread (a GC), and little memory. */
    private static final int READ_AHEAD = 4;
    private static final IngestedBatch END = new IngestedBatch(0);

    private final ReplayPipeline pipeline;
    private final List<Path> inputs;
    private final int maxLineBytes;
    /** For the times of several inputs' lines, which are read merged by time ({@link TimeMergedLines}). */
    private final io.vigil.ingest.RecordDecoder decoder;
    private final long nowMs;
    private final BlockingQueue<IngestedBatch> queue = new ArrayBlockingQueue<>(READ_AHEAD);
    private final Thread thread;
    /** Set by the reading thread before it queues {@link #END}, so the queue publishes it. */
    private Throwable failure;

    /**
     * Starts reading {@code inputs} into {@code pipeline}'s ingest half.
     *
     * @param maxRecordBytes ingest's record limit: a longer line is handed over cut ({@link InputLines}), never whole
     */
    ReplayReader(final ReplayPipeline pipeline, final List<Path> inputs, final int maxRecordBytes) {
        this.pipeline = pipeline;
        this.inputs = List.copyOf(inputs);
        this.maxLineBytes = maxRecordBytes;
        this.decoder = pipeline.decoder();
        this.nowMs = pipeline.wallClockMs();
        this.thread = new Thread(this::read, "vigil-replay-ingest");
        // Never what keeps a JVM alive: close() stops it, and a replay that failed no longer needs it.
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The next batch of points and notices in input order, or null after the last one (the reading thread has then
     * finished, and {@link ReplayPipeline#records()} is final).
     *
     * @throws IOException an input could not be read (thrown as the reading thread got it), as anything else that
     *                     failed the reading thread
     */
    IngestedBatch next() throws IOException {
        final IngestedBatch batch;
        try {
            batch = queue.take();
            if (batch != END) {
                return batch;
            }
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while replaying");
        }
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return null;
    }

    /** Stops the reading thread if it is still running (the replaying thread stopped early), and waits for it. */
    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void read() {
        try (TimeMergedLines lines = new TimeMergedLines(inputs, maxLineBytes, decoder, nowMs)) {
            IngestedBatch batch = newBatch();
            int records = 0;
            byte[] line;
            final Supplier<InputPlace> place = lines::lastPlace;
            while ((line = lines.next()) != null) {
                pipeline.ingest(line, lines.lastLineBytes(), batch, place);
                if (++records == RECORDS) {
                    queue.put(batch);
                    batch = newBatch();
                    records = 0;
                }
            }
            queue.put(batch);
            queue.put(END);
        } catch (InterruptedException e) {
            // Only close() interrupts: the replaying thread has stopped and waits for nothing more.
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            try {
                queue.put(END);
            } catch (InterruptedException stopped) {
                // As above.
            }
        }
    }

    /** Room for each record's start and point and, now and then, a watermark after it. */
    static IngestedBatch newBatch() {
        return new IngestedBatch(2 * RECORDS + RECORDS / 8);
    }
}
