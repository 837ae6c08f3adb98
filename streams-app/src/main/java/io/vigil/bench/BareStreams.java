package io.vigil.bench;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The second yardstick: Kafka Streams itself, under the engine's settings (exactly-once, its stream threads, commit
 * interval and producer batches), running one processor that only looks at each value. What separates it from the
 * plain consumer is Kafka Streams' own work per record (record queues, contexts, sensors, transactions); what
 * separates the engine from it is Vigil's. No Kafka Streams engine can catch up faster than this on the same input.
 */
public final class BareStreams {

    /**
     * How long the application took from its first record to having committed the end of the topic (not from RUNNING:
     * a stream thread processes as soon as its own tasks are ready, and may have read most of the topic by then), and
     * the CPU the clock given to {@link #readAll} counted meanwhile (negative where it has none).
     */
    public record Result(long records, double seconds, long cpuNanos) {
        public double rate() {
            return records / seconds;
        }
    }

    private BareStreams() {
    }

    /**
     * Reads {@code topic} to its end with a new application of {@code props} (its {@code application.id} must be new,
     * so that it starts from the beginning) and closes it.
     */
    public static Result readAll(final Properties props, final Admin admin, final String topic, final Duration timeout,
                                 final LongSupplier cpuClock) throws InterruptedException {
        final Map<Integer, Long> ends = endOffsets(admin, topic);
        final long records = ends.values().stream().mapToLong(Long::longValue).sum();
        final LongAdder valueBytes = new LongAdder();
        final AtomicLong firstRecordNanos = new AtomicLong();
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new LookAtValues(ends, valueBytes, firstRecordNanos));
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (firstRecordNanos.get() == 0) {
                if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the bare Kafka Streams application did not start (state "
                            + streams.state() + ")");
                }
                TimeUnit.MILLISECONDS.sleep(1);
            }
            final long started = firstRecordNanos.get();
            final long cpuStarted = cpuClock.getAsLong();
            final long done = CommittedProgress.awaitCaughtUp(admin,
                    props.getProperty("application.id"), topic, timeout, streams::state);
            final long cpuDone = cpuClock.getAsLong();
            if (valueBytes.sum() <= 0 && records > 0) {
                throw new IllegalStateException("the bare Kafka Streams application read no value of " + topic);
            }
            return new Result(records, (done - started) / 1e9, cpuStarted < 0 ? -1 : cpuDone - cpuStarted);
        }
    }

    private static Map<Integer, Long> endOffsets(final Admin admin, final String topic) throws InterruptedException {
        try {
            final Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(java.util.List.of(topic))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            return ends.entrySet().stream().collect(Collectors.toUnmodifiableMap(e -> e.getKey().partition(),
                    e -> e.getValue().offset()));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds up the values' lengths (so each is read), and asks for a commit at its partition's last record, as the
     * engine's commit pacing does once its input has stopped: otherwise the last records would wait for the commit
     * interval, which is not reading speed.
     */
    private static final class LookAtValues implements Processor<byte[], byte[], Void, Void> {
        private final Map<Integer, Long> ends;
        private final LongAdder total;
        private final AtomicLong firstRecordNanos;
        private ProcessorContext<Void, Void> context;
        private long last = -1;
        private long bytes;
        /** Whether this task has seen a record: only its first looks at the shared clock. */
        private boolean started;

        LookAtValues(final Map<Integer, Long> ends, final LongAdder total, final AtomicLong firstRecordNanos) {
            this.ends = ends;
            this.total = total;
            this.firstRecordNanos = firstRecordNanos;
        }

        @Override
        public void init(final ProcessorContext<Void, Void> context) {
            this.context = context;
            last = ends.getOrDefault(context.taskId().partition(), 0L) - 1;
        }

        @Override
        public void process(final Record<byte[], byte[]> record) {
            if (!started) {
                started = true;
                firstRecordNanos.compareAndSet(0, System.nanoTime());
            }
            bytes += record.value() == null ? 0 : record.value().length;
            if (context.recordMetadata().orElseThrow().offset() >= last) {
                total.add(bytes);
                bytes = 0;
                context.commit();
            }
        }
    }
}
