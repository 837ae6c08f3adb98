package io.vigil.bench;

import io.vigil.ingest.DecodedRecord;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.KnownLabels;
import io.vigil.ingest.InputFormat;
import io.vigil.ingest.RecordDecoder;
import io.vigil.ingest.TimestampPrecision;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many datapoints per second one core decodes, per format, through the same {@link RecordDecoder} that ingest
 * uses (validation and limits included). Each record holds {@value #POINTS} datapoints, written as the producers
 * write them (Telegraf's cpu plugin, prometheus-kafka-adapter); {@link OperationsPerInvocation} makes JMH report
 * datapoints, not records. One thread: the figure is per core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ParserBenchmark {

    /** Datapoints per record in every benchmark. */
    static final int POINTS = 120;
    private static final long NOW = 1_655_793_600_000L;
    private static final long T = 1_655_793_000_000L;

    private final RecordDecoder lineProtocol =
            new RecordDecoder(IngestLimits.defaults(), InputFormat.INFLUX, TimestampPrecision.NANOSECONDS);
    private final RecordDecoder nativeJson =
            new RecordDecoder(IngestLimits.defaults(), InputFormat.JSON, TimestampPrecision.NANOSECONDS);
    private final RecordDecoder telegrafJson =
            new RecordDecoder(IngestLimits.defaults(), InputFormat.TELEGRAF_JSON, TimestampPrecision.NANOSECONDS);
    private final RecordDecoder detecting = new RecordDecoder(IngestLimits.defaults());

    /** 20 lines of Telegraf's cpu measurement, 6 fields each. */
    private final byte[] lineProtocolRecord = lineProtocolInput();
    /** An array of 120 objects with 3 labels each. */
    private final byte[] nativeJsonRecord = nativeJsonInput();
    /** {"metrics":[...]} of 20 metrics, 6 fields each. */
    private final byte[] telegrafJsonRecord = telegrafJsonInput();

    /** A task's share of the bench's 10,000-series fleet: its series on one of four partitions. */
    static final int FLEET_SERIES = 2_500;
    private final byte[][] fleetRecords = fleetInput();
    private final KnownLabels fleetLabels = new KnownLabels();

    /** A benchmark of records that are rejected would measure the wrong thing. */
    @Setup
    public void everyRecordDecodesToAllItsDatapoints() {
        check("line protocol", lineProtocol());
        check("native JSON", nativeJson());
        check("Telegraf JSON", telegrafJson());
        check("detected line protocol", lineProtocolDetected());
        check("detected native JSON", nativeJsonDetected());
        for (byte[] record : fleetRecords) {
            final DecodedRecord decoded = nativeJson.decode(record, NOW, fleetLabels);
            if (!decoded.fullyValid() || decoded.datapoints().size() != 1) {
                throw new IllegalStateException("fleet JSON: " + decoded.deadLetterMessage());
            }
        }
    }

    private static void check(final String what, final DecodedRecord record) {
        if (!record.fullyValid() || record.datapoints().size() != POINTS) {
            throw new IllegalStateException(what + ": " + record.datapoints().size() + " datapoints, "
                    + record.deadLetterMessage());
        }
    }

    private static byte[][] fleetInput() {
        final FleetMetrics fleet = new FleetMetrics(4 * FLEET_SERIES);
        final byte[][] records = new byte[FLEET_SERIES][];
        for (int i = 0; i < FLEET_SERIES; i++) {
            records[i] = bytes(fleet.datapoint(4 * i + i % 4, T, false));
        }
        return records;
    }

    private static byte[] lineProtocolInput() {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < POINTS / 6; i++) {
            sb.append("cpu,cpu=cpu").append(i % 8).append(",host=node-").append(i).append(",cluster=backend ")
                    .append("usage_user=").append(12.5 + i).append(",usage_system=3.1,usage_idle=80.25,")
                    .append("usage_iowait=0.5,usage_irq=0i,usage_steal=0.01 ")
                    .append((T + i * 10L) * 1_000_000L).append('\n');
        }
        return bytes(sb);
    }

    private static byte[] nativeJsonInput() {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < POINTS; i++) {
            sb.append(i > 0 ? "," : "").append("{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-")
                    .append(i).append("\",\"cluster\":\"backend\",\"job\":\"node\"},\"value\":").append(12.5 + i)
                    .append(",\"timestamp\":").append(T + i * 10L).append('}');
        }
        return bytes(sb.append(']'));
    }

    private static byte[] telegrafJsonInput() {
        final StringBuilder sb = new StringBuilder("{\"metrics\":[");
        for (int i = 0; i < POINTS / 6; i++) {
            sb.append(i > 0 ? "," : "").append("{\"name\":\"cpu\",\"tags\":{\"cpu\":\"cpu").append(i % 8)
                    .append("\",\"host\":\"node-").append(i).append("\",\"cluster\":\"backend\"},\"fields\":{")
                    .append("\"usage_user\":").append(12.5 + i).append(",\"usage_system\":3.1,\"usage_idle\":80.25,")
                    .append("\"usage_iowait\":0.5,\"usage_irq\":0,\"usage_steal\":0.01},\"timestamp\":")
                    .append(T / 1000 + i).append('}');
        }
        return bytes(sb.append("]}"));
    }

    private static byte[] bytes(final CharSequence text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public DecodedRecord lineProtocol() {
        return lineProtocol.decode(lineProtocolRecord, NOW);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public DecodedRecord nativeJson() {
        return nativeJson.decode(nativeJsonRecord, NOW);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public DecodedRecord telegrafJson() {
        return telegrafJson.decode(telegrafJsonRecord, NOW);
    }

    /**
     * A fleet's records as ingest reads them: one datapoint each (prometheus-kafka-adapter's native JSON, as
     * {@code vigil bench} writes them), through the task's {@link KnownLabels}, one scrape of {@value #FLEET_SERIES}
     * series after another, so that each label set is found again as a fleet's are. Reported per datapoint.
     */
    @Benchmark
    @OperationsPerInvocation(FLEET_SERIES)
    public long fleetJson() {
        long points = 0;
        for (byte[] record : fleetRecords) {
            points += nativeJson.decode(record, NOW, fleetLabels).datapoints().size();
        }
        return points;
    }

    /** The cost of detection on top of decoding: an auto-detected topic carrying line protocol. */
    @Benchmark
    @OperationsPerInvocation(POINTS)
    public DecodedRecord lineProtocolDetected() {
        return detecting.decode(lineProtocolRecord, NOW);
    }

    /** As above, for native JSON (the Telegraf check looks for "fields" and "metrics" in the text first). */
    @Benchmark
    @OperationsPerInvocation(POINTS)
    public DecodedRecord nativeJsonDetected() {
        return detecting.decode(nativeJsonRecord, NOW);
    }
}
