package io.vigil.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.alerts.AlertEventJson;
import io.vigil.evaluation.AlertTransition;
import io.vigil.evaluation.EvaluationOutput;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.PeerGroupProcessor;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.ingest.DeadLetter;
import io.vigil.ingest.DeadLetterReason;
import io.vigil.ingest.InTaskEvaluation;
import io.vigil.ingest.IngestOutput;
import io.vigil.ingest.IngestProcessor;
import io.vigil.ingest.Rejection;
import io.vigil.ingest.SeriesMessage;
import io.vigil.model.Datapoint;
import io.vigil.model.DurationSyntax;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Record;

/**
 * {@code vigil replay}'s engine: the topology's own processors, called in the order the topology connects them,
 * without Kafka Streams' runtime between them. With one input partition the topology has one task per
 * stage and no choice of order, so this is the same computation, minus per-record commits, record caches and
 * internal topics (Kafka Streams' test driver spends most of its time there: about 10,000 datapoints/s against this).
 * {@code ReplayEquivalenceTest} holds it to the topology run by the test driver, both ways of
 * {@code topics.partitioned_by_series}.
 *
 * <p>It runs the topology without the series repartition ({@link IngestThenEvaluate}): over one input partition,
 * every series is on one partition whatever the setting says, and the evaluation's points and notices are the same
 * whether they travel as bundles through the repartition topic or are handed over in the task. Handed over, ingest
 * neither writes the bundles nor evaluation reads them back; so, too, the peer-group stage takes evaluation's peer
 * messages as made, where the topology writes them to the peers topic. The pipeline splits where ingest hands its
 * points over: {@link #ingest} decodes input records into an {@link IngestedBatch}, {@link #evaluate} runs evaluation
 * and the peer-group stage over it. The two halves share nothing but those batches (ingest's clock is fixed and a
 * replay's rules never change, so ingest does not depend on how far evaluation has got), so {@link Replay} runs them
 * on two threads; each half must stay on one.
 */
final class ReplayPipeline {

    static final String INPUT = "metrics";
    /** The summary's word for points dropped as late, beside the dead letters' reasons. */
    static final String LATE = "late";
    /** Record starts, points and notices whose series are looked at before any is taken: about a bundle's points. */
    private static final int LOOK_AHEAD = 512;

    private final IngestProcessor ingest;
    private final SeriesEvaluationProcessor evaluate;
    private final InTaskEvaluation evaluateInTask;
    private final PeerGroupProcessor judgePeers;
    private final ForwardsContext<byte[], IngestOutput> ingestContext;
    private final ForwardsContext<String, EvaluationOutput> evaluateContext;
    private final ForwardsContext<String, AlertTransition> peersContext;
    private final TopologySettings settings;
    private final VigilTopology.Stages stages;
    private final Consumer<byte[]> events;
    private final long wallClockMs;
    /** As ingest decodes, for the words of its rejections. */
    private final io.vigil.ingest.RecordDecoder decoder;
    /** Where ingest's points and notices go: the batch of the record being ingested. */
    private IngestedBatch ingested;
    /** The times of the earliest and latest datapoints ingest handed on; MAX_VALUE and MIN_VALUE before any. */
    private long earliestMs = Long.MAX_VALUE;
    private long latestMs = Long.MIN_VALUE;
    private long offset;
    private long deadLetters;
    /**
     * The first rejection of each kind, after where it is in the input: what a summary by counts alone leaves the user
     * to guess.
     */
    private final Map<String, String> firstByReason = new TreeMap<>();
    /** The first point of the record being ingested that ingest dropped as late, as the summary words it; or null. */
    private String lateInRecord;

    ReplayPipeline(final LiveRules rules, final TopologySettings settings, final MeterRegistry registry,
                   final long wallClockMs, final Consumer<byte[]> events) {
        this.settings = settings;
        this.stages = new VigilTopology.Stages(rules, settings.withPartitionedBySeries(true), registry);
        this.events = events;
        this.wallClockMs = wallClockMs;
        this.decoder = decoder();
        this.ingest = stages.ingest(new InTaskEvaluation() {
            @Override
            public void point(final Datapoint point, final long recordTimestamp) {
                earliestMs = Math.min(earliestMs, point.timestampMs());
                latestMs = Math.max(latestMs, point.timestampMs());
                ingested.point(point, recordTimestamp);
            }

            @Override
            public void notice(final SeriesMessage notice, final long timestamp) {
                if (notice instanceof SeriesMessage.Watermark w) {
                    // Points no rule selects move event time too: a replay's instants run by them.
                    latestMs = Math.max(latestMs, w.timestampMs());
                }
                ingested.notice(notice, timestamp);
            }
        }, this::late);
        this.evaluate = stages.evaluate();
        this.evaluateInTask = evaluate.inTask();
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

    long earliestMs() {
        return earliestMs;
    }

    long latestMs() {
        return latestMs;
    }

    /** One input record through both halves, on the calling thread: its points are evaluated before it returns. */
    void offer(final byte[] value) {
        final IngestedBatch batch = new IngestedBatch(4);
        ingest(value, value.length, batch, null);
        evaluate(batch);
    }

    /**
     * Ingest's half: one input record, as the topology would read it from partition 0 of the input topic; what ingest
     * hands the evaluation is added to {@code out}.
     *
     * @param lineBytes the length of the line {@code value} was read from: more than {@code value}'s when the line was
     *                  over the record limit and handed over cut ({@link InputLines}), which the summary names then
     * @param place     where the record is in the input, asked only of the first record dead-lettered for a reason;
     *                  null for none
     */
    void ingest(final byte[] value, final long lineBytes, final IngestedBatch out, final Supplier<InputPlace> place) {
        ingested = out;
        out.recordStart(wallClockMs);
        ingestContext.setRecordMetadata(INPUT, 0, offset++);
        ingest.process(new Record<>(null, value, wallClockMs));
        if (lateInRecord != null) {
            final String late = lateInRecord;
            lateInRecord = null;
            firstByReason.computeIfAbsent(LATE, r -> {
                final InputPlace at = place == null ? null : place.get();
                return at == null ? LATE + ": " + late : at.file() + ":" + at.line() + ": " + LATE + ": " + late;
            });
        }
        // Handing its points over, ingest forwards nothing but dead letters.
        for (final Record<byte[], IngestOutput> forwarded : ingestContext.forwards()) {
            if (!(forwarded.value() instanceof DeadLetter letter)) {
                deadLetters++;
                continue;
            }
            for (Rejection rejection : letter.rejections()) {
                firstByReason.computeIfAbsent(rejection.reason().tag(),
                        r -> text(rejection, place, value.length, lineBytes));
            }
            deadLetters++;
        }
        ingestContext.clearForwards();
    }

    /**
     * A point ingest dropped as late, in place of its log line: that names the input partition ({@code input
     * metrics/0}, a topic a replay has not) and a metric a replay does not serve, and the summary can name the file and
     * line instead.
     */
    private void late(final Datapoint point, final long instantMs, final long eventTimeMs) {
        if (lateInRecord == null && !firstByReason.containsKey(LATE)) {
            lateInRecord = point.series() + " at " + Instant.ofEpochMilli(point.timestampMs())
                    + ": its evaluation instant " + Instant.ofEpochMilli(instantMs) + " had run (event time had reached "
                    + Instant.ofEpochMilli(eventTimeMs) + ", the instant + grace ("
                    + DurationSyntax.format(settings.grace()) + ") or more)";
        }
    }

    /**
     * A rejection as the summary gives it, as compilers give an error: {@code FILE:LINE:COLUMN: reason: problem}, the
     * line the file's, the problem without the words that say where in the record it is; with no place, the reason
     * and its {@code vigil.error} words. A cut line's {@code record_too_large} names the line's length, where ingest,
     * given the line cut at the limit + 1 bytes, could name only that.
     */
    private String text(final Rejection rejection, final Supplier<InputPlace> place, final int recordBytes,
                        final long lineBytes) {
        final Rejection named = lineBytes > recordBytes && rejection.reason() == DeadLetterReason.RECORD_TOO_LARGE
                ? new Rejection(DeadLetterReason.RECORD_TOO_LARGE, decoder.tooLarge(lineBytes)) : rejection;
        final InputPlace at = place == null ? null : place.get();
        if (at == null) {
            return named.message();
        }
        return at.of(named.position()) + ": " + named.reason().tag() + ": " + named.problem();
    }

    /** Evaluation's half: what ingest handed over, in order. */
    void evaluate(final IngestedBatch batch) {
        for (int from = 0; from < batch.size(); from += LOOK_AHEAD) {
            final int to = Math.min(batch.size(), from + LOOK_AHEAD);
            batch.lookAhead(from, to, evaluate);
            for (int i = from; i < to; i++) {
                evaluate(batch, i);
            }
        }
    }

    private void evaluate(final IngestedBatch batch, final int i) {
        batch.handTo(i, evaluate, evaluateInTask);
        final List<Record<String, EvaluationOutput>> sent = evaluateContext.forwards();
        if (sent.isEmpty()) {
            return; // most points: taken into their series
        }
        for (int j = 0; j < sent.size(); j++) {
            final Record<String, EvaluationOutput> r = sent.get(j);
            if (r.value() instanceof AlertTransition t) {
                emit(t);
            } else {
                judgePeers(r.value());
            }
        }
        evaluateContext.clearForwards();
    }

    /** A peer message, handed over as evaluation made it: the peers topic's bytes would be read back the same. */
    private void judgePeers(final EvaluationOutput message) {
        judgePeers.process(message, wallClockMs);
        for (Record<String, AlertTransition> r : peersContext.forwards()) {
            emit(r.value());
        }
        peersContext.clearForwards();
    }

    private void emit(final AlertTransition t) {
        events.accept(AlertEventJson.write(stages.events().create(t)));
    }

    /** How ingest decodes the input's records: the replay's one input topic, in its format. */
    io.vigil.ingest.RecordDecoder decoder() {
        return io.vigil.ingest.RecordDecoder.forTopic(settings.inputTopics().get(0), settings.limits());
    }

    /** The wall clock ingest is given, fixed for the replay. */
    long wallClockMs() {
        return wallClockMs;
    }

    /** Records ingested so far; read by the ingesting thread, or after it has finished. */
    long records() {
        return offset;
    }

    /** The first rejection of each reason, by reason: {@code FILE:LINE:COLUMN: reason: problem}. */
    Map<String, String> firstByReason() {
        return Collections.unmodifiableMap(firstByReason);
    }

    /** Records ingest dead-lettered so far, as {@code run} would; as {@link #records()}. */
    long deadLetters() {
        return deadLetters;
    }

}
