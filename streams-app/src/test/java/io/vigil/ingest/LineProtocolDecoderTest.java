package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Line protocol as InfluxDB's and Telegraf's documentation write it. */
class LineProtocolDecoderTest {

    private static final long NOW = 1_800_000_000_000L;
    private final RecordDecoder decoder = new RecordDecoder(IngestLimits.defaults());

    private DecodedRecord decode(final String text) {
        return decoder.decode(text.getBytes(StandardCharsets.UTF_8), NOW);
    }

    /**
     * A line without a timestamp is dead-lettered, as formats.md has a datapoint without one: not given its Kafka
     * record's time, as InfluxDB gives such a line its arrival's, which a replay of the same lines would not have.
     */
    @Test
    void aLineWithoutATimestampIsMissingOne() {
        final DecodedRecord r = decode("""
                cpu,host=a usage_user=1 1655793000000000000
                cpu,host=b usage_user=2,usage_system=3
                """);
        assertThat(r.datapoints()).extracting(d -> d.series().labels().get("host")).containsExactly("a");
        // The line as a whole, no column; its number said apart too.
        assertThat(r.rejections()).containsExactly(new Rejection(DeadLetterReason.MISSING_TIMESTAMP,
                "line 2: no timestamp", "no timestamp", new RecordPosition(2, 0)));
    }

    /**
     * A byte order mark before the first line (a file saved by an editor) was read as the measurement's start, and so
     * was one before a later line (files joined into one record).
     */
    @Test
    void aByteOrderMarkIsNotPartOfTheMeasurement() {
        final DecodedRecord r = decode("\uFEFFcpu,host=a usage_user=1 1655793000000000000\n"
                + "\uFEFFmem,host=a used=2 1655793000000000000");
        assertThat(r.rejections()).isEmpty();
        assertThat(r.datapoints()).extracting(d -> d.series().name()).containsExactly("cpu_usage_user", "mem_used");
    }

    /**
     * The column counted the line with its leading whitespace stripped and in Java chars (two for a character beyond
     * the BMP): an editor's column is of the line as written, in characters. Where it is is said apart from what is
     * wrong too, so that {@code vigil replay} can say it as {@code FILE:LINE:COLUMN} without the detail's words.
     */
    @Test
    void aColumnCountsTheCharactersOfTheLineAsWritten() {
        final DecodedRecord r = decode("cpu,host=a usage_user=1 1655793000000000000\n"
                + "\t  cpu,host=\u00e9\ud83d\ude00 usage 1655793000000000000");
        assertThat(r.rejections()).containsExactly(new Rejection(DeadLetterReason.INVALID_LINE,
                "line 2: expected '=' at column 21", "expected '='", new RecordPosition(2, 21)));

        final Rejection string = decode(" cpu,host=\u00e9 note=\"open").rejections().get(0);
        assertThat(string.detail()).isEqualTo("line 1: unterminated string field starting at column 18");
        assertThat(string.problem()).isEqualTo("unterminated string field");
        assertThat(string.position()).isEqualTo(new RecordPosition(1, 18));
    }

    /**
     * Every line that cannot be read names the column of what is wrong in it, the start of the token: a missing
     * measurement, a timestamp or a field value had none, and a long line left its reader to hunt. Counted as the
     * others are, in characters of the line as written, its leading whitespace included: the e with an acute accent is
     * one character of two bytes, the emoji one of two Java chars.
     */
    @ParameterizedTest
    @MethodSource("badTokens")
    void aLineThatCannotBeReadNamesTheColumnOfItsBadToken(final String text, final String problem, final int line,
                                                          final int column) {
        assertThat(decode(text).rejections()).containsExactly(new Rejection(DeadLetterReason.INVALID_LINE,
                "line " + line + ": " + problem + " at column " + column, problem, new RecordPosition(line, column)));
    }

    static Stream<Arguments> badTokens() {
        return Stream.of(
                // Where the measurement should start, after whitespace of one, three (an ideographic space) and
                // one byte.
                Arguments.of("cpu,host=a usage=1 1655793000000000000\n"
                        + "\t\u3000 ,host=\u00e9 usage=1 1655793000000000000", "missing measurement", 2, 4),
                // A tab before the timestamp, which only spaces would have been skipped past.
                Arguments.of(" cpu,host=\u00e9\ud83d\ude00 usage=1 \tsoon",
                        "timestamp 'soon' is not an integer", 1, 23),
                Arguments.of("  cpu,host=\u00e9\ud83d\ude00 a=1i,b=-5u 1655793000000000000",
                        "unsigned field value '-5u' is negative", 1, 22),
                Arguments.of("cpu,host=\u00e9\ud83d\ude00 usage=1e400 1655793000000000000",
                        "float field value '1e400' is out of range", 1, 19),
                Arguments.of("# header\n\tcpu,host=\ud83d\ude00 x=1,usage=oops 1655793000000000000",
                        "field value 'oops' is not a number, string or boolean", 2, 23),
                // A key given twice at its second key, the one to remove or rename.
                Arguments.of("\tcpu,host=\u00e9,host=b usage=1 1655793000000000000",
                        "tag key \"host\" is label \"host\" again", 1, 13),
                Arguments.of("cpu,host=\u00e9 \u00e9=1,\u00e9=2 1655793000000000000",
                        "field key \"\u00e9\" is metric \"cpu__\" again", 1, 16),
                // An empty tag key or value where the missing text should be: the '=' of a key, what follows a
                // value's '='.
                Arguments.of("cpu,\ud83d\ude00=a,=b usage=1 1655793000000000000", "empty tag key or value", 1, 9),
                Arguments.of("cpu,host=\u00e9,rack= usage=1 1655793000000000000", "empty tag key or value", 1, 17),
                Arguments.of("cpu,rack=,host=a usage=1 1655793000000000000", "empty tag key or value", 1, 10),
                Arguments.of("cpu,host=\u00e9 a=1,=2 1655793000000000000", "empty field key", 1, 16));
    }

    /**
     * A timestamp that is a long but overflows milliseconds once converted (seconds) is out of range, named where it
     * starts too, with the unit it was read in: "not an integer" sent its reader to look for a stray character in a
     * whole number, where the usual cause is nanoseconds on a topic set to seconds.
     */
    @Test
    void aTimestampBeyondMillisecondsIsOutOfRangeAtItsColumn() {
        final RecordDecoder seconds = RecordDecoder.forTopic(
                new InputTopic("s", InputFormat.INFLUX, TimestampPrecision.SECONDS), IngestLimits.defaults());
        final byte[] line = "\u00e9t\u00e9 usage=1  9200000000000000000".getBytes(StandardCharsets.UTF_8);
        assertThat(seconds.decode(line, NOW).rejections()).containsExactly(new Rejection(
                DeadLetterReason.INVALID_LINE,
                "line 1: timestamp '9200000000000000000' is out of range for epoch seconds at column 14",
                "timestamp '9200000000000000000' is out of range for epoch seconds", new RecordPosition(1, 14)));
    }

    /**
     * A whole number beyond a long is out of range in any unit, either sign; what is no whole number (a fraction, an
     * exponent, a word) is still not an integer.
     */
    @ParameterizedTest
    @CsvSource({
            "99999999999999999999, is out of range for epoch nanoseconds",
            "-9223372036854775809, is out of range for epoch nanoseconds",
            "1655793000.5, is not an integer",
            "1.6e18, is not an integer",
            "-, is not an integer"})
    void aWholeTimestampBeyondALongIsOutOfRangeAndAnyOtherNotAnInteger(final String ts, final String words) {
        assertThat(decode("cpu usage=1 " + ts).rejections()).containsExactly(new Rejection(
                DeadLetterReason.INVALID_LINE, "line 1: timestamp '" + ts + "' " + words + " at column 13",
                "timestamp '" + ts + "' " + words, new RecordPosition(1, 13)));
    }

    /**
     * The header counts what it counts: rejections, each of a line here, and the datapoints accepted. It said "1 of 4
     * datapoints rejected" of a line of three fields accepted and one bad line, adding a line to datapoints: the bad
     * line is one rejection whatever its fields, and the good one three datapoints.
     */
    @Test
    void theDeadLetterMessageCountsRejectionsAndAcceptedDatapointsApart() {
        final DecodedRecord r = decode("cpu a=1,b=2,c=3 1655793000000000000\ncpu a=oops,b=1 1655793000000000000");
        assertThat(r.datapoints()).hasSize(3);
        assertThat(r.deadLetterMessage()).isEqualTo("1 rejection, 3 datapoints accepted: invalid_line: line 2: field"
                + " value 'oops' is not a number, string or boolean at column 7");
        assertThat(decode("cpu a=x 1655793000000000000\ncpu a=y 1655793000000000000\ncpu a=1 1655793000000000000")
                .deadLetterMessage()).startsWith("2 rejections, 1 datapoint accepted: invalid_line: line 1: ");
    }

    /**
     * A timestamp is an optional '-' and ASCII digits, as InfluxDB's parser reads it: Java's
     * {@link Long#parseLong} also took a '+' sign ({@code +5} was 5 ns) and digits of other scripts (an Arabic-Indic
     * five was 5). Each is refused where the timestamp starts, as any other bad timestamp, and so is anything before
     * or after its digits.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "+5|has a '+' sign, which line protocol does not take",
            "+1655793000000000000|has a '+' sign, which line protocol does not take",
            "+99999999999999999999|has a '+' sign, which line protocol does not take",
            "-|is not an integer",
            "--5|is not an integer",
            "\u0665|is not an integer",
            "x5|is not an integer",
            "5x|is not an integer",
            "5 x|is not an integer",
            "1655793000000000000,|is not an integer"})
    void aTimestampIsAnOptionalMinusAndDigitsOnly(final String ts, final String words) {
        assertThat(decode("cpu,host=a value=1 " + ts).rejections()).containsExactly(new Rejection(
                DeadLetterReason.INVALID_LINE, "line 1: timestamp '" + ts + "' " + words + " at column 20",
                "timestamp '" + ts + "' " + words, new RecordPosition(1, 20)));
    }

    /**
     * A long bad token is cut in the detail as other quoted input is: written whole, it pushed the column past the
     * detail's {@value Rejection#MAX_DETAIL_LENGTH} characters, out of the {@code vigil.error} header.
     */
    @Test
    void aLongBadTokenIsCutSoThatTheDetailKeepsItsColumn() {
        final String token = "x".repeat(400);
        final String cut = "'" + "x".repeat(61) + "...'";
        assertThat(decode("cpu usage=" + token + " 1655793000000000000").rejections().get(0).detail())
                .isEqualTo("line 1: field value " + cut + " is not a number, string or boolean at column 11");
        assertThat(decode("cpu usage=1 " + token).rejections().get(0).detail())
                .isEqualTo("line 1: timestamp " + cut + " is not an integer at column 13");
        assertThat(decode("cpu usage=1 " + "9".repeat(400)).rejections().get(0).detail())
                .isEqualTo("line 1: timestamp '" + "9".repeat(61) + "...' is out of range for epoch nanoseconds"
                        + " at column 13");
        assertThat(decode("cpu usage=-" + token + "u").rejections().get(0).detail())
                .isEqualTo("line 1: unsigned field value '-" + "x".repeat(60) + "...' is negative at column 11");
        assertThat(decode("cpu usage=1" + "0".repeat(400)).rejections().get(0).detail())
                .isEqualTo("line 1: float field value '1" + "0".repeat(60) + "...' is out of range at column 11");
    }

    /** A problem with one of a line's datapoints, not with the line's syntax, has a line and no column. */
    @Test
    void aProblemOfALinesDatapointHasNoColumn() {
        final Rejection future = decode("# header\ncpu usage=1 9000000000000000000").rejections().get(0);
        assertThat(future.reason()).isEqualTo(DeadLetterReason.FUTURE_TIMESTAMP);
        assertThat(future.detail()).startsWith("line 2: timestamp 2255-");
        assertThat(future.problem()).isEqualTo(future.detail().substring("line 2: ".length()));
        assertThat(future.position()).isEqualTo(new RecordPosition(2, 0));
    }

    /**
     * What a line's fields share, its tags and its timestamp, is one rejection of the line when it is bad, not one
     * per numeric field in the same words: a line of three fields counted three future timestamps.
     */
    @Test
    void tagsOrATimestampSharedByTheFieldsRejectTheLineOnce() {
        final String fields = " a=1,b=2i,c=3u,state=\"ok\" ";
        final DecodedRecord future = decode("cpu,host=a" + fields + "9000000000000000000\n"
                + "cpu,host=b" + fields + "1655793000000000000");
        assertThat(future.datapoints()).hasSize(3);
        assertThat(future.rejections()).extracting(Rejection::reason).containsExactly(DeadLetterReason.FUTURE_TIMESTAMP);
        assertThat(future.skippedFields()).isEqualTo(1);
        assertThat(decode("cpu,host=" + "h".repeat(3000) + fields + "1655793000000000000").deadLetterMessage())
                .isEqualTo("label_value_too_long: line 1: value of label \"host\" has 3000 chars, more than the"
                        + " limit of 2048");
        final RecordDecoder seconds = RecordDecoder.forTopic(
                new InputTopic("s", InputFormat.INFLUX, TimestampPrecision.SECONDS), IngestLimits.defaults());
        assertThat(seconds.decode(("cpu" + fields + "-62167219201").getBytes(StandardCharsets.UTF_8), NOW)
                .deadLetterMessage()).isEqualTo(
                "invalid_timestamp: line 1: timestamp -62167219201000 ms is outside the years 0000 to 9999");
    }

    @Test
    void telegrafsCpuLineBecomesOneSeriesPerFieldWithHostCopiedToInstance() {
        final DecodedRecord r = decode("cpu,cpu=cpu-total,host=node-07 usage_user=12.5,usage_system=3.1 1655793000000000000");
        final Labels labels = Labels.of("cpu", "cpu-total", "host", "node-07", "instance", "node-07");
        assertThat(r.datapoints()).containsExactly(
                new Datapoint(new Series("cpu_usage_user", labels), 12.5, 1_655_793_000_000L),
                new Datapoint(new Series("cpu_usage_system", labels), 3.1, 1_655_793_000_000L));
        assertThat(r.fullyValid()).isTrue();
    }

    @Test
    void integersUnsignedStringsBooleansAndAMissingTimestamp() {
        final DecodedRecord r = decode("""
                # a comment line, then the documentation's weather sample and Telegraf's mem sample
                weather,location=us-midwest temperature=82 1465839830100400200

                mem,host=db-1 used=1024i,free=18446744073709551615u,active=true,status="ok, \\"fine\\"" 1465839830000000000
                net,host=node-1 bytes_recv=10i
                """);
        assertThat(r.datapoints()).extracting(d -> d.series().name() + "=" + d.value() + "@" + d.timestampMs())
                .containsExactly("weather_temperature=82.0@1465839830100",
                        "mem_used=1024.0@1465839830000",
                        "mem_free=1.8446744073709552E19@1465839830000");
        assertThat(r.skippedFields()).isEqualTo(2);
        assertThat(r.rejections()).extracting(Rejection::detail).containsExactly("line 5: no timestamp");
    }

    @Test
    void escapedMeasurementTagsAndFieldKeys() {
        final DecodedRecord r = decode("disk\\ io,path=/var/lib\\ data,mount\\=point=a\\,b read\\ bytes=5 1465839830000000000");
        assertThat(r.datapoints()).hasSize(1);
        final Datapoint d = r.datapoints().get(0);
        assertThat(d.series().name()).isEqualTo("disk_io_read_bytes");
        assertThat(d.series().labels().get("path")).isEqualTo("/var/lib data");
        assertThat(d.series().labels().get("mount_point")).isEqualTo("a,b");
    }

    @Test
    void aBadLineIsRejectedAloneWithItsNumber() {
        final DecodedRecord r = decode("cpu,host=a usage=1 1465839830000000000\ncpu,host=b usage=oops 1465839830000000000\n"
                + "cpu,host=c usage=3 1465839830000000000");
        assertThat(r.datapoints()).extracting(d -> d.series().labels().get("host")).containsExactly("a", "c");
        assertThat(r.rejections()).hasSize(1);
        assertThat(r.rejections().get(0).message())
                .isEqualTo("invalid_line: line 2: field value 'oops' is not a number, string or boolean"
                        + " at column 18");
    }

    /** What InfluxDB accepts, and only that: no NaN or Inf in any spelling, no '+', nor what only Java would read. */
    @ParameterizedTest
    @ValueSource(strings = {"1.5f", "7d", "0x1p3", "NaN", "+NaN", "nan", "Inf", "+Inf", "-Inf", "Infinity",
        "-Infinity", "+5", "1e400", "-1e400", "1e", "1e+", "1.2.3", "--1", ".", "-", "+5i", "+5u", "0x10i", "5 i"})
    void refusesNumbersInfluxDbRefuses(final String number) {
        final DecodedRecord r = decode("cpu,host=a usage=" + number + " 1465839830000000000");
        assertThat(r.datapoints()).isEmpty();
        assertThat(r.rejections()).extracting(Rejection::reason).containsExactly(DeadLetterReason.INVALID_LINE);
        // At the value's first character; "5 i" is the one value read whole ('5'), its "timestamp" 'i ...' refused.
        assertThat(r.rejections().get(0).position())
                .isEqualTo(new RecordPosition(1, "5 i".equals(number) ? 20 : 18));
    }

    @ParameterizedTest
    @CsvSource({"-1.5e3, -1500", "1., 1", ".5, 0.5", "-.5, -0.5", "1E+2, 100", "2e-1, 0.2", "-0, -0.0", "12i, 12",
        "-12i, -12", "12u, 12", "1e308, 1e308"})
    void readsNumbersInfluxDbAccepts(final String number, final double expected) {
        assertThat(decode("cpu,host=a usage=" + number + " 1465839830000000000").datapoints())
                .extracting(Datapoint::value).containsExactly(expected);
    }

    @Test
    void aLineWithOneBadFieldIsRejectedWhole() {
        final DecodedRecord r = decode("cpu,host=p1 usage_user=11,usage_system=oops 1465839830000000000\n"
                + "cpu,host=p2 usage_user=12 1465839830000000000");
        assertThat(r.datapoints()).extracting(d -> d.series().labels().get("host")).containsExactly("p2");
        assertThat(r.deadLetterMessage()).isEqualTo("1 rejection, 1 datapoint accepted: invalid_line: line 1: "
                + "field value 'oops' is not a number, string or boolean at column 40");
    }

    @Test
    void anUnescapedSpaceInATagKeyMakesTheLineInvalid() {
        final DecodedRecord r = decode("cpu,my tag=x usage_user=16 1465839830000000000");
        assertThat(r.datapoints()).isEmpty();
        assertThat(r.deadLetterMessage()).isEqualTo("invalid_line: line 1: expected '=' at column 7");
        assertThat(decode("cpu,my\\ tag=x usage_user=16 1465839830000000000").datapoints())
                .extracting(d -> d.series().labels().get("my_tag")).containsExactly("x");
    }

    /**
     * A scrape piped in ({@code curl node:9100/metrics | kcat -P}) fails as line protocol; the error says what it
     * is rather than only "expected '='". Its # HELP and # TYPE lines are comments, as ever.
     */
    @ParameterizedTest
    @ValueSource(strings = {"node_load1 0.52", "node_load1{instance=\"node-7\",job=\"node\"} 0.52 1700000000000",
        "up{job=\"api\"} 1", "http_requests_total{code=\"200\"} 1.5e+06", "go_gc_duration_seconds{quantile=\"1\"} NaN",
        "x -Inf"})
    void aPrometheusExpositionLineIsNamedAsSuch(final String line) {
        final DecodedRecord r = decode("# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\n" + line + "\n");
        assertThat(r.datapoints()).isEmpty();
        assertThat(r.rejections()).singleElement().satisfies(j -> {
            assertThat(j.reason()).isEqualTo(DeadLetterReason.INVALID_LINE);
            assertThat(j.detail()).startsWith("line 3: ").endsWith(ExpositionLine.HINT);
            assertThat(j.problem()).doesNotStartWith("line").endsWith(ExpositionLine.HINT);
            assertThat(j.position().line()).isEqualTo(3);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu,my tag=x usage_user=16 1465839830000000000", "cpu usage", "cpu 1 2 3",
        "cpu{host=\"a\"} twelve"})
    void otherBrokenLinesGetNoExpositionHint(final String line) {
        assertThat(decode(line).rejections()).singleElement()
                .satisfies(j -> assertThat(j.detail()).doesNotContain("exposition"));
    }

    /**
     * InfluxDB skips comment lines; a record of comments and blank lines only (a capture's header, one record per
     * line in replay) holds nothing to do: no datapoint and no rejection, so nothing for the dead-letter topic.
     */
    @Test
    void aRecordOfCommentsOnlyIsNothingToDo() {
        for (String comments : new String[] {"# captured 2022-06-21", "  # indented\n\n# and another\r\n"}) {
            final DecodedRecord r = decode(comments);
            assertThat(r.datapoints()).isEmpty();
            assertThat(r.fullyValid()).isTrue();
            assertThat(r.deadLetterMessage()).isEmpty();
        }
        assertThat(decode("# header\ncpu,host=a usage=1 1465839830000000000\n# footer").datapoints()).hasSize(1);
    }

    @Test
    void theSameLimitsAsJson() {
        final DecodedRecord r = decode("cpu,host=a usage=1 " + (NOW + 3_600_000L) * 1_000_000L);
        assertThat(r.rejections()).extracting(Rejection::reason).containsExactly(DeadLetterReason.FUTURE_TIMESTAMP);
        assertThat(r.rejections().get(0).detail()).startsWith("line 1: ");
    }

    /**
     * Bytes that are not UTF-8 were decoded with U+FFFD in their place: two tag values differing only there made one
     * series, nothing counted. The record is unparseable, as JSON that is not UTF-8 is.
     */
    @Test
    void aRecordThatIsNotUtf8IsUnparseable() {
        final byte[] value = "fz,case=a\u00ff usage=1 1655793000000000000\nfz,case=a\u00fe usage=1 1655793000000000000\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        final DecodedRecord r = decoder.decode(value, NOW);
        assertThat(r.datapoints()).isEmpty();
        assertThat(r.deadLetterMessage()).isEqualTo("unparseable: malformed UTF-8 at line 1 (byte offset 9): 0xFF");
        assertThat(r.rejections()).singleElement().satisfies(j -> {
            assertThat(j.problem()).isEqualTo("malformed UTF-8: 0xFF");
            assertThat(j.position()).isEqualTo(new RecordPosition(1, 10));
        });
        // Its column in characters: the two bytes of an e with an acute accent are one.
        final byte[] accented = "\u00e9t\u00e9,a=\u00ff u=1".getBytes(StandardCharsets.ISO_8859_1);
        final byte[] utf8 = "\u00e9t\u00e9,a=".getBytes(StandardCharsets.UTF_8);
        final byte[] mixed = new byte[utf8.length + accented.length - 6];
        System.arraycopy(utf8, 0, mixed, 0, utf8.length);
        System.arraycopy(accented, 6, mixed, utf8.length, accented.length - 6);
        assertThat(decoder.decode(mixed, NOW).rejections()).singleElement().satisfies(j -> {
            assertThat(j.detail()).isEqualTo("malformed UTF-8 at line 1 (byte offset 8): 0xFF");
            assertThat(j.position()).isEqualTo(new RecordPosition(1, 7));
        });
        // An overlong '/' and a surrogate, which a lenient decoder would take, on the second line.
        for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}}) {
            final byte[] line = "# first\nfz,case=a usage=1 1655793000000000000".getBytes(StandardCharsets.UTF_8);
            final byte[] record = new byte[line.length + bad.length];
            System.arraycopy(line, 0, record, 0, 17);
            System.arraycopy(bad, 0, record, 17, bad.length);
            System.arraycopy(line, 17, record, 17 + bad.length, line.length - 17);
            assertThat(decoder.decode(record, NOW).deadLetterMessage())
                    .startsWith("unparseable: malformed UTF-8 at line 2 (byte offset 17): ");
        }
        assertThat(decode("fz,case=\u00e9t\u00e9 usage=1 1655793000000000000").datapoints())
                .extracting(d -> d.series().labels().get("case")).containsExactly("\u00e9t\u00e9");
    }

    /**
     * A tag given twice kept its last value; InfluxDB refuses the line, and so does Vigil. Named where the second key
     * starts, the one to remove or rename: the column after its value sent the reader to the next token.
     */
    @Test
    void aTagGivenTwiceMakesTheLineInvalid() {
        final DecodedRecord r = decode("fz,case=x,case=y usage=1 1655793000000000000\nfz,case=z usage=1 1655793000000000000");
        assertThat(r.datapoints()).extracting(d -> d.series().labels().get("case")).containsExactly("z");
        assertThat(r.deadLetterMessage()).isEqualTo("1 rejection, 1 datapoint accepted: "
                + "invalid_line: line 1: tag key \"case\" is label \"case\" again at column 11");
        // Two keys that make one label name would lose one value as well.
        assertThat(decode("fz,a-b=x,a_b=y usage=1 1655793000000000000").deadLetterMessage())
                .isEqualTo("invalid_line: line 1: tag key \"a_b\" is label \"a_b\" again at column 10");
    }

    /**
     * A field given twice made two datapoints of one series at one instant. InfluxDB and Telegraf keep the last; which
     * value the producer meant is not for Vigil to guess, so the line is refused, as one with a tag given twice, and
     * named where the second key starts as that one is.
     */
    @Test
    void aFieldGivenTwiceMakesTheLineInvalid() {
        final DecodedRecord r = decode("cpu,host=a usage_idle=1,usage_idle=2 1700000000000000000\n"
                + "cpu,host=b usage_idle=3 1700000000000000000");
        assertThat(r.datapoints()).extracting(d -> d.series().labels().get("host") + "=" + d.value())
                .containsExactly("b=3.0");
        assertThat(r.deadLetterMessage()).isEqualTo("1 rejection, 1 datapoint accepted: invalid_line: line 1: field key"
                + " \"usage_idle\" is metric \"cpu_usage_idle\" again at column 25");
        // Whatever the values and their types, and for two keys that make one metric name.
        assertThat(decode("cpu usage=1,usage=1 1700000000000000000").deadLetterMessage())
                .isEqualTo("invalid_line: line 1: field key \"usage\" is metric \"cpu_usage\" again at column 13");
        assertThat(decode("cpu usage=\"high\",usage=1 1700000000000000000").deadLetterMessage())
                .isEqualTo("invalid_line: line 1: field key \"usage\" is metric \"cpu_usage\" again at column 18");
        assertThat(decode("cpu a-b=1,a_b=2 1700000000000000000").deadLetterMessage())
                .isEqualTo("invalid_line: line 1: field key \"a_b\" is metric \"cpu_a_b\" again at column 11");
        assertThat(decode("cpu a=1,b=2 1700000000000000000").datapoints()).hasSize(2);
    }
}
