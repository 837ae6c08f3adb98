package io.vigil.app;

import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.ingest.InTaskEvaluation;
import io.vigil.ingest.SeriesMessage;
import io.vigil.model.Datapoint;
import java.util.Arrays;

/**
 * What ingest handed its task's evaluation over a run of input records, in order, as {@link IngestThenEvaluate} hands
 * it over within one task: the start of each record, then the record's points and notices. {@link Replay}'s ingesting
 * thread fills one while the replaying thread evaluates the one before, so that the threads meet once per batch rather
 * than once per record.
 */
final class IngestedBatch implements InTaskEvaluation {

    /** The start of an input record, where evaluation's per-record checks run. */
    private static final Object RECORD_START = new Object();

    private Object[] items;
    private long[] timestamps;
    private int size;

    /** @param capacity how many records, points and notices it holds before it grows */
    IngestedBatch(final int capacity) {
        this.items = new Object[capacity];
        this.timestamps = new long[capacity];
    }

    /** The start of an input record stamped {@code timestamp}. */
    void recordStart(final long timestamp) {
        add(RECORD_START, timestamp);
    }

    @Override
    public void point(final Datapoint point, final long recordTimestamp) {
        add(point, recordTimestamp);
    }

    @Override
    public void notice(final SeriesMessage notice, final long timestamp) {
        add(notice, timestamp);
    }

    private void add(final Object item, final long timestamp) {
        if (size == items.length) {
            items = Arrays.copyOf(items, Math.max(4, size * 2));
            timestamps = Arrays.copyOf(timestamps, items.length);
        }
        items[size] = item;
        timestamps[size] = timestamp;
        size++;
    }

    int size() {
        return size;
    }

    /** {@link SeriesEvaluationProcessor#lookAhead} for each point among the {@code from}th to the {@code to}th. */
    void lookAhead(final int from, final int to, final SeriesEvaluationProcessor evaluation) {
        for (int i = from; i < to; i++) {
            if (items[i] instanceof Datapoint point) {
                evaluation.lookAhead(point.series());
            }
        }
    }

    /**
     * Hands the {@code i}th record start, point or notice to {@code evaluation}, as ingest handed it over.
     *
     * @param inTask {@code evaluation}'s {@link SeriesEvaluationProcessor#inTask()}
     */
    void handTo(final int i, final SeriesEvaluationProcessor evaluation, final InTaskEvaluation inTask) {
        final Object item = items[i];
        if (item == RECORD_START) {
            // A replay's records have no topic to count.
            evaluation.beforeRecord(null, timestamps[i]);
        } else if (item instanceof Datapoint point) {
            inTask.point(point, timestamps[i]);
        } else {
            inTask.notice((SeriesMessage) item, timestamps[i]);
        }
    }
}
