package io.vigil.app;

import io.vigil.evaluation.EvaluationOutput;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The series repartition's records (bundles from the other tasks' ingest, and every ingest's watermarks and idle
 * notices) fed to the evaluation that {@link IngestThenEvaluate} of the same task made and holds. What the
 * evaluation emits while this node processes goes to this node's children.
 */
final class RepartitionedEvaluation implements Processor<byte[], byte[], String, EvaluationOutput> {

    private final TaskEvaluations evaluations;
    private TaskId task;
    private SeriesEvaluationProcessor evaluation;

    RepartitionedEvaluation(final TaskEvaluations evaluations) {
        this.evaluations = evaluations;
    }

    @Override
    public void init(final ProcessorContext<String, EvaluationOutput> context) {
        task = context.taskId();
        // Looked up at the first record: Kafka Streams initializes every node of a task before any processes, in an
        // order this node should not rely on, and a task revived after a failure has a new evaluation.
        evaluation = null;
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        if (evaluation == null) {
            evaluation = evaluations.of(task);
        }
        evaluation.process(record);
    }

    @Override
    public void close() {
        evaluation = null;
    }
}
