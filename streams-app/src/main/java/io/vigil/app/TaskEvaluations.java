package io.vigil.app;

import io.vigil.evaluation.SeriesEvaluationProcessor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * The evaluation of each task of one topology, by the task's id: made by the task's ingest node
 * ({@link IngestThenEvaluate}), which also feeds it, and lent to the node that reads the task's partition of the series
 * repartition ({@link RepartitionedEvaluation}). Two nodes of one task, on the task's stream thread; the map is
 * shared by the stream threads of the instance.
 */
final class TaskEvaluations {

    private final Map<TaskId, SeriesEvaluationProcessor> byTask = new ConcurrentHashMap<>();

    void lend(final TaskId task, final SeriesEvaluationProcessor evaluation) {
        byTask.put(task, evaluation);
    }

    /** Ends the loan, if {@code evaluation} is still the task's (a task made again since has another). */
    void takeBack(final TaskId task, final SeriesEvaluationProcessor evaluation) {
        if (task != null) {
            byTask.remove(task, evaluation);
        }
    }

    SeriesEvaluationProcessor of(final TaskId task) {
        final SeriesEvaluationProcessor evaluation = byTask.get(task);
        if (evaluation == null) {
            // The two nodes share the evaluation's stores, which keeps them in one task: a bug, not a user's error.
            throw new IllegalStateException("no evaluation made by the ingest node of task " + task);
        }
        return evaluation;
    }
}
