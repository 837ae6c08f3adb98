package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.testing.OutlivingStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.InMemoryKeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * Ingest's progress store is written at commits, not per record: only the value a commit holds is ever restored. The
 * commits are Kafka Streams' pre-commit flush, called here by hand (its test driver commits after every record). And
 * a task reads with the label sets of the thread it runs on.
 */
class IngestProgressTest {

    private static final long T0 = 1_796_045_240_000L;
    private static final long GRACE_MS = 15_000;
    private static final List<String> TOPICS = List.of("metrics", "prom");

    /**
     * The progress store's writes and deletes, counted under Kafka Streams' metered layer: each would be a changelog
     * record.
     */
    private int writes;
    /** The same bytes store however many times it is built: what the changelog restores after a restart. */
    private final InMemoryKeyValueStore progressBytes = new InMemoryKeyValueStore(IngestProcessor.PROGRESS_STORE) {
        @Override
        public void put(final Bytes key, final byte[] value) {
            writes++;
            super.put(key, value);
        }

        @Override
        public byte[] delete(final Bytes key) {
            writes++;
            return super.delete(key);
        }
    };
    private final MockProcessorContext<byte[], IngestOutput> context = new MockProcessorContext<>();
    private final KeyValueStore<String, Long> progress;
    private final CommitFlushStore flush;
    private final long[] offsets = new long[TOPICS.size()];
    /** Where the punctuations of the task started last begin in the context's list. */
    private int lastTaskPunctuators;

    IngestProgressTest() {
        context.setCurrentSystemTimeMs(T0);
        progress = add(Stores.keyValueStoreBuilder(OutlivingStore.of(progressBytes), Serdes.String(), Serdes.Long())
                .withLoggingDisabled());
        flush = add(CommitFlushStore.builder(IngestProcessor.FLUSH_STORE));
    }

    @Test
    void manyRecordsBetweenTwoCommitsWriteEachSourcesNewestOncePerCommit() {
        final IngestProcessor ingest = start();
        for (int i = 0; i < 50; i++) {
            send(ingest, "metrics", T0 + i * 1_000L);
        }
        for (int i = 0; i < 20; i++) {
            send(ingest, "prom", T0 + i * 1_000L);
        }
        assertThat(writes).as("before the commit").isZero();
        assertThat(progress.get("metrics/0")).isNull();

        flush.flushCache();
        assertThat(writes).isEqualTo(2);
        assertThat(progress.get("metrics/0")).isEqualTo(T0 + 49_000);
        assertThat(progress.get("prom/0")).isEqualTo(T0 + 19_000);

        for (int i = 50; i < 80; i++) {
            send(ingest, "metrics", T0 + i * 1_000L);
        }
        flush.flushCache();
        assertThat(writes).as("only the source that moved").isEqualTo(3);
        assertThat(progress.get("metrics/0")).isEqualTo(T0 + 79_000);
        assertThat(progress.get("prom/0")).isEqualTo(T0 + 19_000);

        send(ingest, "metrics", T0 + 79_000);       // the newest again
        send(ingest, "metrics", T0 + 70_000);       // behind it, within grace
        send(ingest, "prom", T0);                   // behind by more than grace: dropped
        flush.flushCache();
        flush.flushCache();
        assertThat(writes).as("no source moved").isEqualTo(3);
    }

    @Test
    void aRestartJudgesLatenessByTheNewestItsLastCommitHeld() {
        final IngestProcessor before = start();
        send(before, "metrics", T0);
        flush.flushCache();
        // Never committed: after a restart this record is read again, so its progress need not survive.
        send(before, "metrics", T0 + 60_000);
        assertThat(progress.get("metrics/0")).isEqualTo(T0);

        final IngestProcessor after = start();
        context.resetForwards();
        send(after, "metrics", T0 - 20_000);        // its instant ran at T0 - 5 s, before the committed newest: late
        send(after, "metrics", T0 + 30_000);        // late only against the uncommitted newest
        after.flushBundles();
        assertThat(forwardedPointTimes()).containsExactly(T0 + 30_000);
        flush.flushCache();
        assertThat(progress.get("metrics/0")).isEqualTo(T0 + 30_000);
    }

    /**
     * A partition idle when its task moves (a rebalance, a restart) is idle still for the task that reads it next, if
     * the consumer stands where it stood at the notice: announced at that task's first check, not an idle timeout
     * later. A partition that had records since, or whose lag is not known yet, waits as before.
     */
    @Test
    void aPartitionIdleWhenItsTaskMovedIsAnnouncedAtTheNextTasksFirstCheck() {
        final Map<String, OptionalLong> lags = new HashMap<>(Map.of("metrics", OptionalLong.of(0),
                "prom", OptionalLong.of(0)));
        final Map<String, Long> positions = new HashMap<>(Map.of("metrics", 3L, "prom", 0L));
        final SourceLag lag = new SourceLag() {
            @Override
            public OptionalLong of(final String topic, final int partition) {
                return lags.get(topic);
            }

            @Override
            public OptionalLong position(final String topic, final int partition) {
                return OptionalLong.of(positions.get(topic));
            }
        };
        final IngestProcessor before = start(lag);
        for (int i = 0; i < 3; i++) {
            send(before, "metrics", T0 + i * 1_000L);
        }
        check(T0 + 5_000);
        check(T0 + 40_000);                         // prom never had a record, metrics none for 35 s
        assertThat(announcedIdle()).containsExactlyInAnyOrder("metrics/0", "prom/0");
        flush.flushCache();

        context.setCurrentSystemTimeMs(T0 + 100_000);
        positions.put("metrics", 5L);               // two records came while the task moved
        lags.put("prom", OptionalLong.empty());     // no fetch answered yet
        start(lag);
        context.resetForwards();
        check(T0 + 105_000);
        assertThat(announcedIdle()).as("nothing known of prom yet, and metrics had records").isEmpty();
        lags.put("prom", OptionalLong.of(0));
        check(T0 + 110_000);
        assertThat(announcedIdle()).containsExactly("prom/0");
        context.resetForwards();
        check(T0 + 115_000);
        assertThat(announcedIdle()).as("renewed as any idle source, before its lease at the evaluators runs out")
                .containsExactly("prom/0");
        context.resetForwards();
        check(T0 + 135_000);
        assertThat(announcedIdle()).as("metrics by this task's clock: 35 s without a record")
                .containsExactlyInAnyOrder("metrics/0", "prom/0");
    }

    @Test
    void aRecordAfterTheIdleNoticeIsInTheStoreAtTheNextCommit() {
        final SourceLag lag = new SourceLag() {
            @Override
            public OptionalLong of(final String topic, final int partition) {
                return OptionalLong.of(0);
            }

            @Override
            public OptionalLong position(final String topic, final int partition) {
                return OptionalLong.of(offsets[TOPICS.indexOf(topic)]);
            }
        };
        final IngestProcessor ingest = start(lag);
        check(T0 + 40_000);
        flush.flushCache();
        assertThat(progress.get(IngestProcessor.idleKey("metrics/0"))).isZero();
        final int writesWhileIdle = writes;
        check(T0 + 50_000);
        flush.flushCache();
        assertThat(writes).as("a renewal writes nothing").isEqualTo(writesWhileIdle);
        send(ingest, "metrics", T0);
        flush.flushCache();
        assertThat(progress.get(IngestProcessor.idleKey("metrics/0"))).isNull();
        assertThat(progress.get(IngestProcessor.idleKey("prom/0"))).isZero();
        assertThat(writes).as("the record's newest and the notice's removal")
                .isEqualTo(writesWhileIdle + 2);

        context.setCurrentSystemTimeMs(T0 + 60_000);
        start(lag);
        context.resetForwards();
        check(T0 + 65_000);
        assertThat(announcedIdle()).containsExactly("prom/0");
    }

    /** Runs the idle check of the task started last, at {@code wallMs}: the first punctuation it scheduled. */
    private void check(final long wallMs) {
        context.scheduledPunctuators().get(lastTaskPunctuators).getPunctuator().punctuate(wallMs);
    }

    /** The sources announced idle since the forwards were last reset, in order. */
    private List<String> announcedIdle() {
        final List<String> sources = new ArrayList<>();
        context.forwarded().forEach(f -> {
            if (f.record().value() instanceof SeriesRecord r && !SeriesBundle.isBundle(r.value())
                    && SeriesMessageCodec.decode(f.record().key(), r.value()) instanceof SeriesMessage.SourceIdle i) {
                sources.add(i.source());
            }
        });
        return sources;
    }

    /**
     * A task counts itself in the table of the thread it reads on (its bounds are counted by them), moves to another
     * thread's table when it finds itself on that thread, and counts itself out when closed.
     */
    @Test
    void aTaskReadsWithTheLabelSetsOfItsThread() throws Exception {
        final KnownLabels.ByThread byThread = new KnownLabels.ByThread();
        final IngestProcessor first = start(byThread);
        final IngestProcessor second = start(byThread);
        send(first, "metrics", T0);
        send(second, "metrics", T0);
        send(first, "metrics", T0 + 1_000);
        assertThat(byThread.ofThisThread().tasks()).isEqualTo(2);

        final ExecutorService otherThread = Executors.newSingleThreadExecutor();
        try {
            otherThread.submit(() -> send(first, "metrics", T0 + 2_000)).get();
            assertThat(otherThread.submit(() -> byThread.ofThisThread().tasks()).get()).isEqualTo(1);
            assertThat(byThread.ofThisThread().tasks()).isEqualTo(1);
        } finally {
            otherThread.shutdown();
        }
        second.close();
        assertThat(byThread.ofThisThread().tasks()).isZero();
    }

    /** An ingest task's processor, started (again) over this context's stores, as Kafka Streams starts a task. */
    private IngestProcessor start() {
        return start(new KnownLabels.ByThread());
    }

    private IngestProcessor start(final SourceLag lag) {
        return start(new KnownLabels.ByThread(), lag);
    }

    private IngestProcessor start(final KnownLabels.ByThread knownLabels) {
        return start(knownLabels, SourceLag.CAUGHT_UP);
    }

    private IngestProcessor start(final KnownLabels.ByThread knownLabels, final SourceLag lag) {
        final IngestProcessor ingest = new IngestProcessor(
                new TopicDecoders(TOPICS.stream().map(InputTopic::auto).toList(), IngestLimits.defaults()), TOPICS,
                Map.of("metrics", 1, "prom", 1), GRACE_MS, Duration.ofDays(7), () -> 10_000, Duration.ofSeconds(30),
                new IngestMetrics(new SimpleMeterRegistry()), lag, 1, SelectedMetrics.ALL, null, false,
                knownLabels, null);
        lastTaskPunctuators = context.scheduledPunctuators().size();
        ingest.init(context);
        return ingest;
    }

    /** The timestamps of the points ingest sent, in its bundles, in order. */
    private List<Long> forwardedPointTimes() {
        final List<Long> times = new ArrayList<>();
        context.forwarded().forEach(f -> {
            if (f.record().value() instanceof SeriesRecord r && SeriesBundle.isBundle(r.value())) {
                SeriesBundle.read(r.value(), (SeriesBundle.PointReader) (key, value, at, recordTime) -> times.add(at));
            }
        });
        return times;
    }

    /** One record of one datapoint at {@code timestampMs}, from partition 0 of {@code topic}. */
    private void send(final IngestProcessor ingest, final String topic, final long timestampMs) {
        context.setRecordMetadata(topic, 0, offsets[TOPICS.indexOf(topic)]++);
        final String point = "{\"name\":\"cpu\",\"labels\":{\"instance\":\"n1\"},\"value\":1,\"timestamp\":"
                + timestampMs + "}";
        ingest.process(new Record<>(null, point.getBytes(StandardCharsets.UTF_8), T0));
    }

    private <S extends StateStore> S add(final StoreBuilder<S> builder) {
        final S store = builder.build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }
}
