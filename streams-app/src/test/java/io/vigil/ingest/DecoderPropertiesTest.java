package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Properties of every parser over generated input: a valid record of each format decodes to exactly the datapoints
 * it holds, whether its format is detected or fixed for its topic; arbitrary bytes and mutations of valid records
 * never make a parser throw, and whatever a parser does not accept comes back as a rejection with a reason, never
 * silently.
 *
 * <p>Each try of a mutation property decodes a valid record and {@value #MUTANTS} mutations of it (generating the
 * valid record costs more than decoding it, so it is used more than once). In all: (3 x 1,000 + 1,200) x 17
 * valid and mutated records, and 3 x 8,000 + 12,000 arbitrary byte arrays: about 107,000 inputs, the same on every
 * run (each property has its own fixed seed; a failure names it, the try and the input, see {@link Tries}).
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
            new LineProtocolDecoder(VALIDATOR, TimestampPrecision.NANOSECONDS);
    private static final RecordDecoder FRONT_DOOR = new RecordDecoder(IngestLimits.defaults());

    // Valid records and their mutations, each parser on its own and the front door on any format. No edge cases: a
    // generated record has none worth trying first.

    @Test
    void nativeJson() {
        final long seed = 0x1A5E_0001L;
        final Reached reached = new Reached();
        Tries.run(seed, 1_000, r -> Mutated.of(r, GeneratedRecords::nativeJson), c -> {
            assertDecodesTo(c.record(), InputFormat.JSON);
            for (List<GeneratedRecords.Mutation> edits : c.mutants()) {
                final byte[] input = GeneratedRecords.mutate(c.record(), edits);
                reached.collect(assertWellFormed(input, NATIVE.decode(input, NOW), TIGHT));
            }
        });
        reached.require(seed, "unparseable", "missing_name", "invalid_name", "invalid_value", "invalid_timestamp",
                "too_many_labels", "label_value_too_long");
    }

    @Test
    void lineProtocol() {
        final long seed = 0x1A5E_0002L;
        final Reached reached = new Reached();
        Tries.run(seed, 1_000, r -> Mutated.of(r, GeneratedRecords::lineProtocol), c -> {
            assertDecodesTo(c.record(), InputFormat.INFLUX);
            for (List<GeneratedRecords.Mutation> edits : c.mutants()) {
                final byte[] input = GeneratedRecords.mutate(c.record(), edits);
                reached.collect(assertWellFormed(input, LINE_PROTOCOL.decode(input, NOW), TIGHT));
            }
        });
        reached.require(seed, "invalid_line", "too_many_labels", "label_name_too_long", "label_value_too_long");
    }

    @Test
    void telegrafJson() {
        final long seed = 0x1A5E_0003L;
        final Reached reached = new Reached();
        Tries.run(seed, 1_000, r -> Mutated.of(r, GeneratedRecords::telegrafJson), c -> {
            assertDecodesTo(c.record(), InputFormat.TELEGRAF_JSON);
            for (List<GeneratedRecords.Mutation> edits : c.mutants()) {
                final byte[] input = GeneratedRecords.mutate(c.record(), edits);
                reached.collect(assertWellFormed(input, TELEGRAF.decode(input, NOW), TIGHT));
            }
        });
        reached.require(seed, "unparseable", "missing_name", "missing_value", "not_an_object", "too_many_labels");
    }

    @Test
    void frontDoorOnAnyFormat() {
        final long seed = 0x1A5E_0004L;
        final Reached reached = new Reached();
        Tries.run(seed, 1_200, r -> Mutated.of(r, GeneratedRecords::anyFormat), c -> {
            assertThat(FRONT_DOOR.decode(c.record().bytes(), NOW).datapoints()).isEqualTo(c.record().expected());
            for (List<GeneratedRecords.Mutation> edits : c.mutants()) {
                final byte[] input = GeneratedRecords.mutate(c.record(), edits);
                reached.collect(assertWellFormed(input, FRONT_DOOR.decode(input, NOW), IngestLimits.defaults()));
            }
        });
        reached.require(seed, "unparseable", "invalid_line", "missing_name", "missing_value", "missing_timestamp");
    }

    // Arbitrary bytes.

    @Test
    void nativeJsonParserOnArbitraryBytes() {
        Tries.run(0x1A5E_0005L, 8_000, r -> GeneratedRecords.anyBytes(r, 8_000),
                input -> assertWellFormed(input, NATIVE.decode(input, NOW), TIGHT));
    }

    @Test
    void lineProtocolParserOnArbitraryBytes() {
        Tries.run(0x1A5E_0006L, 8_000, r -> GeneratedRecords.anyBytes(r, 8_000),
                input -> assertWellFormed(input, LINE_PROTOCOL.decode(input, NOW), TIGHT));
    }

    @Test
    void telegrafJsonParserOnArbitraryBytes() {
        Tries.run(0x1A5E_0007L, 8_000, r -> GeneratedRecords.anyBytes(r, 8_000),
                input -> assertWellFormed(input, TELEGRAF.decode(input, NOW), TIGHT));
    }

    /** The front door with every configurable format and precision, as each input topic may be set up. */
    @Test
    void frontDoorOfAnyTopicOnArbitraryBytes() {
        Tries.run(0x1A5E_0008L, 12_000, r -> new Topic(Gen.pick(r, InputFormat.values()),
                Gen.pick(r, TimestampPrecision.values()), GeneratedRecords.anyBytes(r, 12_000)), c -> {
                    final RecordDecoder decoder = new RecordDecoder(TIGHT, c.format(), c.precision());
                    assertWellFormed(c.input(), decoder.decode(c.input(), NOW), TIGHT);
                });
    }

    /** A valid record and {@value #MUTANTS} lists of edits to it. */
    private record Mutated(GeneratedRecords.Valid record, List<List<GeneratedRecords.Mutation>> mutants) {
        static Mutated of(final Random r, final Function<Random, GeneratedRecords.Valid> records) {
            return new Mutated(records.apply(r), Gen.list(r, MUTANTS, GeneratedRecords::edits));
        }
    }

    private record Topic(InputFormat format, TimestampPrecision precision, byte[] input) {
        @Override
        public String toString() {
            return format + ", " + precision + ": " + Tries.describe(input);
        }
    }

    /** Through the front door, both detected and with the topic's format fixed. */
    private static void assertDecodesTo(final GeneratedRecords.Valid record, final InputFormat format) {
        for (InputFormat f : new InputFormat[] {InputFormat.AUTO, format}) {
            final DecodedRecord r = new RecordDecoder(IngestLimits.defaults(), f, TimestampPrecision.NANOSECONDS)
                    .decode(record.bytes(), NOW);
            assertThat(r.rejections()).as("%s read as %s", record.text(), f).isEmpty();
            assertThat(r.datapoints()).as("%s read as %s", record.text(), f).isEqualTo(record.expected());
        }
    }

    /**
     * What holds for any input: no exception (reaching here), nothing lost silently, each rejection a reason and a
     * one-line detail, a whole-record reason alone, a line that cannot be read named at a column of it, and only
     * datapoints within the limits. Checked by hand and asserted once: this runs for every one of the 100,000 inputs.
     */
    private static DecodedRecord assertWellFormed(final byte[] input, final DecodedRecord r,
                                                  final IngestLimits limits) {
        assertThat(problem(input, r, limits)).as(() -> r + " of " + Tries.describe(input)).isNull();
        return r;
    }

    /**
     * Whether {@code input} holds comment lines and blank lines only (after a byte order mark, if any), the one input
     * that decodes to nothing.
     */
    private static boolean onlyComments(final byte[] input) {
        boolean comment = false;
        final String text = new String(input, StandardCharsets.UTF_8);
        for (String line : (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\n", -1)) {
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
            if (rejection.reason() == DeadLetterReason.INVALID_LINE && !aColumnOfItsLine(input, rejection.position())) {
                return "a line that cannot be read, not named at a column of it: " + rejection.position();
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

    /**
     * Whether {@code position} is a column of its line in {@code input}, or just past its end (where something is
     * missing): a line that cannot be read always says where.
     */
    private static boolean aColumnOfItsLine(final byte[] input, final RecordPosition position) {
        final String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        if (!position.hasColumn() || position.line() > lines.length) {
            return false;
        }
        final String line = lines[position.line() - 1];
        final String written = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        return position.column() <= written.codePointCount(0, written.length()) + 1;
    }

    private static boolean oneLine(final String text) {
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0;
    }

    /**
     * What the mutated inputs of a property reached: the reasons of their rejections, and whether they got past the
     * tokenizers. The mutations must produce the reasons asked for too, and more than a tenth of them reach the
     * datapoint checks, or the properties would not reach their checks and would prove little.
     */
    private static final class Reached {
        private final Tries.Tally reasons = new Tries.Tally();
        private final Tries.Tally depth = new Tries.Tally();

        void collect(final DecodedRecord r) {
            r.rejections().forEach(rejection -> reasons.add(rejection.reason().tag()));
            final boolean parsed = !r.datapoints().isEmpty()
                    || r.rejections().stream().anyMatch(rejection -> !rejection.reason().wholeRecord());
            depth.add(parsed ? "reached the datapoint checks" : "rejected by the tokenizer");
        }

        void require(final long seed, final String... tags) {
            System.out.printf("seed %d: reasons %s; depth %s%n", seed, reasons, depth);
            for (String tag : tags) {
                assertThat(reasons.count(tag)).as("%s among the reasons %s (seed %d)", tag, reasons, seed)
                        .isGreaterThan(0);
            }
            assertThat(depth.percentage("reached the datapoint checks")).as("depth %s (seed %d)", depth, seed)
                    .isGreaterThan(10.0);
        }
    }
}
