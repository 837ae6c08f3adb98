package io.vigil.ingest;

import static io.vigil.ingest.RecordDecoderTest.unplaced;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Telegraf's JSON serializer output, as its documentation shows it. */
class TelegrafJsonDecoderTest {

    private static final long NOW = 1_800_000_000_000L;
    private final RecordDecoder decoder = new RecordDecoder(IngestLimits.defaults());

    private DecodedRecord decode(final String text) {
        return decoder.decode(text.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void aSingleMetricBecomesOneSeriesPerNumericField() {
        final DecodedRecord r = decode("""
                {"fields":{"usage_user":12.5,"usage_system":3.1,"state":"ok","online":true},
                 "name":"cpu","tags":{"cpu":"cpu-total","host":"node-07"},"timestamp":1655793000}""");
        final Labels labels = Labels.of("cpu", "cpu-total", "host", "node-07", "instance", "node-07");
        assertThat(r.datapoints()).containsExactly(
                new Datapoint(new Series("cpu_usage_user", labels), 12.5, 1_655_793_000_000L),
                new Datapoint(new Series("cpu_usage_system", labels), 3.1, 1_655_793_000_000L));
        assertThat(r.skippedFields()).isEqualTo(2);
        assertThat(r.rejections()).isEmpty();
    }

    /** A field that is an object, an array or null is no field Telegraf writes: refused, not skipped as a string. */
    @Test
    void aFieldThatIsNoNumberStringOrBooleanIsRefused() {
        final DecodedRecord r = decode("""
                {"fields":{"ok":1,"a":{"b":1},"c":[1],"d":null},"name":"cpu","tags":{"host":"h"},
                 "timestamp":1655793000}""");
        assertThat(r.datapoints()).extracting(d -> d.series().name()).containsExactly("cpu_ok");
        assertThat(r.skippedFields()).isZero();
        assertThat(r.rejections()).extracting(x -> x.reason().tag() + ": " + x.problem()).containsExactly(
                "invalid_value: field \"a\" is an object, not a number, string or boolean",
                "invalid_value: field \"c\" is an array, not a number, string or boolean",
                "invalid_value: field \"d\" is null, not a number, string or boolean");
    }

    @Test
    void theBatchFormKeepsGoodMetricsAndRejectsBadOnes() {
        final DecodedRecord r = decode("""
                {"metrics":[
                  {"fields":{"used":1024},"name":"mem","tags":{"host":"db-1"},"timestamp":1655793000.5},
                  {"fields":{"used":1},"tags":{"host":"db-2"},"timestamp":1655793000},
                  {"fields":{"rx":10},"name":"net","tags":{"host":"db-3"},"timestamp":"yesterday"}]}""");
        assertThat(r.datapoints()).extracting(d -> d.series().key() + "@" + d.timestampMs())
                .containsExactly("mem_used{host=\"db-1\",instance=\"db-1\"}@1655793000500");
        assertThat(r.rejections()).extracting(x -> x.reason().tag() + ": " + x.problem()).containsExactly(
                "missing_name: metric 1: no \"name\"",
                "invalid_timestamp: metric 2: timestamp \"yesterday\" is not a number of seconds");
    }

    /** Tags are checked as native JSON's labels are: null is absent, anything but a string is refused. */
    @Test
    void tagsAreStringsOrNullAsNativeLabelsAre() {
        final String fields = ",\"fields\":{\"usage_user\":1},\"timestamp\":1655793000}";
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"g1\",\"zone\":null}" + fields).datapoints())
                .extracting(d -> d.series().key())
                .containsExactly("cpu_usage_user{host=\"g1\",instance=\"g1\"}");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"g2\",\"zone\":{\"id\":\"eu-1\"}}" + fields)))
                .isEqualTo("invalid_labels: tag \"zone\" is an object, not a string");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"g2\",\"rack\":7}" + fields)))
                .isEqualTo("invalid_labels: tag \"rack\" is a number, not a string");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":\"host=g3\"" + fields)))
                .isEqualTo("invalid_labels: \"tags\" is a string, not an object");
        assertThat(unplaced(decode("{\"metrics\":[{\"name\":\"cpu\",\"tags\":[\"host\",\"g4\"]" + fields + "]}")))
                .isEqualTo("invalid_labels: metric 0: \"tags\" is an array, not an object");
        assertThat(decode("{\"name\":\"cpu\",\"tags\":null" + fields).datapoints())
                .extracting(d -> d.series().key()).containsExactly("cpu_usage_user{}");
    }

    @Test
    void anEmptyInstanceTagIsAbsentSoHostIsCopiedToIt() {
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"g5\",\"instance\":\"\"},"
                + "\"fields\":{\"usage_user\":1},\"timestamp\":1655793000}").datapoints())
                .extracting(d -> d.series().key())
                .containsExactly("cpu_usage_user{host=\"g5\",instance=\"g5\"}");
    }

    @Test
    void contentAfterTheJsonValueMakesTheRecordUnparseable() {
        final String metric = "{\"name\":\"cpu\",\"tags\":{\"host\":\"g6\"},\"fields\":{\"u\":1},"
                + "\"timestamp\":1655793000}";
        final DecodedRecord r = decode(metric + metric.replace("g6", "LOST"));
        assertThat(r.datapoints()).isEmpty();
        assertThat(r.deadLetterMessage()).isEqualTo("unparseable: malformed JSON at line 1, column "
                + (metric.length() + 1) + " (byte offset " + metric.length() + "): more than one JSON value in the record");
    }

    @Test
    void aNullTimestampIsMissingAndANonStringNameInvalidAsInNativeJson() {
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":null}")))
                .isEqualTo("missing_timestamp: no \"timestamp\"");
        assertThat(unplaced(decode("{\"name\":5,\"fields\":{\"u\":1},\"timestamp\":1655793000}")))
                .isEqualTo("invalid_name: \"name\" is a number, not a string");
    }

    @Test
    void secondsOutsideTheYears0000To9999AreInvalid() {
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":-9300000000000000}")))
                .isEqualTo("invalid_timestamp: timestamp \"-9300000000000000\" is out of range for epoch seconds");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":-62167219201}")))
                .isEqualTo("invalid_timestamp: timestamp \"-62167219201\" is out of range for epoch seconds");
    }

    /**
     * Telegraf's json_timestamp_units = "1ms": each metric was refused in milliseconds the record does not hold,
     * "timestamp 1655793000000000 ms is outside the years 0000 to 9999", with nothing of the unit.
     */
    @Test
    void millisecondsWhereSecondsAreReadAreNamedAsSuch() {
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":1655793000000}")))
                .isEqualTo("invalid_timestamp: timestamp \"1655793000000\" is out of range for epoch seconds; as"
                        + " milliseconds it is 2022-06-21T06:30:00Z: Telegraf JSON's timestamps are seconds"
                        + " (json_timestamp_units = \"1s\")");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":1655793000000000000}")))
                .contains("; as nanoseconds it is 2022-06-21T06:30:00Z");
    }

    /**
     * Telegraf writes name, tags, fields and timestamp only: an object with a native member ({@code value} or
     * {@code labels}) is a native datapoint, whose extra {@code fields} or {@code metrics} member is skipped as any
     * unknown one is.
     */
    @Test
    void aNativeDatapointWithAnExtraFieldsOrMetricsMemberIsNative() {
        final String[] extras = {"\"fields\":{\"note\":\"from-exporter\"}", "\"fields\":{\"usage_user\":7}",
            "\"metrics\":{\"a\":1}", "\"metrics\":[{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":1655793000}]"};
        for (String extra : extras) {
            final DecodedRecord r = decode("{\"name\":\"m\",\"labels\":{\"instance\":\"f1\"},\"value\":1,"
                    + "\"timestamp\":\"2022-06-21T06:30:00Z\"," + extra + "}");
            assertThat(r.rejections()).as(extra).isEmpty();
            assertThat(r.datapoints()).as(extra).containsExactly(
                    new Datapoint(new Series("m", Labels.of("instance", "f1")), 1, 1_655_793_000_000L));
        }
        // Either native member is enough, wherever it stands.
        assertThat(decode("{\"fields\":{\"u\":1},\"name\":\"m\",\"value\":2,\"timestamp\":1655793000000}")
                .datapoints()).extracting(Datapoint::value).containsExactly(2.0);
        assertThat(unplaced(decode("{\"fields\":{\"u\":1},\"name\":\"m\",\"labels\":{},\"timestamp\":1655793000000}")))
                .isEqualTo("missing_value: no \"value\"");
    }

    @Test
    void nativeJsonIsStillNativeEvenWithALabelCalledFields() {
        final DecodedRecord r = decode("{\"name\":\"up\",\"labels\":{\"fields\":\"x\"},\"value\":1,\"timestamp\":1655793000000}");
        assertThat(r.datapoints()).hasSize(1);
        assertThat(r.datapoints().get(0).series().name()).isEqualTo("up");
    }

    /** Jackson takes an overlong form ('/' as 0xC0 0xAF), which would be one more spelling of a tag value. */
    @Test
    void aRecordThatIsNotUtf8IsUnparseable() {
        final byte[] value = "{\"name\":\"cpu\",\"tags\":{\"host\":\"a\u00c0\u00af\"},\"fields\":{\"u\":1},\"timestamp\":1655793000}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(decoder.decode(value, NOW).deadLetterMessage())
                .isEqualTo("unparseable: malformed UTF-8 at line 1 (byte offset 31): 0xC0");
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"\u00e9\"},\"fields\":{\"u\":1},\"timestamp\":1655793000}")
                .datapoints()).extracting(d -> d.series().labels().get("host")).containsExactly("\u00e9");
    }

    /** A field beyond a double was an infinity, ignored by aggregates and counted nowhere; the others still count. */
    /** Half a surrogate pair, written as a JSON escape, is not text: it is refused, not made a '_' of a name. */
    @Test
    void aLoneSurrogateEscapeIsRefusedByItsField() {
        final String half = ", half of a UTF-16 surrogate pair without the other (a JSON \\u escape), which is not"
                + " Unicode text";
        final String ts = ",\"timestamp\":1655793000}";
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"a\\ud800\"},\"fields\":{\"idle\":1}" + ts)))
                .isEqualTo("invalid_labels: tag \"host\" holds \\uD800" + half);
        assertThat(unplaced(decode("{\"metrics\":[{\"name\":\"cpu\\udc00\",\"fields\":{\"idle\":1}" + ts + "]}")))
                .isEqualTo("invalid_name: metric 0: \"name\" holds \\uDC00" + half);
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"\\ud83d\\ude00\"},\"fields\":{\"idle\":1}" + ts)
                .datapoints()).extracting(d -> d.series().labels().get("host")).containsExactly("\ud83d\ude00");
        // In a member's name (a tag's, a field's), Jackson refuses it as malformed.
        assertThat(decode("{\"name\":\"cpu\",\"fields\":{\"idle\\udbff\":1}" + ts).rejections()).singleElement()
                .extracting(Rejection::reason).isEqualTo(DeadLetterReason.UNPARSEABLE);
    }

    @Test
    void aFieldBeyondADoubleIsAnInvalidValue() {
        final DecodedRecord r = decode("{\"name\":\"cpu\",\"fields\":{\"usage\":1e999,\"idle\":-" + "9".repeat(400)
                + ",\"user\":2},\"timestamp\":1655793000}");
        assertThat(r.datapoints()).extracting(d -> d.series().name()).containsExactly("cpu_user");
        assertThat(r.rejections()).extracting(x -> x.reason().tag() + ": " + x.problem()).containsExactly(
                "invalid_value: field \"usage\" is beyond the range of a double",
                "invalid_value: field \"idle\" is beyond the range of a double");
    }

    /**
     * A metric's timestamp is shared by its fields: a bad one is one rejection of the metric, not one per numeric
     * field in the same words, which counted three rejections (and three dead-lettered datapoints in the header) for
     * one mistake. Its string and boolean fields are not counted as skipped either: nothing of the metric is used, as
     * nothing of a bad line protocol line is.
     */
    @Test
    void aBadTimestampRejectsItsMetricOnce() {
        final String fields = "\"fields\":{\"a\":1,\"b\":2.5,\"c\":3,\"state\":\"ok\"}";
        final DecodedRecord r = decode("{\"metrics\":[{\"name\":\"cpu\"," + fields + ",\"timestamp\":\"soon\"},"
                + "{\"name\":\"mem\"," + fields + ",\"timestamp\":1655793000}]}");
        assertThat(r.datapoints()).extracting(d -> d.series().name()).containsExactly("mem_a", "mem_b", "mem_c");
        assertThat(r.skippedFields()).isEqualTo(1);
        assertThat(unplaced(r)).isEqualTo("1 rejection, 3 datapoints accepted: "
                + "invalid_timestamp: metric 0: timestamp \"soon\" is not a number of seconds");
        // Every kind of timestamp problem: out of range, outside the years, ahead of the clock, missing.
        for (String ts : new String[] {"1e300", "-62167219201", "1900000000", "null"}) {
            assertThat(decode("{\"name\":\"cpu\"," + fields + ",\"timestamp\":" + ts + "}").rejections())
                    .as(ts).hasSize(1);
        }
    }

    /** Its tags are shared too: over the limits, they reject the metric once. */
    @Test
    void tagsOverTheLimitsRejectTheirMetricOnce() {
        final String fields = ",\"fields\":{\"a\":1,\"b\":2,\"c\":3},\"timestamp\":1655793000}";
        final StringBuilder many = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        }
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":{" + many + "}" + fields)))
                .isEqualTo("too_many_labels: 65 labels, more than the limit of 64");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":{\"host\":\"" + "h".repeat(3000) + "\"}" + fields)))
                .isEqualTo("label_value_too_long: value of label \"host\" has 3000 chars, more than the limit of 2048");
        // Before a bad timestamp, as the validator orders them.
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{" + many + "},\"fields\":{\"a\":1,\"b\":2},"
                + "\"timestamp\":\"soon\"}").rejections()).extracting(Rejection::reason)
                .containsExactly(DeadLetterReason.TOO_MANY_LABELS);
    }

    /**
     * A timestamp is quoted and cut as other input is: written whole, a long one pushed the explanation past the
     * detail's {@value Rejection#MAX_DETAIL_LENGTH} characters, out of the {@code vigil.error} header.
     */
    @Test
    void aLongBadTimestampIsCutSoThatTheDetailKeepsItsExplanation() {
        final String metric = "{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":";
        assertThat(unplaced(decode(metric + "-" + "9".repeat(400) + "}"))).isEqualTo(
                "invalid_timestamp: timestamp \"-" + "9".repeat(60) + "...\" is out of range for epoch seconds");
        assertThat(unplaced(decode(metric + "\"" + "x".repeat(400) + "\"}"))).isEqualTo(
                "invalid_timestamp: timestamp \"" + "x".repeat(61) + "...\" is not a number of seconds");
        assertThat(unplaced(decode(metric + "{\"s\":\"" + "x".repeat(400) + "\"}}")))
                .isEqualTo("invalid_timestamp: \"timestamp\" is an object, not a number of seconds");
        assertThat(unplaced(decode(metric + "true}")))
                .isEqualTo("invalid_timestamp: \"timestamp\" is a boolean, not a number of seconds");
    }

    /**
     * A tree kept the last of a member given twice: Telegraf writes Go maps, which never repeat a key, so such a
     * record is unparseable; two tags that make one label name reject their metric.
     */
    @Test
    void aMemberGivenTwiceOrTwoTagsOfOneLabelAreRefused() {
        final String fields = ",\"fields\":{\"usage\":1},\"timestamp\":1655793000}";
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{\"case\":\"x\",\"case\":\"y\"}" + fields).deadLetterMessage())
                .isEqualTo("unparseable: malformed JSON at line 1, column 40 (byte offset 39): Duplicate field 'case'");
        assertThat(decode("{\"name\":\"cpu\",\"name\":\"mem\",\"tags\":{}" + fields).deadLetterMessage())
                .startsWith("unparseable: malformed JSON");
        assertThat(unplaced(decode("{\"name\":\"cpu\",\"tags\":{\"a-b\":\"x\",\"a_b\":\"y\"}" + fields)))
                .isEqualTo("invalid_labels: tags \"a-b\" and \"a_b\" are both label \"a_b\"");
        // Two fields of one metric name made two points of one series at one instant, as in line protocol.
        assertThat(unplaced(decode(
                "{\"name\":\"cpu\",\"fields\":{\"a-b\":1,\"a_b\":2,\"c\":3},\"timestamp\":1655793000}")))
                .isEqualTo("invalid_name: fields \"a-b\" and \"a_b\" are both metric \"cpu_a_b\"");
    }

    /**
     * A metric's problem is placed at the value at fault, or at the metric that lacks it, as native JSON's are: the
     * column in characters of its line, the byte offset from 0. Until 2026-12-06 none had a position.
     */
    @Test
    void aMetricsProblemIsPlacedAtItsValue() {
        final DecodedRecord batch = decode("""
                {"metrics":[
                {"fields":{"used":1},"tags":{"host":"db-2"},"timestamp":1655793000},
                 {"name":"net","fields":{"rx":10},"timestamp":"yesterday"}]}""");
        assertThat(batch.rejections()).extracting(Rejection::detail).containsExactly(
                "metric 0: no \"name\" at line 2, column 1 (byte offset 13)",
                "metric 1: timestamp \"yesterday\" is not a number of seconds at line 3, column 47 (byte offset 128)");
        assertThat(batch.rejections()).extracting(Rejection::position)
                .containsExactly(new RecordPosition(2, 1), new RecordPosition(3, 47));
        assertThat(batch.rejections().get(1).problem())
                .isEqualTo("metric 1: timestamp \"yesterday\" is not a number of seconds");

        // A tag's value after a character of two bytes; a field's value; the second of two fields of one metric name.
        assertThat(decode("{\"name\":\"cpu\",\"tags\":{\"h\u00e9\":\"a\",\"rack\":7},\"fields\":{\"u\":1},"
                + "\"timestamp\":1655793000}").rejections()).singleElement().satisfies(r -> {
                    assertThat(r.detail()).isEqualTo(
                            "tag \"rack\" is a number, not a string at line 1, column 39 (byte offset 39)");
                    assertThat(r.position()).isEqualTo(new RecordPosition(1, 39));
                });
        assertThat(decode("{\"name\":\"cpu\",\"fields\":{\"a\":1e999,\"b\":2},\"timestamp\":1655793000}")
                .rejections()).singleElement().extracting(Rejection::position).isEqualTo(new RecordPosition(1, 29));
        assertThat(decode("{\"name\":\"cpu\",\"fields\":{\"a-b\":1,\"a_b\":2},\"timestamp\":1655793000}")
                .rejections()).singleElement().extracting(Rejection::position).isEqualTo(new RecordPosition(1, 33));
    }

    /**
     * A timestamp is quoted as the record writes it, a slice of its bytes: the tree held it as a double or a big
     * integer, and quoted that re-written ({@code 1e300} as {@code 1.0E300}, {@code 1e999} as {@code Infinity}), which
     * is not in the record to be searched for.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e300", "15e18", "9300000000000000.0", "1E+999", "-1e999", "12345678901234567890",
        "-9300000000000000", "1.50e19"})
    void aTimestampIsQuotedAsTheRecordWritesIt(final String ts) {
        assertThat(decode("{\"metrics\":[{\"name\":\"cpu\",\"fields\":{\"u\":1},\"timestamp\":" + ts + "}]}")
                .rejections()).singleElement().extracting(Rejection::problem)
                .isEqualTo("metric 0: timestamp \"" + ts + "\" is out of range for epoch seconds");
    }
}
