package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.model.DurationSyntax;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak run: {@code vigil run} for a long stretch at a steady load, killed with {@code kill -9} at regular
 * intervals and restarted (sometimes on an empty state directory), its memory sampled over time; at the end the
 * alerts topic must hold, transition for transition, what {@code vigil replay} prints for the same records.
 *
 * <p>This is a benchmark run, not a test for CI: it is skipped unless {@code -Dvigil.soak.minutes=N} is given, so
 * {@code mvn verify} never runs it. docs/reliability.md has the command and the results of a 30-minute run.
 *
 * <p>It reuses the fault suite's input and rules ({@link FaultSuiteData}, every rule kind firing, in two-hour cycles
 * of event time) and its engine process ({@link VigilProcess}: its JVM settings, {@code -Xmx384m} and the serial
 * collector). The records are those of {@code FaultSuiteData.records}, as many steps as the rate and duration ask,
 * written in timestamp order round-robin to 3 partitions, paced at {@code -Dvigil.soak.rate} datapoints/s (default
 * 500). Their timestamps are in the records, not taken from the wall clock, so the pacing, the kills and the machine's
 * load change when the events are written, never which. Settings: {@code -Dvigil.soak.kill_every} (default
 * {@code 5m}; one kill per interval while the load runs), {@code -Dvigil.soak.sample_every} (default {@code 30s}),
 * {@code -Dvigil.soak.seed} (which restarts lose their state; default random, printed).
 *
 * <p>Every sample is a row of {@code target/soak/memory.csv} and {@code target/soak/memory.md}: the engine's resident
 * set ({@code VmRSS} of {@code /proc/<pid>/status}), heap in use, old generation in use and live data after the last
 * full collection (from its {@code /metrics}), the records written, the input offsets it has committed, the alert
 * events committed and the machine's load. The last row is taken after a full collection forced in the engine
 * ({@code jcmd <pid> GC.run}) once the comparison is done: the heap the engine really holds after the whole run, where
 * the rows before count garbage the collector had not needed to reclaim yet. The result line goes to
 * {@code target/soak/results.txt}, the engines' logs next to it.
 */
@EnabledIfSystemProperty(named = "vigil.soak.minutes", matches = "[1-9]\\d*")
class SoakIT {

    static final int MINUTES = Integer.getInteger("vigil.soak.minutes", 0);
    static final int RATE = Integer.getInteger("vigil.soak.rate", 500);
    static final Duration KILL_EVERY = duration("vigil.soak.kill_every", "5m");
    static final Duration SAMPLE_EVERY = duration("vigil.soak.sample_every", "30s");
    static final long SEED = Long.getLong("vigil.soak.seed", new Random().nextLong());
    static final Path OUT = Path.of("target", "soak");
    static final int PARTITIONS = 3;
    static final String NAME = "soak";
    /** Generous for the backlog of the last kill and a busy machine. */
    static final Duration CATCH_UP = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    @Test
    void underSteadyLoadWithPeriodicKillsTheEngineWritesWhatReplayPrints() throws Exception {
        Files.createDirectories(OUT);
        // FaultSuiteData writes about 25 records a step (12 nodes x 2 metrics, the database, a few unreadable).
        final int steps = (int) Math.ceil(RATE * MINUTES * 60.0 / 25);
        final List<String> records = FaultSuiteData.records(steps);
        System.out.printf(Locale.ROOT, "soak: seed %d (rerun with -Dvigil.soak.seed=%d), %d min, %d records (%d steps)"
                + " at %d/s, a kill every %s, nproc %d%n", SEED, SEED, MINUTES, records.size(), steps, RATE,
                DurationSyntax.format(KILL_EVERY), Runtime.getRuntime().availableProcessors());
        final Random random = new Random(SEED);
        final Path rules = FaultInjectionIT.writeRules(dir.resolve("rules"), FaultSuiteData.NODE_RULES);
        final List<Sample> samples = new ArrayList<>();
        final List<String> plan = new ArrayList<>();
        final List<String> recoveries = new ArrayList<>();
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-" + NAME, PARTITIONS, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            final Map<String, String> env = Map.of(
                    "VIGIL_KAFKA_APPLICATION_ID", "vigil-" + NAME,
                    "VIGIL_TOPICS_METRICS", "metrics-" + NAME,
                    "VIGIL_TOPICS_ALERTS", "alerts-" + NAME,
                    "VIGIL_TOPICS_DLQ", "dlq-" + NAME,
                    // As in the fault suite: a killed member's partitions move after 6 s, not 45 s.
                    "VIGIL_KAFKA_SESSION_TIMEOUT_MS", "6000",
                    "VIGIL_KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
            int generation = 0;
            Path dataDir = dir.resolve("data-0");
            VigilProcess engine = start(broker, rules, env, generation, dataDir);
            final PacedProducer producer = new PacedProducer(broker.bootstrapServers(), records);
            final Progress progress = new Progress(broker.bootstrapServers(), admin);
            try {
                final long t0 = System.nanoTime();
                final long loadEnds = t0 + TimeUnit.MINUTES.toNanos(MINUTES);
                long nextSample = t0 + SAMPLE_EVERY.toNanos();
                long nextKill = t0 + KILL_EVERY.toNanos();
                // After a kill: the records written when it came, and when; caught up once the input offsets the
                // restarted engine committed pass them.
                long killedWithSent = -1;
                long killedAt = 0;
                producer.start();
                while (!producer.done()) {
                    final long now = System.nanoTime();
                    if (now >= nextSample) {
                        // Before a kill due at the same time: the memory of an engine that ran the whole interval.
                        samples.add(sample(minutes(now - t0), generation, engine, producer, progress));
                        System.out.println("soak: " + samples.get(samples.size() - 1).row());
                        nextSample += SAMPLE_EVERY.toNanos();
                    } else if (now >= nextKill && nextKill < loadEnds) {
                        if (killedWithSent >= 0) {
                            recoveries.add("not caught up before the next kill");
                        }
                        killedWithSent = producer.sent();
                        killedAt = now;
                        final String at = String.format(Locale.ROOT, "min %.1f (%d records written, %d committed)",
                                minutes(now - t0), producer.sent(), progress.committed());
                        engine.kill();
                        generation++;
                        // A new machine now and then: no local state, everything from the changelogs.
                        final boolean fresh = random.nextInt(3) == 0;
                        if (fresh) {
                            dataDir = dir.resolve("data-" + generation);
                        }
                        engine = start(broker, rules, env, generation, dataDir);
                        plan.add(at + (fresh ? ", empty state dir" : ""));
                        System.out.println("soak: kill " + plan.size() + " at " + plan.get(plan.size() - 1));
                        nextKill += KILL_EVERY.toNanos();
                    } else if (killedWithSent >= 0 && progress.committed() >= killedWithSent) {
                        recoveries.add(String.format(Locale.ROOT, "%.0f s", (now - killedAt) / 1e9));
                        System.out.println("soak: caught up " + recoveries.get(recoveries.size() - 1)
                                + " after kill " + plan.size());
                        killedWithSent = -1;
                    } else {
                        // Pacing the benchmark's own schedule; nothing is awaited here.
                        final long next = Math.min(nextSample, nextKill < loadEnds ? nextKill : Long.MAX_VALUE);
                        Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(next - now), 1_000)));
                    }
                }
                producer.close();
                assertThat(producer.failure()).as("the producer's first error").isNull();
                System.out.printf(Locale.ROOT, "soak: all %d records written in %.1f min; replaying them%n",
                        records.size(), minutes(System.nanoTime() - t0));
                final Map<String, List<String>> expected = FaultInjectionIT.byFingerprint(
                        FaultInjectionIT.replay(records, FaultInjectionIT.load(rules), null, records.size()));
                final int compared = awaitSameAs(broker.bootstrapServers(), expected);
                final Sample end = sample(minutes(System.nanoTime() - t0), generation, engine, producer, progress);
                samples.add(end);
                // Without a full collection, old-generation use counts garbage not yet collected; after one, what is
                // left is what the engine holds.
                fullGc(engine);
                final Sample afterGc = sample(minutes(System.nanoTime() - t0), generation, engine, producer, progress);
                samples.add(afterGc);
                assertThat(engine.isAlive()).isTrue();
                final Sample first = samples.stream().filter(x -> x.heap >= 0).findFirst().orElse(samples.get(0));
                final String result = String.format(Locale.ROOT, "%d min at %d datapoints/s (%d records), %d kills"
                        + " (%s); input committed up to the kill's %s after each kill; %d transitions of %d alerts"
                        + " compared, 0 differences; RSS %s MB, heap %s MB, old gen %s MB at the end (at min %.1f: %s /"
                        + " %s / %s), heap %s MB after a full GC at the end; seed %d, nproc %d",
                        MINUTES, RATE, records.size(), plan.size(), String.join("; ", plan),
                        String.join(", ", recoveries), compared, expected.size(), mb(end.rss),
                        mb(end.heap), mb(end.oldGen), first.minute, mb(first.rss), mb(first.heap),
                        mb(first.oldGen), mb(afterGc.heap), SEED, Runtime.getRuntime().availableProcessors());
                System.out.println("soak: " + result);
                Files.writeString(OUT.resolve("results.txt"), Instant.now() + " " + result + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } finally {
                producer.close();
                progress.close();
                engine.close();
                writeSamples(samples);
            }
        }
    }

    private static VigilProcess start(final EmbeddedKafka broker, final Path rules, final Map<String, String> env,
                                      final int generation, final Path dataDir) {
        return VigilProcess.start(NAME + "-engine-" + generation, OUT, List.of("--bootstrap-servers",
                broker.bootstrapServers(), "--rules", rules.toString(), "--data-dir", dataDir.toString()), env,
                List.of());
    }

    /** One row of the memory table; -1 where the engine did not answer (restarting). */
    private record Sample(double minute, int generation, long rss, long heap, long oldGen, long liveData, int sent,
                          long committed, int alerts, String load) {

        static final String HEADER = "minute,engine,rss_mb,heap_used_mb,old_gen_used_mb,live_data_mb,records_written,"
                + "input_committed,alert_events,load1";

        String row() {
            return String.format(Locale.ROOT, "%.1f,%d,%s,%s,%s,%s,%d,%d,%d,%s", minute, generation, mb(rss), mb(heap),
                    mb(oldGen), mb(liveData), sent, committed, alerts, load);
        }
    }

    private static Sample sample(final double minute, final int generation, final VigilProcess engine,
                                 final PacedProducer producer, final Progress progress) {
        long heap = -1;
        long oldGen = -1;
        long liveData = -1;
        try {
            heap = 0;
            oldGen = 0;
            for (String line : engine.get("/metrics").split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    final long bytes = value(line);
                    heap += bytes;
                    if (line.contains("Tenured") || line.contains("Old Gen")) {
                        oldGen += bytes;
                    }
                } else if (line.startsWith("jvm_gc_live_data_size_bytes")) {
                    liveData = value(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            heap = -1; // not serving yet
            oldGen = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Sample(minute, generation, rss(engine.pid()), heap, oldGen, liveData, producer.sent(),
                progress.committed(), progress.alerts(), load());
    }

    /** A full collection in the engine's JVM ({@code jcmd <pid> GC.run}, the JDK's own tool). */
    private static void fullGc(final VigilProcess engine) throws IOException, InterruptedException {
        final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(engine.pid()), "GC.run").redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.DISCARD).start();
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).as("jcmd GC.run finished").isTrue();
        assertThat(jcmd.exitValue()).as("jcmd GC.run's exit status").isZero();
    }

    /** {@code VmRSS} of {@code /proc/<pid>/status} in bytes, -1 if there is none (the process is gone). */
    private static long rss(final long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static long value(final String metricsLine) {
        return (long) Double.parseDouble(metricsLine.substring(metricsLine.lastIndexOf(' ') + 1));
    }

    private static String mb(final long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    private static double minutes(final long nanos) {
        return nanos / 60e9;
    }

    private static Duration duration(final String property, final String byDefault) {
        final String text = System.getProperty(property, byDefault);
        return DurationSyntax.parse(text).orElseThrow(() -> new IllegalArgumentException(
                property + ": not a duration: " + text + " (for example 5m, 30s)"));
    }

    private static void writeSamples(final List<Sample> samples) throws IOException {
        final StringBuilder csv = new StringBuilder(Sample.HEADER).append('\n');
        final StringBuilder md = new StringBuilder("| " + Sample.HEADER.replace(",", " | ") + " |\n|"
                + " --- |".repeat(Sample.HEADER.split(",").length) + "\n");
        for (Sample s : samples) {
            csv.append(s.row()).append('\n');
            md.append("| ").append(s.row().replace(",", " | ")).append(" |\n");
        }
        Files.writeString(OUT.resolve("memory.csv"), csv);
        Files.writeString(OUT.resolve("memory.md"), md);
    }

    /**
     * Reads the alerts topic from the beginning, committed transactions only, until its events per fingerprint are
     * the expected ones, then 5 s more to see that nothing follows (a duplicate would).
     *
     * @return how many transitions were compared
     */
    private static int awaitSameAs(final String bootstrapServers, final Map<String, List<String>> want) {
        final List<AlertEvent> actual = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = alertsConsumer(bootstrapServers)) {
            await().atMost(CATCH_UP).pollInterval(Duration.ZERO).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> actual.add(AlertEventJson.read(r.value())));
                assertThat(FaultInjectionIT.differences(FaultInjectionIT.byFingerprint(actual), want))
                        .as("transitions written (+) or missing (-) against replay, per alert").isEmpty();
            });
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ZERO)
                    .untilAsserted(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> actual.add(AlertEventJson.read(r.value())));
                        assertThat(FaultInjectionIT.differences(FaultInjectionIT.byFingerprint(actual), want))
                                .as("transitions written (+) or missing (-) against replay, per alert, after all"
                                        + " were there").isEmpty();
                    });
        }
        return actual.size();
    }

    private static KafkaConsumer<byte[], byte[]> alertsConsumer(final String bootstrapServers) {
        final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> partitions = consumer.partitionsFor("alerts-" + NAME, Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /**
     * Writes the records at the soak's rate, record {@code i} to partition {@code i % 3}, in order, from a timer
     * every 50 ms: as many as are due since the start. The producer's first error is kept for the end.
     */
    private static final class PacedProducer implements AutoCloseable {

        private final List<String> records;
        private final KafkaProducer<byte[], byte[]> producer;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "soak-producer");
            t.setDaemon(true);
            return t;
        });
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private long startNanos;

        PacedProducer(final String bootstrapServers, final List<String> records) {
            this.records = records;
            this.producer = new KafkaProducer<>(Map.of(
                    TestProducers.ONE_BATCH_IN_FLIGHT, 1,
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
        }

        void start() {
            startNanos = System.nanoTime();
            timer.scheduleAtFixedRate(this::sendDue, 0, 50, TimeUnit.MILLISECONDS);
        }

        private void sendDue() {
            try {
                sendUpTo(Math.min(records.size(), (System.nanoTime() - startNanos) * RATE / 1_000_000_000L));
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                throw e;
            }
        }

        private void sendUpTo(final long due) {
            for (int i = sent.get(); i < due; i++) {
                producer.send(new ProducerRecord<>("metrics-" + NAME, i % PARTITIONS, null,
                        records.get(i).getBytes(StandardCharsets.UTF_8)), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                sent.incrementAndGet();
            }
        }

        int sent() {
            return sent.get();
        }

        /** Everything is sent, or the producer failed (its error is {@link #failure()}). */
        boolean done() {
            return sent.get() == records.size() || failure.get() != null;
        }

        Exception failure() {
            return failure.get();
        }

        /** Stops the timer and flushes what was sent; idempotent. */
        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            producer.close(Duration.ofSeconds(30));
        }
    }

    /** How far the engine is: input offsets committed by its group, alert events committed to the alerts topic. */
    private static final class Progress implements AutoCloseable {

        private final String bootstrapServers;
        private final Admin admin;
        private KafkaConsumer<byte[], byte[]> alertsCounter;
        private int alerts;

        Progress(final String bootstrapServers, final Admin admin) {
            this.bootstrapServers = bootstrapServers;
            this.admin = admin;
        }

        long committed() {
            try {
                long committed = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets("vigil-" + NAME)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).entrySet()) {
                    if (e.getKey().topic().equals("metrics-" + NAME) && e.getValue() != null) {
                        committed += e.getValue().offset();
                    }
                }
                return committed;
            } catch (Exception e) {
                return -1;
            }
        }

        int alerts() {
            if (alertsCounter == null) {
                alertsCounter = alertsConsumer(bootstrapServers);
                if (alertsCounter.assignment().isEmpty()) {
                    // The engine has not created the topic yet.
                    alertsCounter.close();
                    alertsCounter = null;
                    return 0;
                }
            }
            for (int polled = 1; polled > 0; ) {
                polled = alertsCounter.poll(Duration.ofMillis(100)).count();
                alerts += polled;
            }
            return alerts;
        }

        @Override
        public void close() {
            if (alertsCounter != null) {
                alertsCounter.close();
            }
        }
    }
}
