package io.vigil.app;

import io.vigil.evaluation.EvaluationOutput;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.ingest.InTaskEvaluation;
import io.vigil.ingest.IngestOutput;
import io.vigil.ingest.IngestProcessor;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Ingest and evaluation of one task as one node, where the input is partitioned by series
 * ({@code topics.partitioned_by_series}): ingest hands each point to the evaluation directly
 * ({@link InTaskEvaluation}), and both forward what they emit, dead letters and alert transitions and
 * peer values alike, to this node's children, which sort them by kind.
 */
final class IngestThenEvaluate implements Processor<byte[], byte[], Object, Object> {

    private final IngestProcessor ingest;
    private final SeriesEvaluationProcessor evaluation;

    /** @param ingest ingest, made to hand its points to the evaluation it is given */
    IngestThenEvaluate(final Function<InTaskEvaluation, IngestProcessor> ingest,
                       final SeriesEvaluationProcessor evaluation) {
        this.evaluation = evaluation;
        this.ingest = ingest.apply(evaluation.inTask());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(final ProcessorContext<Object, Object> context) {
        // One context, this node's: each stage forwards its own kinds of output, and the children tell them apart.
        ingest.init((ProcessorContext<byte[], IngestOutput>) (ProcessorContext<?, ?>) context);
        evaluation.init((ProcessorContext<String, EvaluationOutput>) (ProcessorContext<?, ?>) context);
    }

    @Override
    public void process(final Record<byte[], byte[]> record) {
        evaluation.beforeRecord(record.timestamp());
        ingest.process(record);
    }

    @Override
    public void close() {
        ingest.close();
        evaluation.close();
    }
}
