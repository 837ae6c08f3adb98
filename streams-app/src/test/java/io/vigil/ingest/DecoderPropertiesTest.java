package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of every parser over generated input: a valid record of each format decodes to exactly the datapoints
 * it holds, whether its format is detected or fixed for its topic; arbitrary bytes and mutations of valid records
 * never make a parser throw, and whatever a parser does not accept comes back as a rejection with a reason, never
 * silently.
 *
 * <p>Each try of a mutation property decodes a valid record and {@value #MUTANTS} mutations of it (generating the
 * valid record costs more than decoding it, so it is used more than once). In all: (3 x 1,000 + 1,200) x 17
 * valid and mutated records, and 3 x 8,000 + 12,000 arbitrary byte arrays: about 107,000 inputs. Run by the jqwik
 * engine on the JUnit platform, next to Jupiter; named *Test so that Surefire picks it up.
 */
class DecoderPropertiesTest {

    private static final int MUTANTS = 16;
    private static final long NOW = GeneratedRecords.NOW;
    /** Small enough that generated labels cross them: the limit checks are exercised, not only the parsers. */
    private static final IngestLimits TIGHT = new IngestLimits(4096, 5, 9, 16, Duration.ofMinutes(5), Duration.ofDays(7));
    private static final DatapointValidator VALIDATOR = new DatapointValidator(TIGHT);
    private static final NativeJsonDecoder NATIVE = new NativeJsonDecoder(VALIDATOR);
    private static final TelegrafJsonDecoder TELEGRAF = new TelegrafJsonDecoder(VALIDATOR);
    private static final LineProtocolDecoder LINE_PROTOCOL =
            new LineProtocolDecoder(VALIDATOR, TimestampPrecision.NANOSECONDS, true);
    private static final RecordDecoder FRONT_DOOR = new RecordDecoder(IngestLimits.defaults());

    // Valid records and their mutations, each parser on its own and the front door on any format. Edge cases are
    // off: a generated record has none worth trying first.

    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void nativeJson(@ForAll("nativeJsonRecords") final GeneratedRecords.Valid record,
                    @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        assertDecodesTo(record, InputFormat.JSON);
        for (List<GeneratedRecords.Mutation> edits : mutants) {
            final byte[] input = GeneratedRecords.mutate(record, edits);
            collect(assertWellFormed(input, NATIVE.decode(input, NOW), TIGHT));
        }
        requireReasons("unparseable", "missing_name", "invalid_name", "invalid_value", "invalid_timestamp",
                "too_many_labels", "label_value_too_long");
    }

    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void lineProtocol(@ForAll("lineProtocolRecords") final GeneratedRecords.Valid record,
                      @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        assertDecodesTo(record, InputFormat.INFLUX);
        for (List<GeneratedRecords.Mutation> edits : mutants) {
            final byte[] input = GeneratedRecords.mutate(record, edits);
            collect(assertWellFormed(input, LINE_PROTOCOL.decode(input, NOW, NOW), TIGHT));
        }
        requireReasons("invalid_line", "too_many_labels", "label_name_too_long", "label_value_too_long");
    }

    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void telegrafJson(@ForAll("telegrafJsonRecords") final GeneratedRecords.Valid record,
                      @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        assertDecodesTo(record, InputFormat.TELEGRAF_JSON);
        for (List<GeneratedRecords.Mutation> edits : mutants) {
            final byte[] input = GeneratedRecords.mutate(record, edits);
            collect(assertWellFormed(input, TELEGRAF.decode(input, NOW), TIGHT));
        }
        requireReasons("unparseable", "missing_name", "missing_value", "not_an_object", "too_many_labels");
    }

    @Property(tries = 1_200, edgeCases = EdgeCasesMode.NONE)
    void frontDoorOnAnyFormat(@ForAll("anyFormatRecords") final GeneratedRecords.Valid record,
                              @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        assertThat(FRONT_DOOR.decode(record.bytes(), NOW, NOW).datapoints()).isEqualTo(record.expected());
        for (List<GeneratedRecords.Mutation> edits : mutants) {
            final byte[] input = GeneratedRecords.mutate(record, edits);
            collect(assertWellFormed(input, FRONT_DOOR.decode(input, NOW, NOW), IngestLimits.defaults()));
        }
        requireReasons("unparseable", "invalid_line", "missing_name", "missing_value", "missing_timestamp");
    }

    // Arbitrary bytes.

    @Property(tries = 8_000)
    void nativeJsonParserOnArbitraryBytes(@ForAll("anyBytes") final byte[] input) {
        assertWellFormed(input, NATIVE.decode(input, NOW), TIGHT);
    }

    @Property(tries = 8_000)
    void lineProtocolParserOnArbitraryBytes(@ForAll("anyBytes") final byte[] input) {
        assertWellFormed(input, LINE_PROTOCOL.decode(input, NOW, NOW), TIGHT);
    }

    @Property(tries = 8_000)
    void telegrafJsonParserOnArbitraryBytes(@ForAll("anyBytes") final byte[] input) {
        assertWellFormed(input, TELEGRAF.decode(input, NOW), TIGHT);
    }

    /** The front door with every configurable format and precision, as each input topic may be set up. */
    @Property(tries = 12_000)
    void frontDoorOfAnyTopicOnArbitraryBytes(@ForAll final InputFormat format,
                                             @ForAll final TimestampPrecision precision,
                                             @ForAll("anyBytes") final byte[] input) {
        final RecordDecoder decoder = new RecordDecoder(TIGHT, format, precision);
        assertWellFormed(input, decoder.decode(input, NOW, NOW), TIGHT);
    }

    @Provide
    Arbitrary<GeneratedRecords.Valid> nativeJsonRecords() {
        return GeneratedRecords.nativeJson();
    }

    @Provide
    Arbitrary<GeneratedRecords.Valid> lineProtocolRecords() {
        return GeneratedRecords.lineProtocol();
    }

    @Provide
    Arbitrary<GeneratedRecords.Valid> telegrafJsonRecords() {
        return GeneratedRecords.telegrafJson();
    }

    @Provide
    Arbitrary<GeneratedRecords.Valid> anyFormatRecords() {
        return GeneratedRecords.anyFormat();
    }

    @Provide
    Arbitrary<List<List<GeneratedRecords.Mutation>>> mutants() {
        return GeneratedRecords.edits().list().ofSize(MUTANTS);
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return GeneratedRecords.anyBytes();
    }

    /** Through the front door, both detected and with the topic's format fixed. */
    private static void assertDecodesTo(final GeneratedRecords.Valid record, final InputFormat format) {
        for (InputFormat f : new InputFormat[] {InputFormat.AUTO, format}) {
            final DecodedRecord r = new RecordDecoder(IngestLimits.defaults(), f, TimestampPrecision.NANOSECONDS)
                    .decode(record.bytes(), NOW, NOW);
            assertThat(r.rejections()).as("%s read as %s", record.text(), f).isEmpty();
            assertThat(r.datapoints()).as("%s read as %s", record.text(), f).isEqualTo(record.expected());
        }
    }

    /**
     * What holds for any input: no exception (reaching here), nothing lost silently, each rejection a reason and a
     * one-line detail, a whole-record reason alone, and only datapoints within the limits. Checked by hand and
     * asserted once: this runs for every one of the 100,000 inputs.
     */
    private static DecodedRecord assertWellFormed(final byte[] input, final DecodedRecord r,
                                                  final IngestLimits limits) {
        assertThat(problem(input, r, limits)).as("%s", r).isNull();
        return r;
    }

    /** Whether {@code input} holds comment lines and blank lines only, the one input that decodes to nothing. */
    private static boolean onlyComments(final byte[] input) {
        boolean comment = false;
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            final String trimmed = line.strip();
            if (!trimmed.isEmpty() && trimmed.charAt(0) != '#') {
                return false;
            }
            comment |= !trimmed.isEmpty();
        }
        return comment;
    }

    private static String problem(final byte[] input, final DecodedRecord r, final IngestLimits limits) {
        if (r.datapoints().size() + r.rejections().size() + r.skippedFields() == 0 && !onlyComments(input)) {
            return "nothing came of the record: no datapoint, rejection or skipped field";
        }
        for (Rejection rejection : r.rejections()) {
            if (rejection.reason() == DeadLetterReason.DECODER_FAILURE) {
                return "the decoder failed: " + rejection.detail();
            }
            if (rejection.detail().length() > Rejection.MAX_DETAIL_LENGTH || !oneLine(rejection.detail())) {
                return "a detail that does not fit a header: " + rejection.detail();
            }
            if (rejection.reason().wholeRecord() && (!r.datapoints().isEmpty() || r.rejections().size() > 1)) {
                return "a whole-record rejection among others";
            }
        }
        final String message = r.deadLetterMessage();
        if (!oneLine(message) || message.isEmpty() != r.rejections().isEmpty()) {
            return "a bad dead-letter message: " + message;
        }
        for (Datapoint d : r.datapoints()) {
            final Labels labels = d.series().labels();
            if (!NameSyntax.isMetricName(d.series().name()) || labels.size() > limits.maxLabels()
                    || d.timestampMs() > NOW + limits.maxFutureSkew().toMillis()) {
                return "a datapoint past the checks: " + d;
            }
            for (int i = 0; i < labels.size(); i++) {
                if (!NameSyntax.isLabelName(labels.name(i)) || labels.name(i).length() > limits.maxLabelNameLength()
                        || labels.value(i).isEmpty() || labels.value(i).length() > limits.maxLabelValueLength()) {
                    return "a label past the checks: " + d;
                }
            }
        }
        return null;
    }

    private static boolean oneLine(final String text) {
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0;
    }

    /** The mutations must produce these rejections too, or the properties would not reach their checks. */
    private static void requireReasons(final String... tags) {
        Statistics.label("reason").coverage(c -> {
            for (String tag : tags) {
                c.check(tag).count(n -> n > 0);
            }
        });
    }

    /** Counted by outcome and reason, so that a run shows how far the mutated inputs got. */
    private static void collect(final DecodedRecord r) {
        r.rejections().forEach(rejection -> Statistics.label("reason").collect(rejection.reason().tag()));
        final boolean parsed = !r.datapoints().isEmpty()
                || r.rejections().stream().anyMatch(rejection -> !rejection.reason().wholeRecord());
        Statistics.label("depth").collect(parsed ? "reached the datapoint checks" : "rejected by the tokenizer");
        // The mutations must reach past the tokenizers, or these properties would prove little.
        Statistics.label("depth").coverage(c -> c.check("reached the datapoint checks").percentage(p -> p > 10.0));
    }
}
