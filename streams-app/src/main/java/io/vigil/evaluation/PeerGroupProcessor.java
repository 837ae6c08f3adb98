package io.vigil.evaluation;

import io.vigil.ingest.CommitPacing;
import io.vigil.ingest.SourceLag;
import io.vigil.model.SeriesCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The Kafka Streams side of outlier rules: feeds the peer values and progress reports of one peers partition to a
 * {@link PeerGroupEvaluator}, and keeps its waiting values, its alerts and its progress in changelogged stores.
 */
public final class PeerGroupProcessor implements Processor<String, byte[], String, AlertTransition> {

    public static final String VALUES_STORE = "vigil-peer-values";
    public static final String ALERTS_STORE = "vigil-peer-alerts";
    public static final String PROGRESS_STORE = "vigil-peer-progress";
    private static final String PROGRESS_KEY = "progress";
    private static final java.time.Duration RULES_CHECK = java.time.Duration.ofSeconds(1);

    private final LiveRules liveRules;
    private final long graceMs;
    private final int expectedEvaluators;
    private final EvaluationMetrics metrics;
    private final SourceLag lag;
    private final SeriesQuestions questions;
    /** Where the questions reach this task; opened by init, closed with the task. */
    private SeriesQuestions.Inbox inbox;

    private ProcessorContext<String, AlertTransition> context;
    private CommitPacing commits;
    private WriteBehindStore<Waiting> values;
    private WriteBehindStore<byte[]> alerts;
    private WriteBehindStore<byte[]> progress;
    private PeerGroupEvaluator evaluator;
    /** The rules the task runs, and after a restart those it ran before it. */
    private TaskRules taskRules;

    public PeerGroupProcessor(final LiveRules liveRules, final long graceMs, final int expectedEvaluators,
                              final EvaluationMetrics metrics) {
        this(liveRules, graceMs, expectedEvaluators, metrics, SourceLag.CAUGHT_UP, new SeriesQuestions());
    }

    /**
     * @param lag       what waits to be read on the peers repartition, for committing once it has all been read
     * @param questions where the HTTP API asks for the groups' last judgments ({@link PeerGroupEvaluator#judgments})
     */
    public PeerGroupProcessor(final LiveRules liveRules, final long graceMs, final int expectedEvaluators,
                              final EvaluationMetrics metrics, final SourceLag lag, final SeriesQuestions questions) {
        this.lag = lag;
        this.questions = questions;
        this.liveRules = liveRules;
        this.graceMs = graceMs;
        this.expectedEvaluators = expectedEvaluators;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, AlertTransition> context) {
        this.context = context;
        this.commits = CommitPacing.forStage(context, lag);
        this.values = context.getStateStore(VALUES_STORE);
        this.alerts = context.getStateStore(ALERTS_STORE);
        this.progress = context.getStateStore(PROGRESS_STORE);
        this.taskRules = new TaskRules(liveRules, progress);
        this.evaluator = new PeerGroupEvaluator(taskRules.atStart(), graceMs, expectedEvaluators);
        final byte[] stored = progress.get(PROGRESS_KEY);
        if (stored != null) {
            restoreProgress(stored);
        }
        try (KeyValueIterator<String, byte[]> it = alerts.all()) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> kv = it.next();
                evaluator.restoreAlert(kv.key, decodeAlert(kv.value));
            }
        }
        final List<String> singleValueKeys = new ArrayList<>();
        final Map<String, Waiting> regrouped = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = values.all()) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> kv = it.next();
                final PeerValues v = (PeerValues) PeerMessageCodec.decode(kv.value);
                final List<PeerValues.Member> waiting = evaluator.accept(v);
                if (PeerMessageCodec.isSingleValue(kv.value)) {
                    // Stored one member per key before values were grouped: stored again by group and instant.
                    singleValueKeys.add(kv.key);
                    if (waiting != null) {
                        regrouped.put(PeerGroupEvaluator.valueKey(v.groupKey(), v.time()),
                                new Waiting(v.groupKey(), v.time(), waiting));
                    }
                }
            }
        }
        singleValueKeys.forEach(values::delete);
        regrouped.forEach(values::put);
        if (inbox != null) {
            inbox.close();
        }
        inbox = questions.open("peers-" + context.taskId());
        context.schedule(CommitPacing.QUIET_CHECK, PunctuationType.WALL_CLOCK_TIME,
                now -> inbox.answer(evaluator::judgments));
        context.schedule(RULES_CHECK, PunctuationType.WALL_CLOCK_TIME, this::followRules);
    }

    /**
     * Moves to the rules in force, at each record and each second: a reload or a restart that removes the last outlier
     * rule leaves this stage without records (the evaluation tasks send it nothing without one), and until
     * 2026-12-06, night, that rule's firing alerts then never resolved.
     */
    private void followRules(final long timestamp) {
        final PeerGroupEvaluator.Outcome moved = taskRules.follow(evaluator.rules(), evaluator::reload);
        if (moved != null) {
            apply(moved, timestamp);
        }
    }

    /**
     * The values store over {@code inner}: each group's values waiting at an instant under one key, in records of at
     * most about {@link RecordParts#MAX_BYTES} (a group of some ten thousand members passes the producer's limit), which
     * {@link #init} merges again as it merges a group's values from several evaluators.
     */
    public static StoreBuilder<? extends StateStore> valuesStore(final StoreBuilder<KeyValueStore<String, byte[]>> inner) {
        return WriteBehindStore.<Waiting>inParts(inner,
                (key, w) -> new PeerValues(w.groupKey(), w.time(), w.members()).cut(RecordParts.MAX_BYTES).stream()
                        .map(PeerMessageCodec::encode).toList());
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        process(PeerMessageCodec.decode(record.value()), record.timestamp());
    }

    /**
     * {@link #process(Record)} for a message as evaluation made it, {@link PeerBundle}, {@link PeerValues} or
     * {@link PeerProgress}, not encoded: the replay runs evaluation and this stage in one process and hands its
     * messages over so, where the topology writes them to the peers topic and reads them back.
     */
    public void process(final EvaluationOutput message, final long timestamp) {
        commits.processed();
        followRules(timestamp);
        if (message instanceof PeerBundle b) {
            b.values().forEach(this::accept);
            return;
        }
        if (message instanceof PeerValues v) {
            accept(v);
            return;
        }
        final PeerProgress p = (PeerProgress) message;
        evaluator.onProgress(p.evaluator(), p.evaluatedThrough());
        apply(evaluator.advance(), timestamp);
        progress.put(PROGRESS_KEY, encodeProgress());
        metrics.taskState("peers-" + context.taskId(), 0, evaluator.alertCounts());
    }

    private void accept(final PeerValues v) {
        final List<PeerValues.Member> waiting = evaluator.accept(v);
        if (waiting != null) {
            values.put(PeerGroupEvaluator.valueKey(v.groupKey(), v.time()), new Waiting(v.groupKey(), v.time(), waiting));
        } else {
            metrics.late(v.members().size());
        }
    }

    @Override
    public void close() {
        if (inbox != null) {
            inbox.close();
        }
        metrics.taskClosed("peers-" + context.taskId());
    }

    private void apply(final PeerGroupEvaluator.Outcome outcome, final long timestamp) {
        outcome.judgedValueKeys().forEach(values::delete);
        for (Map.Entry<String, Optional<PeerGroupEvaluator.PeerAlert>> change : outcome.alertChanges().entrySet()) {
            if (change.getValue().isPresent()) {
                alerts.put(change.getKey(), encodeAlert(change.getValue().get()));
            } else {
                alerts.delete(change.getKey());
            }
        }
        for (AlertTransition t : outcome.transitions()) {
            metrics.transition(t);
            context.forward(new Record<>(t.series().key(), t, timestamp));
        }
        if (!outcome.transitions().isEmpty()) {
            commits.commitIfLive(evaluator.evaluatedThrough());
        }
    }

    /** A group's values waiting at an instant: the evaluator's live list, encoded when the store is committed. */
    private record Waiting(String groupKey, long time, List<PeerValues.Member> members) {
    }

    private byte[] encodeProgress() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(evaluator.evaluatedThrough());
            final Map<Integer, Long> p = evaluator.progress();
            out.writeInt(p.size());
            for (Map.Entry<Integer, Long> e : p.entrySet()) {
                out.writeInt(e.getKey());
                out.writeLong(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void restoreProgress(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final long through = in.readLong();
            final int n = in.readInt();
            final Map<Integer, Long> p = new HashMap<>();
            for (int i = 0; i < n; i++) {
                p.put(in.readInt(), in.readLong());
            }
            evaluator.restoreProgress(through, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] encodeAlert(final PeerGroupEvaluator.PeerAlert alert) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(alert.groupKey());
            SeriesCodec.write(out, alert.series());
            AlertStatusCodec.write(out, alert.status(), alert.numbers(), alert.labelNumbers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static PeerGroupEvaluator.PeerAlert decodeAlert(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final String group = in.readUTF();
            final var series = SeriesCodec.read(in);
            final AlertStatusCodec.Stored stored = AlertStatusCodec.read(in);
            return new PeerGroupEvaluator.PeerAlert(group, series, stored.status(), stored.numbers(),
                    stored.labelNumbers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
