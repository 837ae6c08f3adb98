package io.vigil.app;

import io.vigil.ingest.DecodedRecord;
import io.vigil.ingest.RecordDecoder;
import io.vigil.model.Datapoint;
import io.vigil.model.FileErrorReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The lines of several replay inputs, merged by time: the next line is always the one, among each input's next, whose
 * datapoints are the oldest (its newest point, as decoded). Read one after the other, two recordings of the same hours
 * (two topics, two partitions, two hosts' captures) made the second one's points late behind the first's newest and
 * dropped them, where {@code run} reads its partitions side by side. Recordings of successive periods come out as
 * they would one after the other. Within one input the order is kept as written, out-of-order lines included; a line
 * with no valid datapoint (a dead letter to be) comes as soon as its input is next, and equal times keep the order of
 * the inputs.
 *
 * <p>Each line is decoded once more here, to know its time: a cost a replay of one input does not pay (its lines
 * come as they are).
 */
final class TimeMergedLines implements AutoCloseable {

    private final List<Path> inputs;
    private final InputStream[] streams;
    private final InputLines[] lines;
    private final byte[][] next;
    private final long[] times;
    /** The line number of each input's next line. */
    private final long[] lineNumbers;
    /** The length of each input's next line, more than its record's when that was cut ({@link InputLines}). */
    private final long[] lineBytes;
    /** The input and line number of the line {@link #next()} returned last. */
    private int lastInput = -1;
    private long lastLineNumber;
    private long lastLineBytes;
    private final RecordDecoder decoder;
    private final long nowMs;

    /**
     * @param decoder as ingest decodes the lines, for their times
     * @param nowMs   the replay's wall clock, as ingest's
     */
    TimeMergedLines(final List<Path> inputs, final int maxLineBytes, final RecordDecoder decoder, final long nowMs)
            throws IOException {
        this.inputs = List.copyOf(inputs);
        this.streams = new InputStream[inputs.size()];
        this.lines = new InputLines[inputs.size()];
        this.next = new byte[inputs.size()][];
        this.times = new long[inputs.size()];
        this.lineNumbers = new long[inputs.size()];
        this.lineBytes = new long[inputs.size()];
        this.decoder = decoder;
        this.nowMs = nowMs;
        try {
            for (int i = 0; i < streams.length; i++) {
                streams[i] = open(inputs.get(i));
                lines[i] = new InputLines(streams[i], maxLineBytes);
                advance(i);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The next line of all the inputs, or null once every one is read to its end. */
    byte[] next() throws IOException {
        int oldest = -1;
        for (int i = 0; i < next.length; i++) {
            if (next[i] != null && (oldest < 0 || times[i] < times[oldest])) {
                oldest = i;
            }
        }
        if (oldest < 0) {
            return null;
        }
        final byte[] line = next[oldest];
        lastInput = oldest;
        lastLineNumber = lineNumbers[oldest];
        lastLineBytes = lineBytes[oldest];
        advance(oldest);
        return line;
    }

    /** Where the line {@link #next()} returned last is, the file as it was named; null before the first. */
    InputPlace lastPlace() {
        return lastInput < 0 ? null : new InputPlace(inputs.get(lastInput).toString(), lastLineNumber);
    }

    /** The length in bytes of the line {@link #next()} returned last: more than the line given when it was cut. */
    long lastLineBytes() {
        return lastLineBytes;
    }

    private void advance(final int input) throws IOException {
        try {
            next[input] = lines[input].next();
            lineNumbers[input] = lines[input].lineNumber();
            lineBytes[input] = lines[input].lineBytes();
        } catch (IOException e) {
            throw unreadable(inputs.get(input), e);
        }
        if (next[input] != null && next.length > 1) {
            times[input] = newestPoint(decoder.decode(next[input], nowMs));
        }
    }

    private static long newestPoint(final DecodedRecord record) {
        long newest = Long.MIN_VALUE;
        for (Datapoint point : record.datapoints()) {
            newest = Math.max(newest, point.timestampMs());
        }
        return newest;
    }

    private static InputStream open(final Path input) throws IOException {
        try {
            return Files.newInputStream(input);
        } catch (IOException e) {
            throw unreadable(input, e);
        }
    }

    /** Which input, and why: NoSuchFileException's message is the bare path, an EIO's the bare reason. */
    private static IOException unreadable(final Path input, final IOException e) {
        return new IOException("cannot read " + input + ": " + FileErrorReason.of(e), e);
    }

    @Override
    public void close() {
        for (InputStream stream : streams) {
            if (stream != null) {
                try {
                    stream.close();
                } catch (IOException e) {
                    // Read to its end or given up on: nothing of it is needed any more.
                }
            }
        }
    }
}
