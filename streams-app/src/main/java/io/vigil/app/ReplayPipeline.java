package io.vigil.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.alerts.AlertEventJson;
import io.vigil.evaluation.AlertTransition;
import io.vigil.evaluation.EvaluationOutput;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.PeerGroupProcessor;
import io.vigil.evaluation.PeerMessageCodec;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.ingest.IngestOutput;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.SeriesRecord;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Record;

/**
 * {@code vigil replay}'s engine: the topology's own processors, called in the order the topology connects them,
 * without Kafka Streams' runtime between them. With one input partition the topology has one task per
 * stage and no choice of order, so this is the same computation, minus per-record commits, record caches and
 * internal topics (Kafka Streams' test driver spends most of its time there: about 10,000 datapoints/s against this).
 * {@code ReplayEquivalenceTest} holds it to the topology run by the test driver.
 *
 * <p>It splits where the topology has its series repartition topic: {@link #ingest} turns input records into the
 * repartition topic's messages, {@link #evaluate} runs evaluation and the peer-group stage over them. The two halves
 * share nothing but those messages (ingest's clock is fixed and a replay's rules never change, so ingest does not
 * depend on how far evaluation has got), so {@link Replay} runs them on two threads; each half must stay on one.
 */
final class ReplayPipeline {

    static final String INPUT = "metrics";

    private final IngestProcessor ingest;
    private final SeriesEvaluationProcessor evaluate;
    private final PeerGroupProcessor judgePeers;
    private final ForwardsContext<byte[], IngestOutput> ingestContext;
    private final ForwardsContext<String, EvaluationOutput> evaluateContext;
    private final ForwardsContext<String, AlertTransition> peersContext;
    private final VigilTopology.Stages stages;
    private final Consumer<byte[]> events;
    private final long wallClockMs;
    private long offset;
    private long deadLetters;

    ReplayPipeline(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry,
                   final long wallClockMs, final Consumer<byte[]> events) {
        // One input partition and one task per stage: where series are evaluated is no choice, and this pipeline
        // carries ingest's output as the series repartition topic would.
        this.stages = new VigilTopology.Stages(rules, settings.withPartitionedBySeries(false), registry);
        this.events = events;
        this.wallClockMs = wallClockMs;
        this.ingest = stages.ingest();
        this.evaluate = stages.evaluate();
        this.judgePeers = stages.judgePeers();
        this.ingestContext = context();
        this.evaluateContext = context();
        this.peersContext = context();
        ingest.init(ingestContext);
        evaluate.init(evaluateContext);
        judgePeers.init(peersContext);
    }

    /** A context holding every store of the topology, unlogged: a replay keeps nothing. */
    private <K, V> ForwardsContext<K, V> context() {
        final ForwardsContext<K, V> context = new ForwardsContext<>();
        context.setCurrentSystemTimeMs(wallClockMs);
        stages.storeBuilders(false).forEach(builder -> {
            final StateStore store = builder.build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        });
        return context;
    }

    /** One input record through both halves, on the calling thread: its points are evaluated before it returns. */
    void offer(final byte[] value) {
        final SeriesBatch batch = new SeriesBatch(4);
        ingest(value, batch);
        flush(batch);
        evaluate(batch);
    }

    /**
     * Ingest's half: one input record, as the topology would read it from partition 0 of the input topic; what it
     * sends to the series repartition topic is added to {@code out} as the topic holds it (bundles of points, each
     * sent once full or before a watermark, as in the topology).
     */
    void ingest(final byte[] value, final SeriesBatch out) {
        ingestContext.setRecordMetadata(INPUT, 0, offset++);
        ingest.process(new Record<>(null, value, wallClockMs));
        collect(out);
    }

    /** Ingest's points not sent yet, added to {@code out}: at the end of the input, where the topology would commit. */
    void flush(final SeriesBatch out) {
        ingest.flushBundles();
        collect(out);
    }

    private void collect(final SeriesBatch out) {
        final List<Record<byte[], IngestOutput>> sent = ingestContext.forwards();
        for (int i = 0; i < sent.size(); i++) {
            final Record<byte[], IngestOutput> r = sent.get(i);
            if (r.value() instanceof SeriesRecord series) {
                out.add(r.key(), series.value());
            } else {
                deadLetters++;
            }
        }
        ingestContext.clearForwards();
    }

    /** Evaluation's half: the series repartition topic's messages, in order. */
    void evaluate(final SeriesBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            evaluate(batch.key(i), batch.message(i));
        }
    }

    private void evaluate(final byte[] key, final byte[] message) {
        evaluate.process(new Record<>(key, message, wallClockMs));
        final List<Record<String, EvaluationOutput>> sent = evaluateContext.forwards();
        if (sent.isEmpty()) {
            return; // most records: a point taken into its series
        }
        for (int i = 0; i < sent.size(); i++) {
            final Record<String, EvaluationOutput> r = sent.get(i);
            if (r.value() instanceof AlertTransition t) {
                emit(t);
            } else {
                judgePeers(r.key(), PeerMessageCodec.encode(r.value()));
            }
        }
        evaluateContext.clearForwards();
    }

    private void judgePeers(final String key, final byte[] message) {
        judgePeers.process(new Record<>(key, message, wallClockMs));
        for (Record<String, AlertTransition> r : peersContext.forwards()) {
            emit(r.value());
        }
        peersContext.clearForwards();
    }

    private void emit(final AlertTransition t) {
        events.accept(AlertEventJson.write(stages.events().create(t)));
    }

    /** Records ingested so far; read by the ingesting thread, or after it has finished. */
    long records() {
        return offset;
    }

    /** Records ingest dead-lettered so far; as {@link #records()}. */
    long deadLetters() {
        return deadLetters;
    }

}
