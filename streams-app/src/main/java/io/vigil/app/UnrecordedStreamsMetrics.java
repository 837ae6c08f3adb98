package io.vigil.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Leaves out of {@code /metrics} the Kafka Streams metrics that its recording level ({@code metrics.recording.level},
 * INFO unless {@code kafka.metrics.recording.level} says otherwise) never records. Kafka Streams registers every
 * state store's and task's metrics whatever the level, and records only those of the level or below: at INFO the
 * DEBUG and TRACE ones stay NaN or 0 forever. Micrometer's binder exports them all, and they were half of an
 * instance's /metrics (976 of 1,941 series with four tasks, most of them the stores' put/get/range rates and
 * latencies): series to scrape and store that can never say anything. The levels are Kafka 4.3's
 * ({@code StateStoreMetrics}, {@code TaskMetrics}, {@code ProcessorNodeMetrics}); gauges, which are read when
 * scraped whatever their level, are kept.
 */
final class UnrecordedStreamsMetrics implements MeterFilter {

    private static final Pattern DEBUG = Pattern.compile("kafka\\.stream\\.(?:"
            + "state\\.(?:(?:put|put\\.if\\.absent|put\\.all|get|fetch|all|range|prefix\\.scan|flush|commit|delete"
            + "|remove|restore)\\.(?:rate|latency\\.avg|latency\\.max)"
            + "|suppression\\.buffer\\.(?:count|size)\\.(?:avg|max)|iterator\\.duration\\.(?:avg|max))"
            + "|task\\.(?:process\\.latency\\.(?:avg|max)|process\\.(?:rate|total)|punctuate\\.latency\\.(?:avg|max)"
            + "|punctuate\\.(?:rate|total)|enforced\\.processing\\.(?:rate|total)|record\\.lateness\\.(?:avg|max)"
            + "|restore\\.(?:rate|total)|update\\.(?:rate|total)|cache\\.size\\.bytes\\.total|active\\.buffer\\.count)"
            + "|processor\\.node\\.process\\.(?:rate|total))");
    private static final Pattern TRACE = Pattern.compile("kafka\\.stream\\.state\\.record\\.e2e\\.latency\\.(?:avg|min|max)");

    private final boolean recordsDebug;
    private final boolean recordsTrace;

    /**
     * Filters {@code registry} by the recording level {@code config} gives Kafka Streams. Before any meter is
     * registered: a filter added later does not apply to the meters already there.
     */
    static void applyTo(final MeterRegistry registry, final VigilConfig config) {
        registry.config().meterFilter(new UnrecordedStreamsMetrics(String.valueOf(
                config.kafka().getOrDefault(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG, "INFO"))));
    }

    /** @param recordingLevel Kafka Streams' {@code metrics.recording.level}: INFO, DEBUG or TRACE */
    UnrecordedStreamsMetrics(final String recordingLevel) {
        final String level = recordingLevel.toUpperCase(Locale.ROOT);
        this.recordsTrace = level.equals("TRACE");
        this.recordsDebug = recordsTrace || level.equals("DEBUG");
    }

    @Override
    public MeterFilterReply accept(final Meter.Id id) {
        final String name = id.getName();
        if (!recordsDebug && DEBUG.matcher(name).matches() || !recordsTrace && TRACE.matcher(name).matches()) {
            return MeterFilterReply.DENY;
        }
        return MeterFilterReply.NEUTRAL;
    }
}
