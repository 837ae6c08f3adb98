package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordDecoderTest {

    static final long NOW = Instant.parse("2022-06-21T06:31:00Z").toEpochMilli();
    static final long SAMPLE_TS = Instant.parse("2022-06-21T06:30:00Z").toEpochMilli();
    static final String SAMPLE = "{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-07\","
            + "\"cluster\":\"backend\"},\"value\":12.5,\"timestamp\":\"2022-06-21T06:30:00Z\"}";

    private final RecordDecoder decoder = new RecordDecoder(IngestLimits.defaults());

    /**
     * The dead-letter message in the words of its rejections' problems, without the position each is placed at:
     * for tests of the words (positions: {@code aDatapointsProblemIsPlacedAtItsValue}).
     */
    static String unplaced(final DecodedRecord record) {
        return new DecodedRecord(record.datapoints(), record.rejections().stream()
                .map(r -> new Rejection(r.reason(), r.problem())).toList(), record.skippedFields()).deadLetterMessage();
    }

    private DecodedRecord decode(final String value) {
        return decoder.decode(value.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static String point(final String name, final String value, final String timestamp) {
        return "{\"name\":\"" + name + "\",\"value\":" + value + ",\"timestamp\":" + timestamp + "}";
    }

    private Datapoint single(final String value) {
        final DecodedRecord record = decode(value);
        assertThat(record.rejections()).isEmpty();
        assertThat(record.datapoints()).hasSize(1);
        return record.datapoints().get(0);
    }

    @Test
    void decodesTheSampleOfFormatsMd() {
        final DecodedRecord record = decode(SAMPLE);

        assertThat(record.fullyValid()).isTrue();
        assertThat(record.deadLetterMessage()).isEmpty();
        assertThat(record.datapoints()).containsExactly(new Datapoint(
                new Series("cpu_usage_percent", Labels.of("instance", "node-07", "cluster", "backend")),
                12.5, SAMPLE_TS));
    }

    @Test
    void decodesAnArrayAsABatchInOrder() {
        final DecodedRecord record = decode("[" + SAMPLE + ", " + point("up", "1", "1655793000000") + "]");

        assertThat(record.fullyValid()).isTrue();
        assertThat(record.datapoints()).extracting(d -> d.series().name()).containsExactly("cpu_usage_percent", "up");
        assertThat(record.datapoints().get(1)).isEqualTo(new Datapoint(new Series("up", Labels.EMPTY), 1, SAMPLE_TS));
    }

    @Test
    void ignoresUnknownFieldsWhateverTheyHold() {
        final Datapoint d = single("{\"extra\":{\"a\":[1,{\"b\":null}]},\"name\":\"up\",\"value\":1,"
                + "\"timestamp\":1655793000000,\"more\":[[],{}],\"flag\":true}");

        assertThat(d).isEqualTo(new Datapoint(new Series("up", Labels.EMPTY), 1, SAMPLE_TS));
    }

    static Stream<Arguments> timestamps() {
        return Stream.of(
                Arguments.of("\"2022-06-21T06:30:00Z\"", "2022-06-21T06:30:00Z"),
                Arguments.of("\"2022-06-21T08:30:00.123+02:00\"", "2022-06-21T06:30:00.123Z"),
                Arguments.of("\"2022-06-21T01:00:00.5-05:30\"", "2022-06-21T06:30:00.500Z"),
                Arguments.of("\"2022-06-21T06:30:00+00:00\"", "2022-06-21T06:30:00Z"),
                Arguments.of("\"2022-06-21T06:30:00.123456789Z\"", "2022-06-21T06:30:00.123Z"),
                Arguments.of("\"2022-06-21t06:30:00.1z\"", "2022-06-21T06:30:00.100Z"),
                Arguments.of("\"1969-12-31T23:59:59.999Z\"", "1969-12-31T23:59:59.999Z"),
                Arguments.of("1655793000000", "2022-06-21T06:30:00Z"),
                Arguments.of("1655793000123.9", "2022-06-21T06:30:00.123Z"),
                Arguments.of("1.655793e12", "2022-06-21T06:30:00Z"),
                Arguments.of("0", "1970-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @MethodSource("timestamps")
    void readsRfc3339WithAnyOffsetAndEpochMilliseconds(final String timestamp, final String expected) {
        assertThat(single(point("up", "1", timestamp)).timestampMs())
                .isEqualTo(Instant.parse(expected).toEpochMilli());
    }

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("12.5", 12.5), Arguments.of("-3", -3.0), Arguments.of("1e3", 1000.0),
                Arguments.of("\"12.5\"", 12.5), Arguments.of("\"-0.25\"", -0.25), Arguments.of("\"1E-2\"", 0.01),
                Arguments.of("\".5\"", 0.5), Arguments.of("\"+7\"", 7.0),
                Arguments.of("\"NaN\"", Double.NaN), Arguments.of("\"nan\"", Double.NaN),
                Arguments.of("\"+Inf\"", Double.POSITIVE_INFINITY), Arguments.of("\"Inf\"", Double.POSITIVE_INFINITY),
                Arguments.of("\"-Inf\"", Double.NEGATIVE_INFINITY),
                Arguments.of("\"-Infinity\"", Double.NEGATIVE_INFINITY));
    }

    @ParameterizedTest
    @MethodSource("values")
    void readsNumbersAndNumericStrings(final String value, final double expected) {
        // Boxed, so that NaN equals NaN.
        assertThat(Double.valueOf(single(point("up", value, "0")).value())).isEqualTo(Double.valueOf(expected));
    }

    /** Value strings are read as Go's ParseFloat reads them: it signs the infinities only, never NaN. */
    @Test
    void aSignedNaNIsAnInvalidValueAsItIsAnErrorToGo() {
        assertThat(unplaced(decode(point("up", "\"-NaN\"", "0"))))
                .isEqualTo("invalid_value: value \"-NaN\" is not a number");
        assertThat(unplaced(decode(point("up", "\"+nan\"", "0"))))
                .isEqualTo("invalid_value: value \"+nan\" is not a number");
        assertThat(Double.valueOf(single(point("up", "\"-iNfInItY\"", "0")).value()))
                .isEqualTo(Double.valueOf(Double.NEGATIVE_INFINITY));
    }

    /**
     * A number beyond a double was read as an infinity, which aggregates ignore: lost, and counted nowhere. Only the
     * words ("+Inf") are infinities; Go's ParseFloat, which the adapter's producers share, refuses the rest.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e999", "-1e999", "\"1e999\"", "\"-1e400\"", "1.8e308", "\"1.8e308\"",
        "400 digits", "\"400 digits\"", "\"400 digits.\""})
    void aNumberBeyondADoubleIsAnInvalidValue(final String written) {
        final String value = written.replace("400 digits", "9".repeat(400));
        final String text = value.replace("\"", "");
        final String expected = "invalid_value: value " + Rejection.quote(text) + " is beyond the range of a double";
        assertThat(unplaced(decode(point("up", value, "0")))).isEqualTo(expected);
        // prometheus-kafka-adapter's layout, read by its own fast path once its label set and timestamp are known.
        final KnownLabels known = new KnownLabels();
        final String adapter = "{\"labels\":{\"__name__\":\"up\",\"job\":\"a\"},\"name\":\"up\","
                + "\"timestamp\":\"2022-06-21T06:30:00Z\",\"value\":";
        for (String v : new String[] {"\"1\"", "\"2\"", value}) {
            final DecodedRecord r = decoder.decode((adapter + v + "}").getBytes(StandardCharsets.UTF_8), NOW, known);
            assertThat(unplaced(r)).isEqualTo(v.equals(value) ? expected : "");
        }
        assertThat(single(point("up", "1e-999", "0")).value()).isEqualTo(0.0);
    }

    @Test
    void takesTheNameFromLabelsWhenNameIsAbsentAndNeverKeepsIt() {
        final Series expected = new Series("up", Labels.of("job", "api"));

        assertThat(single("{\"labels\":{\"__name__\":\"up\",\"job\":\"api\"},\"value\":1,\"timestamp\":0}")
                .series()).isEqualTo(expected);
        assertThat(single("{\"name\":\"\",\"labels\":{\"__name__\":\"up\",\"job\":\"api\"},\"value\":1,"
                + "\"timestamp\":0}").series()).isEqualTo(expected);
        // The same __name__ as "name" (as the adapter writes it) does not stay a label either.
        final Series fromName = single("{\"name\":\"up\",\"labels\":{\"__name__\":\"up\",\"job\":\"api\"},"
                + "\"value\":1,\"timestamp\":0}").series();
        assertThat(fromName).isEqualTo(expected);
        assertThat(fromName.labels().has("__name__")).isFalse();
    }

    /**
     * A repeated key kept its last value silently: a label given twice changed the series, a second "name" the
     * metric, and a __name__ label other than "name" was dropped. Each now rejects its datapoint, whichever reading
     * (Jackson's, the plain one, through known label sets) reads it; the batch's other datapoints still count.
     */
    @Test
    void aKeyGivenTwiceOrASecondNameRejectsTheDatapoint() {
        final String rest = "\"value\":1,\"timestamp\":\"2022-06-21T06:30:00Z\"}";
        final String[][] cases = {
            {"{\"name\":\"fz_metric\",\"labels\":{\"case\":\"first\",\"case\":\"second\"}," + rest,
                "invalid_labels: label \"case\" is given twice"},
            {"{\"name\":\"fz_metric\",\"labels\":{\"case\":\"first\",\"case\":null}," + rest,
                "invalid_labels: label \"case\" is given twice"},
            {"{\"labels\":{\"__name__\":\"a\",\"__name__\":\"b\"}," + rest,
                "invalid_labels: label \"__name__\" is given twice"},
            {"{\"name\":\"fz_metric\",\"name\":\"other\"," + rest, "invalid_name: \"name\" is given twice"},
            {"{\"name\":\"m\",\"labels\":{\"a\":\"1\"},\"labels\":{\"b\":\"2\"}," + rest,
                "invalid_labels: \"labels\" is given twice"},
            {"{\"name\":\"m\",\"value\":2," + rest, "invalid_value: \"value\" is given twice"},
            {"{\"name\":\"m\",\"timestamp\":0," + rest, "invalid_timestamp: \"timestamp\" is given twice"},
            {"{\"labels\":{\"__name__\":\"up\",\"job\":\"a\"},\"name\":\"down\"," + rest,
                "invalid_name: name \"down\" and label \"__name__\" \"up\" differ"},
            {"{\"name\":\"down\",\"labels\":{\"job\":\"a\",\"__name__\":\"up\"}," + rest,
                "invalid_name: name \"down\" and label \"__name__\" \"up\" differ"},
        };
        for (String[] c : cases) {
            final KnownLabels known = new KnownLabels();
            for (int again = 0; again < 2; again++) {
                assertThat(unplaced(decode(c[0]))).as(c[0]).isEqualTo(c[1]);
                assertThat(unplaced(decoder.decode(c[0].getBytes(StandardCharsets.UTF_8), NOW, known)))
                        .as(c[0]).isEqualTo(c[1]);
            }
        }
        // Known through the adapter's layout first, then with another name: not taken for the first.
        final KnownLabels known = new KnownLabels();
        final String adapter = "{\"labels\":{\"__name__\":\"up\",\"job\":\"a\"},\"name\":\"%s\","
                + "\"timestamp\":\"2022-06-21T06:30:00Z\",\"value\":\"1\"}";
        for (String name : new String[] {"up", "up", "down"}) {
            assertThat(unplaced(decoder.decode(String.format(adapter, name).getBytes(StandardCharsets.UTF_8), NOW,
                    known)))
                    .isEqualTo(name.equals("up") ? ""
                    : "invalid_name: name \"down\" and label \"__name__\" \"up\" differ");
        }
        final DecodedRecord batch = decode("[{\"name\":\"m\",\"labels\":{\"a\":\"1\",\"a\":\"2\"}," + rest
                + ",{\"name\":\"m\",\"labels\":{\"a\":\"1\"}," + rest + "]");
        assertThat(batch.datapoints()).hasSize(1);
        assertThat(unplaced(batch)).isEqualTo(
                "1 rejection, 1 datapoint accepted: invalid_labels: datapoint 0: label \"a\" is given twice");
        // An unknown field means nothing, given once or twice.
        assertThat(decode("{\"name\":\"m\",\"x\":1,\"x\":2," + rest).fullyValid()).isTrue();
    }

    @Test
    void dropsLabelsWithEmptyOrNullValues() {
        assertThat(single("{\"name\":\"up\",\"labels\":{\"a\":\"\",\"b\":null,\"c\":\"x\"},\"value\":1,"
                + "\"timestamp\":0}").series().labels()).isEqualTo(Labels.of("c", "x"));
    }

    @Test
    void acceptsAByteOrderMarkAndSurroundingWhitespace() {
        final byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        final byte[] json = (" \r\n\t" + SAMPLE + "\n").getBytes(StandardCharsets.UTF_8);
        final byte[] value = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, value, 0, bom.length);
        System.arraycopy(json, 0, value, bom.length, json.length);

        assertThat(decoder.decode(value, NOW).datapoints()).hasSize(1);
    }

    static Stream<Arguments> rejections() {
        final String labels65 = IntStream.range(0, 65).mapToObj(i -> "\"l" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        return Stream.of(
                Arguments.of("", DeadLetterReason.EMPTY, "empty: the record has no value"),
                Arguments.of(" \n\t ", DeadLetterReason.EMPTY, "empty: the record value is only whitespace"),
                Arguments.of("[ ]", DeadLetterReason.EMPTY, "empty: the batch array holds no datapoints"),
                Arguments.of("cpu,host=a usage 1655793000000000000", DeadLetterReason.INVALID_LINE,
                        "invalid_line: line 1: expected '=' at column 17"),
                Arguments.of("{\"name\":\"up\",}", DeadLetterReason.UNPARSEABLE,
                        "unparseable: malformed JSON at line 1, column 14 (byte offset 13): Unexpected character"),
                Arguments.of(SAMPLE + SAMPLE, DeadLetterReason.UNPARSEABLE,
                        "unparseable: malformed JSON at line 1, column " + (SAMPLE.length() + 1) + " (byte offset "
                                + SAMPLE.length() + "): more than one JSON value in the record"),
                // Jackson's words without what it writes for its own developers ("[Source: REDACTED (...); line: 1,
                // column: 1]", "from `StreamReadConstraints.getMaxNestingDepth()`"); the start in characters.
                Arguments.of("{\"name\":\"\u00e9\",\"value\":1,\"x\":[1,\n  2", DeadLetterReason.UNPARSEABLE,
                        "unparseable: malformed JSON at line 2, column 4 (byte offset 34): Unexpected end-of-input:"
                                + " expected close marker for Array (opened at line 1, column 27)"),
                Arguments.of("[".repeat(1001) + "]".repeat(1001), DeadLetterReason.UNPARSEABLE,
                        "unparseable: malformed JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)"),
                Arguments.of("[1]", DeadLetterReason.NOT_AN_OBJECT, "not_an_object: datapoint 0: a number, not an object"),
                Arguments.of("[[" + SAMPLE + "]]", DeadLetterReason.NOT_AN_OBJECT,
                        "not_an_object: datapoint 0: an array, not an object"),
                Arguments.of("{\"value\":1,\"timestamp\":0}", DeadLetterReason.MISSING_NAME,
                        "missing_name: no \"name\" and no \"__name__\" label"),
                Arguments.of(point("cpu usage", "1", "0"), DeadLetterReason.INVALID_NAME,
                        "invalid_name: name \"cpu usage\" is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"),
                Arguments.of("{\"name\":7,\"value\":1,\"timestamp\":0}", DeadLetterReason.INVALID_NAME,
                        "invalid_name: \"name\" is a number, not a string"),
                Arguments.of("{\"name\":\"up\",\"labels\":[\"a\"],\"value\":1,\"timestamp\":0}",
                        DeadLetterReason.INVALID_LABELS, "invalid_labels: \"labels\" is an array, not an object"),
                Arguments.of("{\"name\":\"up\",\"labels\":{\"a\":1},\"value\":1,\"timestamp\":0}",
                        DeadLetterReason.INVALID_LABELS, "invalid_labels: label \"a\" is a number, not a string"),
                Arguments.of("{\"name\":\"up\",\"labels\":" + labels65 + ",\"value\":1,\"timestamp\":0}",
                        DeadLetterReason.TOO_MANY_LABELS, "too_many_labels: 65 labels, more than the limit of 64"),
                Arguments.of("{\"name\":\"up\",\"labels\":{\"" + "n".repeat(129) + "\":\"v\"},\"value\":1,"
                        + "\"timestamp\":0}", DeadLetterReason.LABEL_NAME_TOO_LONG, "label_name_too_long: label name \""
                        + "n".repeat(61) + "...\" has 129 chars, more than the limit of 128"),
                Arguments.of("{\"name\":\"up\",\"labels\":{\"a-b\":\"v\"},\"value\":1,\"timestamp\":0}",
                        DeadLetterReason.INVALID_LABEL_NAME,
                        "invalid_label_name: label name \"a-b\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)"),
                Arguments.of("{\"name\":\"up\",\"labels\":{\"path\":\"" + "v".repeat(2049) + "\"},\"value\":1,"
                        + "\"timestamp\":0}", DeadLetterReason.LABEL_VALUE_TOO_LONG,
                        "label_value_too_long: value of label \"path\" has 2049 chars, more than the limit of 2048"),
                // The name is the value of the __name__ label, as long-lived as the others: the same limit.
                Arguments.of("{\"name\":\"" + "m".repeat(2049) + "\",\"value\":1,\"timestamp\":0}",
                        DeadLetterReason.LABEL_VALUE_TOO_LONG, "label_value_too_long: the metric name (label"
                        + " \"__name__\") has 2049 chars, more than the limit of 2048"),
                Arguments.of("{\"labels\":{\"__name__\":\"" + "m".repeat(2049) + "\"},\"value\":1,\"timestamp\":0}",
                        DeadLetterReason.LABEL_VALUE_TOO_LONG, "label_value_too_long: the metric name (label"
                        + " \"__name__\") has 2049 chars, more than the limit of 2048"),
                Arguments.of("{\"name\":\"up\",\"timestamp\":0}", DeadLetterReason.MISSING_VALUE,
                        "missing_value: no \"value\""),
                Arguments.of(point("up", "null", "0"), DeadLetterReason.MISSING_VALUE, "missing_value: no \"value\""),
                Arguments.of(point("up", "\"abc\"", "0"), DeadLetterReason.INVALID_VALUE,
                        "invalid_value: value \"abc\" is not a number"),
                Arguments.of(point("up", "\" 1\"", "0"), DeadLetterReason.INVALID_VALUE,
                        "invalid_value: value \" 1\" is not a number"),
                Arguments.of(point("up", "true", "0"), DeadLetterReason.INVALID_VALUE,
                        "invalid_value: \"value\" is a boolean, not a number"),
                Arguments.of(point("up", "[[[1]]]", "0"), DeadLetterReason.INVALID_VALUE,
                        "invalid_value: \"value\" is an array, not a number"),
                Arguments.of("{\"name\":\"up\",\"value\":1}", DeadLetterReason.MISSING_TIMESTAMP,
                        "missing_timestamp: no \"timestamp\""),
                Arguments.of(point("up", "1", "null"), DeadLetterReason.MISSING_TIMESTAMP,
                        "missing_timestamp: no \"timestamp\""),
                Arguments.of(point("up", "1", "\"yesterday\""), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: timestamp \"yesterday\" is neither RFC 3339 (2022-06-21T06:30:00Z) "
                                + "nor epoch milliseconds"),
                Arguments.of(point("up", "1", "\"2022-02-29T00:00:00Z\""), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: timestamp \"2022-02-29T00:00:00Z\" is neither"),
                Arguments.of(point("up", "1", "99999999999999999999"), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: timestamp \"99999999999999999999\" is out of range for epoch milliseconds"),
                Arguments.of(point("up", "1", "1e300"), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: timestamp \"1e300\" is out of range for epoch milliseconds"),
                Arguments.of(point("up", "1", String.valueOf(Long.MIN_VALUE)), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: timestamp -9223372036854775808 ms is outside the years 0000 to 9999"),
                Arguments.of(point("up", "1", "\"0000-01-01T00:00:00+00:01\""), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: timestamp -62167219260000 ms is outside the years 0000 to 9999"),
                Arguments.of(point("up", "1", "{}"), DeadLetterReason.INVALID_TIMESTAMP,
                        "invalid_timestamp: \"timestamp\" is an object, not a string or number"),
                Arguments.of(point("up", "1", "\"2022-06-21T06:36:00.001Z\""), DeadLetterReason.FUTURE_TIMESTAMP,
                        "future_timestamp: timestamp 2022-06-21T06:36:00.001Z is 5m1ms ahead of the wall clock "
                                + "2022-06-21T06:31:00Z, more than the allowed 5m"));
    }

    @ParameterizedTest
    @MethodSource("rejections")
    void rejectsWithAReasonAndAOneLineMessage(final String value, final DeadLetterReason reason,
                                              final String messageStart) {
        final DecodedRecord record = decode(value);

        assertThat(record.datapoints()).isEmpty();
        assertThat(record.rejections()).hasSize(1);
        assertThat(record.rejections().get(0).reason()).isEqualTo(reason);
        assertThat(record.deadLetterMessage()).startsWith(messageStart).doesNotContain("\n", "\r", "Source:",
                "StreamReadConstraints");
    }

    @Test
    void everyReasonButDecoderFailureHasAnInputThatProducesIt() {
        final Set<DeadLetterReason> produced = rejections().map(a -> (DeadLetterReason) a.get()[1])
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(DeadLetterReason.class)));
        produced.add(DeadLetterReason.RECORD_TOO_LARGE); // see limitsRejectTheRecordOverMaxRecordBytes
        produced.add(DeadLetterReason.OLD_TIMESTAMP); // judged per partition by ingest: see IngestTopologyTest

        assertThat(produced).isEqualTo(EnumSet.complementOf(EnumSet.of(DeadLetterReason.DECODER_FAILURE)));
    }

    @Test
    void nullValueIsEmpty() {
        assertThat(decoder.decode(null, NOW).deadLetterMessage()).isEqualTo("empty: the record has no value");
    }

    @Test
    void aPartlyBadBatchKeepsItsGoodDatapointsAndListsEveryRejection() {
        final DecodedRecord record = decode("[" + SAMPLE + ",\"oops\"," + point("up", "\"abc\"", "0") + ","
                + point("up", "2", "0") + "]");

        assertThat(record.fullyValid()).isFalse();
        assertThat(record.datapoints()).extracting(Datapoint::value).containsExactly(12.5, 2.0);
        assertThat(record.rejections()).extracting(Rejection::reason)
                .containsExactly(DeadLetterReason.NOT_AN_OBJECT, DeadLetterReason.INVALID_VALUE);
        assertThat(unplaced(record)).isEqualTo("2 rejections, 2 datapoints accepted: "
                + "not_an_object: datapoint 1: a string, not an object; "
                + "invalid_value: datapoint 2: value \"abc\" is not a number");
    }

    @Test
    void aBatchThatIsMalformedAfterGoodDatapointsIsUnparseableAsAWhole() {
        final DecodedRecord record = decode("[" + SAMPLE + ",\n" + SAMPLE + ",\n{\"name\":]");

        assertThat(record.datapoints()).isEmpty();
        assertThat(record.rejections()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE);
            assertThat(r.detail()).startsWith("malformed JSON at line 3, column 9 (byte offset ");
            assertThat(r.problem()).startsWith("malformed JSON: ").doesNotContain("line", "column", "byte");
            assertThat(r.position()).isEqualTo(new RecordPosition(3, 9));
        });
    }

    /**
     * Jackson counts a column in bytes, so a line with two e's with an acute accent before the error was two columns
     * off; its byte offset counts from 0, and the detail says so. The position is said apart from the words.
     */
    @Test
    void malformedJsonIsPlacedInCharactersOfTheLine() {
        final DecodedRecord record = decode("{\"\u00e9\u00e9\":1,}");

        assertThat(record.deadLetterMessage()).isEqualTo("unparseable: malformed JSON at line 1, column 9 (byte offset"
                + " 10): Unexpected character ('}' (code 125)): was expecting double-quote to start field name");
        assertThat(record.rejections()).singleElement().satisfies(r -> {
            assertThat(r.problem()).isEqualTo(
                    "malformed JSON: Unexpected character ('}' (code 125)): was expecting double-quote to start field name");
            assertThat(r.position()).isEqualTo(new RecordPosition(1, 9));
        });
        // A character beyond the BMP is one column too, and a line's leading whitespace is the line's.
        assertThat(decode("[\n  {\"\ud83d\ude00\":x}]").rejections()).singleElement()
                .extracting(Rejection::position).isEqualTo(new RecordPosition(2, 8));
    }

    /** Bytes that are not UTF-8 are placed in characters too, as a JSON error is. */
    @Test
    void malformedUtf8IsPlacedInCharactersOfTheLine() {
        final byte[] before = "{\"name\":\"up\",\n\"labels\":{\"city\":\"Z\u00fcrich ".getBytes(StandardCharsets.UTF_8);
        final byte[] after = "\"}}".getBytes(StandardCharsets.UTF_8);
        final byte[] value = new byte[before.length + 1 + after.length];
        System.arraycopy(before, 0, value, 0, before.length);
        value[before.length] = (byte) 0xFE;
        System.arraycopy(after, 0, value, before.length + 1, after.length);

        assertThat(decoder.decode(value, NOW).rejections()).containsExactly(new Rejection(
                DeadLetterReason.UNPARSEABLE, "malformed UTF-8 at line 2 (byte offset " + before.length + "): 0xFE",
                "malformed UTF-8: 0xFE", new RecordPosition(2, 26)));
    }

    /** A problem of a whole record has no position: no value of it is at fault more than another. */
    @Test
    void aProblemOfAWholeRecordHasNoPosition() {
        assertThat(decode("[ ]").rejections()).singleElement().extracting(Rejection::position)
                .isEqualTo(RecordPosition.NONE);
    }

    /**
     * A datapoint's problem found once the record is read (a field missing, of the wrong type or refused) is placed
     * at the value at fault, or at the object that lacks the field, as a syntax error is placed: the column in
     * characters of its line, the byte offset from 0. Until 2026-12-06 it had no position, and a batch of a thousand
     * datapoints on one line left its reader to count to the one meant.
     */
    @ParameterizedTest
    @MethodSource("placedProblems")
    void aDatapointsProblemIsPlacedAtItsValue(final String value, final String problem, final int line,
                                              final int column, final int byteOffset) {
        assertThat(decode(value).rejections()).singleElement().satisfies(r -> {
            assertThat(r.problem()).isEqualTo(problem);
            assertThat(r.detail()).isEqualTo(problem + " at line " + line + ", column " + column + " (byte offset "
                    + byteOffset + ")");
            assertThat(r.position()).isEqualTo(new RecordPosition(line, column));
        });
    }

    static Stream<Arguments> placedProblems() {
        return Stream.of(
                Arguments.of("{\"name\":\"up\",\"value\":\"abc\",\"timestamp\":0}",
                        "value \"abc\" is not a number", 1, 22, 21),
                // The object that lacks it, where the field would be.
                Arguments.of("{\"name\":\"up\",\"timestamp\":0}", "no \"value\"", 1, 1, 0),
                // One datapoint of a batch, on its line, after a character of two bytes.
                Arguments.of("[{\"name\":\"up\",\"value\":1,\"timestamp\":0},\n {\"name\":\"\u00e9\",\"value\":1,"
                        + "\"timestamp\":0}]", "datapoint 1: name \"\u00e9\" is not a valid metric name"
                        + " ([a-zA-Z_:][a-zA-Z0-9_:]*)", 2, 10, 49),
                Arguments.of("[\n  1]", "datapoint 0: a number, not an object", 2, 3, 4),
                // A label's name where the name is at fault, its value where that is; the second of one given twice.
                Arguments.of("{\"name\":\"up\",\"labels\":{\"a\":\"x\",\"a-b\":\"v\"},\"value\":1,\"timestamp\":0}",
                        "label name \"a-b\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)", 1, 32, 31),
                Arguments.of("{\"name\":\"up\",\"labels\":{\"a\":\"x\",\"a\":\"y\"},\"value\":1,\"timestamp\":0}",
                        "label \"a\" is given twice", 1, 32, 31),
                Arguments.of("{\"name\":\"up\",\"labels\":{\"a\":1},\"value\":1,\"timestamp\":0}",
                        "label \"a\" is a number, not a string", 1, 28, 27),
                Arguments.of("{\"labels\":{\"__name__\":\"a b\"},\"value\":1,\"timestamp\":0}",
                        "name \"a b\" is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", 1, 23, 22),
                Arguments.of("{\"name\":\"up\",\"value\":1,\"value\":2,\"timestamp\":0}",
                        "\"value\" is given twice", 1, 32, 31),
                Arguments.of(point("up", "1", "\"2022-06-21T06:36:00.001Z\""),
                        "timestamp 2022-06-21T06:36:00.001Z is 5m1ms ahead of the wall clock 2022-06-21T06:31:00Z,"
                                + " more than the allowed 5m", 1, 36, 35),
                // Columns in characters: the two e's with an acute accent are two columns of four bytes.
                Arguments.of("{\"labels\":{\"c\":\"\u00e9\u00e9\"},\"name\":\"up\",\"value\":\"x\",\"timestamp\":0}",
                        "value \"x\" is not a number", 1, 42, 43));
    }

    /** Every rejected datapoint of a batch is placed, each at its own value. */
    @Test
    void everyRejectedDatapointOfABatchIsPlaced() {
        final DecodedRecord record = decode("[" + point("up", "\"a\"", "0") + ",\n" + SAMPLE + ",\n"
                + point("up", "\"b\"", "0") + "," + point("up", "1", "{}") + "]");
        assertThat(record.rejections()).extracting(Rejection::position).containsExactly(
                new RecordPosition(1, 23), new RecordPosition(3, 22), new RecordPosition(3, 76));
    }

    @Test
    void deepNestingIsUnparseableNotAStackOverflow() {
        final String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertThat(decode("{\"name\":\"up\",\"extra\":" + deep + "}").rejections()).singleElement()
                .extracting(Rejection::reason).isEqualTo(DeadLetterReason.UNPARSEABLE);
        assertThat(decode("[" + deep + "]").rejections()).singleElement()
                .extracting(Rejection::reason).isEqualTo(DeadLetterReason.UNPARSEABLE);
    }

    @Test
    void invalidUtf8IsUnparseable() {
        final byte[] value = point("up", "1", "0").getBytes(StandardCharsets.UTF_8);
        value[10] = (byte) 0xC3;
        value[11] = (byte) 0x28;

        assertThat(decoder.decode(value, NOW).rejections()).singleElement()
                .extracting(Rejection::reason).isEqualTo(DeadLetterReason.UNPARSEABLE);
    }

    /**
     * Jackson refuses a bad start byte but takes an overlong form and a surrogate in a string it skips: a label value
     * written with an overlong '/' would be one more spelling of the same series.
     */
    @Test
    void utf8IsCheckedStrictly() {
        final String labels = "{\"name\":\"up\",\"labels\":{\"path\":\"a";
        final String rest = "\"},\"value\":1,\"timestamp\":0}";
        final byte[][] malformed = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
        for (byte[] bad : malformed) {
            final byte[] value = (labels + "\u0000" + rest).getBytes(StandardCharsets.UTF_8);
            final byte[] record = new byte[value.length - 1 + bad.length];
            System.arraycopy(value, 0, record, 0, labels.length());
            System.arraycopy(bad, 0, record, labels.length(), bad.length);
            System.arraycopy(value, labels.length() + 1, record, labels.length() + bad.length, rest.length());
            assertThat(decoder.decode(record, NOW).deadLetterMessage()).isEqualTo(String.format(
                    "unparseable: malformed UTF-8 at line 1 (byte offset %d): 0x%02X", labels.length(), bad[0] & 0xFF));
        }
        final byte[] skipped = "{\"name\":\"up\",\"x\":\"\u00ed\u00a0\u0080\",\"value\":1,\"timestamp\":0}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(decoder.decode(skipped, NOW).deadLetterMessage())
                .isEqualTo("unparseable: malformed UTF-8 at line 1 (byte offset 18): 0xED");
    }

    /**
     * A JSON escape of half a UTF-16 surrogate pair is ASCII, so the UTF-8 check passed it, and the label value was
     * kept and echoed as <code>&#92;uD800</code>. It rejects its datapoint by the field holding it, whichever reading reads the record:
     * prometheus-kafka-adapter's layout, its label set known, leaves it to Jackson's.
     */
    @Test
    void aLoneSurrogateEscapeRejectsItsDatapointByItsField() {
        final String half = ", half of a UTF-16 surrogate pair without the other (a JSON \\u escape), which is not"
                + " Unicode text";
        final String adapter = "{\"labels\":{\"__name__\":\"up\",\"path\":\"%s\"},\"name\":\"up\","
                + "\"timestamp\":\"2022-06-21T06:30:00Z\",\"value\":\"1\"}";
        final String[][] cases = {
            {"\\ud800", "invalid_labels: label \"path\" holds \\uD800" + half},
            {"a\\udfffb", "invalid_labels: label \"path\" holds \\uDFFF" + half},
            {"\\udbff\\u0041", "invalid_labels: label \"path\" holds \\uDBFF" + half},
            {"\\udc00\\ud800", "invalid_labels: label \"path\" holds \\uDC00" + half},
            {"\\ud83d\\ude00", ""},
            {"a", ""},
        };
        for (String[] c : cases) {
            final KnownLabels known = new KnownLabels();
            decoder.decode(String.format(adapter, "a").getBytes(StandardCharsets.UTF_8), NOW, known);
            for (int again = 0; again < 2; again++) {
                final byte[] record = String.format(adapter, c[0]).getBytes(StandardCharsets.UTF_8);
                assertThat(unplaced(decoder.decode(record, NOW))).as(c[0]).isEqualTo(c[1]);
                assertThat(unplaced(decoder.decode(record, NOW, known))).as(c[0]).isEqualTo(c[1]);
            }
        }
        assertThat(single(String.format(adapter, "\\ud83d\\ude00")).series().labels().get("path"))
                .isEqualTo("\ud83d\ude00");
        assertThat(unplaced(decode("[" + point("up", "1", "0") + ",{\"name\":\"up\",\"labels\":{\"path\":\"\\ud800\"},"
                + "\"value\":1,\"timestamp\":0}]")))
                .isEqualTo("1 rejection, 1 datapoint accepted: invalid_labels: datapoint 1: label \"path\" holds"
                        + " \\uD800" + half);
        // A name is refused as any name that is not [a-zA-Z_:][a-zA-Z0-9_:]* is.
        assertThat(decode(point("up\\ud800", "1", "0")).rejections()).singleElement()
                .extracting(Rejection::reason).isEqualTo(DeadLetterReason.INVALID_NAME);
    }

    @Test
    void limitsAcceptExactlyTheLimitAndRejectOneMore() {
        final String labels64 = IntStream.range(0, 64).mapToObj(i -> "\"l" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        assertThat(single("{\"name\":\"up\",\"labels\":" + labels64 + ",\"value\":1,\"timestamp\":0}")
                .series().labels().size()).isEqualTo(64);
        // __name__ and empty values do not count towards the limit.
        assertThat(decode("{\"name\":\"up\",\"labels\":" + labels64.replace("}", ",\"__name__\":\"up\",\"e\":\"\"}")
                + ",\"value\":1,\"timestamp\":0}").fullyValid()).isTrue();
        assertThat(single("{\"name\":\"up\",\"labels\":{\"" + "n".repeat(128) + "\":\"" + "v".repeat(2048)
                + "\"},\"value\":1,\"timestamp\":0}").series().labels().size()).isEqualTo(1);
        assertThat(single(point("up", "1", "\"2022-06-21T06:36:00Z\"")).timestampMs())
                .isEqualTo(NOW + Duration.ofMinutes(5).toMillis());
        assertThat(decode(point("up", "1", String.valueOf(NOW + 300_001))).rejections()).singleElement()
                .extracting(Rejection::reason).isEqualTo(DeadLetterReason.FUTURE_TIMESTAMP);
    }

    @Test
    void oldTimestampsAreAccepted() {
        assertThat(single(point("up", "1", "\"0001-01-01T00:00:00Z\"")).timestampMs())
                .isEqualTo(Instant.parse("0001-01-01T00:00:00Z").toEpochMilli());
    }

    /**
     * Event time is only good for the instants RFC 3339 can write: one near Long.MIN_VALUE would wrap the evaluators'
     * arithmetic around. The first and last millisecond of those years are accepted, one beyond is not.
     */
    @Test
    void timestampsOutsideTheYears0000To9999AreInvalid() {
        final RecordDecoder anyFuture = new RecordDecoder(
                IngestLimits.defaults().withMaxFutureSkew(Duration.ofDays(10_000L * 366)));
        final long earliest = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
        final long latest = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

        for (long ms : new long[] {earliest, latest}) {
            assertThat(anyFuture.decode(point("up", "1", String.valueOf(ms)).getBytes(StandardCharsets.UTF_8), NOW)
                    .datapoints()).extracting(Datapoint::timestampMs).containsExactly(ms);
        }
        for (long ms : new long[] {earliest - 1, latest + 1, Long.MIN_VALUE + 10_000, Long.MAX_VALUE}) {
            assertThat(unplaced(anyFuture.decode(point("up", "1", String.valueOf(ms)).getBytes(StandardCharsets.UTF_8),
                    NOW)))
                    .isEqualTo("invalid_timestamp: timestamp " + ms
                    + " ms is outside the years 0000 to 9999");
        }
    }

    @Test
    void limitsRejectTheRecordOverMaxRecordBytes() {
        final byte[] value = SAMPLE.getBytes(StandardCharsets.UTF_8);
        final IngestLimits defaults = IngestLimits.defaults();
        final IngestLimits limits = new IngestLimits(value.length, defaults.maxLabels(),
                defaults.maxLabelNameLength(), defaults.maxLabelValueLength(), defaults.maxFutureSkew(), defaults.maxAge());
        final RecordDecoder small = new RecordDecoder(limits);

        assertThat(small.decode(value, NOW).fullyValid()).isTrue();
        final byte[] larger = (SAMPLE + " ").getBytes(StandardCharsets.UTF_8);
        assertThat(small.decode(larger, NOW).deadLetterMessage())
                .isEqualTo("record_too_large: " + larger.length + " bytes, more than the limit of " + value.length);
    }

    @Test
    void aConfiguredFutureSkewIsApplied() {
        final RecordDecoder strict = new RecordDecoder(IngestLimits.defaults().withMaxFutureSkew(Duration.ZERO));

        assertThat(strict.decode(point("up", "1", String.valueOf(NOW)).getBytes(StandardCharsets.UTF_8), NOW)
                .fullyValid()).isTrue();
        assertThat(strict.decode(point("up", "1", String.valueOf(NOW + 1)).getBytes(StandardCharsets.UTF_8), NOW)
                .rejections()).extracting(Rejection::reason).containsExactly(DeadLetterReason.FUTURE_TIMESTAMP);
    }

    @Test
    void reportsTheFirstProblemOfADatapointOnly() {
        final DecodedRecord record = decode("{\"name\":\"bad name\",\"value\":\"x\"}");

        assertThat(record.rejections()).extracting(Rejection::reason)
                .containsExactly(DeadLetterReason.INVALID_NAME);
    }

    @Test
    void fieldsGivenTwiceRejectTheDatapointWithTheFirstFieldsReason() {
        assertThat(unplaced(decode("{\"name\":\"a\",\"value\":\"x\",\"timestamp\":\"bad\",\"name\":\"b\","
                + "\"value\":2,\"timestamp\":0}"))).isEqualTo("invalid_name: \"name\" is given twice");
    }

    @Test
    void theDeadLetterMessageListsFiveRejectionsAndCountsTheRest() {
        final String batch = IntStream.range(0, 8).mapToObj(i -> "{}").collect(Collectors.joining(",", "[", "]"));
        final DecodedRecord record = decode("[" + SAMPLE + "," + batch.substring(1));

        assertThat(record.datapoints()).hasSize(1);
        assertThat(record.rejections()).hasSize(8);
        final String message = unplaced(record);
        assertThat(message).startsWith("8 rejections, 1 datapoint accepted: missing_name: datapoint 1: no \"name\"")
                .endsWith("missing_name: datapoint 5: no \"name\" and no \"__name__\" label; and 3 more");
        assertThat(message.split("; ")).hasSize(6);
    }

    @Test
    void theDecodedListsAreImmutable() {
        final List<Datapoint> datapoints = decode(SAMPLE).datapoints();

        assertThat(datapoints).isUnmodifiable();
    }
}
