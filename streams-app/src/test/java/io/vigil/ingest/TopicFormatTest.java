package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A topic configured with a format reads every record in it; line protocol in the topic's precision. */
class TopicFormatTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final long T = 1_655_793_000_123L;
    private static final String NATIVE = "{\"name\":\"up\",\"value\":1,\"timestamp\":" + T + "}";
    private static final String TELEGRAF = "{\"name\":\"cpu\",\"fields\":{\"usage\":1},\"timestamp\":1655793000}";

    private static DecodedRecord decode(final InputFormat format, final TimestampPrecision precision, final String text) {
        return new RecordDecoder(IngestLimits.defaults(), format, precision)
                .decode(text.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void lineProtocolTimestampsAreReadInTheTopicsPrecision() {
        assertThat(List.of(
                decode(InputFormat.INFLUX, TimestampPrecision.NANOSECONDS, "cpu usage=1 1655793000123456789"),
                decode(InputFormat.INFLUX, TimestampPrecision.MICROSECONDS, "cpu usage=1 1655793000123456"),
                decode(InputFormat.INFLUX, TimestampPrecision.MILLISECONDS, "cpu usage=1 1655793000123"),
                decode(InputFormat.AUTO, TimestampPrecision.SECONDS, "cpu usage=1 1655793000")))
                .extracting(r -> r.datapoints().get(0).timestampMs())
                .containsExactly(T, T, T, T - 123);
    }

    @Test
    void secondsThatOverflowMillisecondsAreAnInvalidLine() {
        assertThat(decode(InputFormat.INFLUX, TimestampPrecision.SECONDS, "cpu usage=1 9223372036854775807")
                .rejections()).extracting(Rejection::reason).containsExactly(DeadLetterReason.INVALID_LINE);
    }

    @Test
    void aFixedFormatReadsEveryRecordAsThatFormat() {
        assertThat(decode(InputFormat.JSON, TimestampPrecision.NANOSECONDS, NATIVE).fullyValid()).isTrue();
        assertThat(decode(InputFormat.JSON, TimestampPrecision.NANOSECONDS, "cpu usage=1").deadLetterMessage())
                .startsWith("unparseable: malformed JSON");
        // Telegraf's shape on a native topic: no value, no timestamp.
        assertThat(decode(InputFormat.JSON, TimestampPrecision.NANOSECONDS, TELEGRAF).rejections())
                .extracting(Rejection::reason).containsExactly(DeadLetterReason.MISSING_VALUE);

        assertThat(decode(InputFormat.TELEGRAF_JSON, TimestampPrecision.NANOSECONDS, TELEGRAF).datapoints())
                .extracting(d -> d.series().name()).containsExactly("cpu_usage");
        assertThat(decode(InputFormat.TELEGRAF_JSON, TimestampPrecision.NANOSECONDS, NATIVE).rejections())
                .extracting(Rejection::reason).containsExactly(DeadLetterReason.MISSING_VALUE);

        assertThat(decode(InputFormat.INFLUX, TimestampPrecision.NANOSECONDS, NATIVE).rejections())
                .extracting(Rejection::reason).containsExactly(DeadLetterReason.INVALID_LINE);
    }

    @Test
    void autoDetectsEachRecord() {
        assertThat(List.of(NATIVE, TELEGRAF, "cpu usage=1 1655793000123456789"))
                .allSatisfy(text -> assertThat(decode(InputFormat.AUTO, TimestampPrecision.NANOSECONDS, text)
                        .fullyValid()).as(text).isTrue());
    }

    @Test
    void eachTopicGetsItsOwnDecoderAndAnUnknownTopicIsDetected() {
        final TopicDecoders decoders = new TopicDecoders(List.of(
                new InputTopic("lp", InputFormat.INFLUX, TimestampPrecision.SECONDS), InputTopic.auto("any")),
                IngestLimits.defaults());
        final byte[] line = "cpu usage=1 1655793000".getBytes(StandardCharsets.UTF_8);
        assertThat(decoders.forTopic("lp").decode(line, NOW).datapoints().get(0).timestampMs())
                .isEqualTo(1_655_793_000_000L);
        assertThat(decoders.forTopic("any").decode(line, NOW).datapoints().get(0).timestampMs()).isEqualTo(1_655L);
        assertThat(decoders.forTopic("other").decode(NATIVE.getBytes(StandardCharsets.UTF_8), NOW).fullyValid())
                .isTrue();
    }
}
