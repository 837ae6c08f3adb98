package io.vigil.app;

import io.vigil.evaluation.EvaluationOutput;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.ingest.InTaskEvaluation;
import io.vigil.ingest.IngestOutput;
import io.vigil.ingest.IngestProcessor;
import java.util.function.Function;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Ingest and the evaluation of one task as one node: ingest hands the evaluation directly
 * ({@link InTaskEvaluation}) the points of the series this task evaluates, which the series repartition would only
 * bring back to it, and bundles the others for the repartition; where the input is partitioned by series
 * ({@code topics.partitioned_by_series}), it hands over every point and notice. Both forward what they emit, dead
 * letters, bundles, alert transitions and peer values alike, to this node's children, which sort them by kind.
 *
 * <p>The repartition's records come back to the same evaluation through {@link RepartitionedEvaluation}, in the same
 * task: the two nodes share the evaluation's stores, so Kafka Streams runs them in one subtopology, and this node
 * lends its evaluation to the other by the task's id ({@link TaskEvaluations}).
 */
final class IngestThenEvaluate implements Processor<byte[], byte[], Object, Object> {

    private final IngestProcessor ingest;
    private final SeriesEvaluationProcessor evaluation;
    private final TaskEvaluations evaluations;
    private TaskId task;
    private ProcessorContext<Object, Object> context;

    /**
     * @param ingest      ingest, made to hand its points to the evaluation it is given
     * @param evaluations where the evaluation is lent to the node of the same task that reads the series repartition
     */
    IngestThenEvaluate(final Function<InTaskEvaluation, IngestProcessor> ingest,
                       final SeriesEvaluationProcessor evaluation, final TaskEvaluations evaluations) {
        this.evaluation = evaluation;
        this.evaluations = evaluations;
        this.ingest = ingest.apply(evaluation.inTask());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(final ProcessorContext<Object, Object> context) {
        // One context, this node's: each stage forwards its own kinds of output, and the children tell them apart.
        ingest.init((ProcessorContext<byte[], IngestOutput>) (ProcessorContext<?, ?>) context);
        evaluation.init((ProcessorContext<String, EvaluationOutput>) (ProcessorContext<?, ?>) context);
        task = context.taskId();
        this.context = context;
        evaluations.lend(task, evaluation);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        // Read once for both stages: each read is an Optional, and this runs once per input record.
        final RecordMetadata meta = context.recordMetadata().orElseThrow();
        evaluation.beforeRecord(meta.topic(), record.timestamp());
        ingest.process(record, meta);
    }

    @Override
    public void close() {
        evaluations.takeBack(task, evaluation);
        ingest.close();
        evaluation.close();
    }
}
