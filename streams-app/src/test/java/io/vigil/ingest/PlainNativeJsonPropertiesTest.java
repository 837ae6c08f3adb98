package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.FleetMetrics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link PlainNativeJson} decides every record as {@link NativeJsonDecoder}'s reading with Jackson does: the same
 * datapoints (values to the bit, -0.0 and NaN included) and the same rejections, word for word, over generated native
 * JSON records in every form the spec allows (numbers with fractions and exponents, numeric strings such as
 * {@code "NaN"}, epoch milliseconds as integers or fractions, RFC 3339 with any offset and fraction), forms it leaves
 * to Jackson (escapes, text beyond ASCII, nulls, unknown fields, numbers JSON does not allow), and mutations of all
 * of them. And it does read the plain ones itself, or the fast path would silently be a slow one.
 */
class PlainNativeJsonPropertiesTest {

    private static final long NOW = GeneratedRecords.NOW;
    /** As in DecoderPropertiesTest: generated labels cross these, so the validator's rejections are compared too. */
    private static final IngestLimits TIGHT = new IngestLimits(4096, 5, 9, 16, Duration.ofMinutes(5), Duration.ofDays(7));
    private static final NativeJsonDecoder TIGHT_DECODER = new NativeJsonDecoder(new DatapointValidator(TIGHT));
    private static final DatapointValidator DEFAULT_VALIDATOR = new DatapointValidator(IngestLimits.defaults());
    private static final NativeJsonDecoder DEFAULT_DECODER = new NativeJsonDecoder(DEFAULT_VALIDATOR);
    private static final TelegrafJsonDecoder TIGHT_TELEGRAF = new TelegrafJsonDecoder(new DatapointValidator(TIGHT));
    private static final RecordDecoder TIGHT_AUTO =
            new RecordDecoder(TIGHT, InputFormat.AUTO, TimestampPrecision.NANOSECONDS);
    private static final int MUTANTS = 8;

    @Property(tries = 3_000, edgeCases = EdgeCasesMode.NONE)
    void anyRecordAndItsMutantsDecodeAsWithJackson(@ForAll("anyRecords") final String record,
                                                   @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        final byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        assertSameAsJackson(bytes);
        Statistics.label("record").collect(readPlain(bytes) ? "read plain" : "left to Jackson");
        for (List<GeneratedRecords.Mutation> edits : mutants) {
            byte[] mutant = bytes;
            for (GeneratedRecords.Mutation edit : edits) {
                mutant = edit.apply(mutant);
            }
            assertSameAsJackson(mutant);
            Statistics.label("mutant").collect(readPlain(mutant) ? "read plain" : "left to Jackson");
        }
        Statistics.label("record").coverage(c -> {
            c.check("read plain").percentage(p -> p > 15.0);
            c.check("left to Jackson").percentage(p -> p > 15.0);
        });
        Statistics.label("mutant").coverage(c -> c.check("read plain").percentage(p -> p > 1.0));
    }

    @Property(tries = 2_000, edgeCases = EdgeCasesMode.NONE)
    void plainRecordsAreReadPlainAndAsWithJackson(@ForAll("plainRecords") final String record) {
        final byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        assertSameAsJackson(bytes);
        assertThat(readPlain(bytes)).as("read plain: %s", record).isTrue();
        final DecodedRecord decoded = DEFAULT_DECODER.decode(bytes, NOW);
        Statistics.label("outcome").collect(decoded.fullyValid() ? "all valid" : "some rejected");
        Statistics.label("outcome").coverage(c -> {
            c.check("all valid").percentage(p -> p > 10.0);
            c.check("some rejected").percentage(p -> p > 10.0);
        });
    }

    /**
     * What prometheus-kafka-adapter writes (its README's record, and the bench fleet's, which writes as it does:
     * value and timestamp as strings, the labels first and repeating {@code __name__}) is read plain, as Jackson
     * reads it, and valid.
     */
    @Example
    void prometheusKafkaAdapterRecordsAreReadPlain() {
        final long t = Math.floorDiv(NOW - 60_000, 1000) * 1000;
        final FleetMetrics fleet = new FleetMetrics(10);
        final List<String> records = new ArrayList<>(List.of("{\"labels\":{\"__name__\":\"up\",\"label1\":\"value1\","
                + "\"label2\":\"value2\"},\"name\":\"up\",\"timestamp\":\"" + Instant.ofEpochMilli(t)
                + "\",\"value\":\"9876543210\"}"));
        for (int s = 0; s < fleet.series(); s++) {
            records.add(fleet.datapoint(s, t, false));
        }
        for (String record : records) {
            final byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
            assertSameAsJackson(bytes);
            assertThat(readPlain(bytes)).as("read plain: %s", record).isTrue();
            final DecodedRecord decoded = DEFAULT_DECODER.decode(bytes, NOW);
            assertThat(decoded.fullyValid()).as(record).isTrue();
            assertThat(decoded.datapoints()).singleElement().satisfies(d -> assertThat(d.timestampMs()).isEqualTo(t));
        }
    }

    /**
     * Through a {@link KnownLabels}, as ingest reads: records that share label sets (as a fleet's scrapes do), each
     * read twice, decoded as Jackson decodes them, whichever decoder read a label set first: one kept under the
     * default limits is not taken as accepted under tighter ones.
     */
    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void recordsReadThroughKnownLabelsDecodeAsWithJackson(
            @ForAll("sharedLabels") final List<String> records,
            @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        final KnownLabels known = new KnownLabels();
        int found = 0;
        for (String record : records) {
            final byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
            for (int again = 0; again < 2; again++) {
                found += assertSameAsJackson(bytes, known) ? 1 : 0;
            }
            byte[] mutant = bytes;
            for (GeneratedRecords.Mutation edit : mutants.get(records.indexOf(record) % mutants.size())) {
                mutant = edit.apply(mutant);
            }
            assertSameAsJackson(mutant, known);
        }
        Statistics.label("a label set read before").collect(found > 0);
        Statistics.label("a label set read before").coverage(c -> c.check(true).percentage(p -> p > 50.0));
    }

    /**
     * Label sets that open with {@code __name__}, as prometheus-kafka-adapter writes them, kept without it and found
     * again under other names: decoded as Jackson decodes them, the name coming from that label where the record has
     * none of its own, and from a second {@code __name__} (the last counts) where the rest has one.
     */
    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void labelSetsNamedFirstDecodeAsWithJackson(@ForAll("namedFirst") final List<String> records) {
        final KnownLabels known = new KnownLabels();
        int found = 0;
        for (String record : records) {
            found += assertSameAsJackson(record.getBytes(StandardCharsets.UTF_8), known) ? 1 : 0;
        }
        Statistics.label("a label set found under another name").collect(found > 0);
        Statistics.label("a label set found under another name").coverage(c -> c.check(true).percentage(p -> p > 50.0));
    }

    /**
     * prometheus-kafka-adapter's records byte for byte (label sets opening with their {@code __name__}, the name again,
     * a scrape's timestamp shared, the value a string), read through a {@link KnownLabels} as ingest reads them, and
     * their mutants: decoded as Jackson decodes them. Once a record's label set and timestamp have been read, its
     * layout alone reads it ({@code PlainNativeJson#byAdapterLayout}), to the same result, or the shortcut would
     * silently be a detour.
     */
    @Property(tries = 1_000, edgeCases = EdgeCasesMode.NONE)
    void adapterRecordsAndTheirMutantsDecodeAsWithJackson(
            @ForAll("adapterRecords") final List<String> records,
            @ForAll("mutants") final List<List<GeneratedRecords.Mutation>> mutants) {
        final KnownLabels known = new KnownLabels();
        for (int r = 0; r < records.size(); r++) {
            final byte[] bytes = records.get(r).getBytes(StandardCharsets.UTF_8);
            final DecodedRecord expected = DEFAULT_DECODER.decodeWithJackson(bytes, NOW);
            for (int again = 0; again < 2; again++) {
                assertThat(DEFAULT_DECODER.decode(bytes, NOW, known)).as(records.get(r)).isEqualTo(expected);
            }
            final DecodedRecord byLayout = known.reader().readByAdapterLayout(bytes, DEFAULT_VALIDATOR, NOW);
            if (byLayout != null) {
                assertThat(byLayout).as(records.get(r)).isEqualTo(expected);
            }
            Statistics.label("read by its layout").collect(byLayout != null);
            byte[] mutant = bytes;
            for (GeneratedRecords.Mutation edit : mutants.get(r % mutants.size())) {
                mutant = edit.apply(mutant);
            }
            assertThat(DEFAULT_DECODER.decode(mutant, NOW, known)).as("%s", new String(mutant, StandardCharsets.UTF_8))
                    .isEqualTo(DEFAULT_DECODER.decodeWithJackson(mutant, NOW));
        }
        Statistics.label("read by its layout").coverage(c -> {
            c.check(true).percentage(p -> p > 50.0);
            c.check(false).percentage(p -> p > 1.0);
        });
    }

    /** Decimal numbers of every length and exponent, as values: converted to the same double as Jackson's. */
    @Property(tries = 5_000)
    void numbersConvertAsJacksonConvertsThem(@ForAll("numbers") final String number) {
        final String record = "{\"name\":\"m\",\"value\":" + number + ",\"timestamp\":" + number + "}";
        assertSameAsJackson(record.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Through the native JSON decoder (for a topic set to {@code json}) and through the front door of an {@code auto}
     * topic, which reads plain records without detecting their format first: as detection and Jackson decide.
     */
    private static void assertSameAsJackson(final byte[] input) {
        for (NativeJsonDecoder decoder : new NativeJsonDecoder[] {TIGHT_DECODER, DEFAULT_DECODER}) {
            // DecodedRecord is a record: datapoints compare their doubles as Double.compare does (-0.0 is not 0.0).
            assertThat(decoder.decode(input, NOW)).as("%s", new String(input, StandardCharsets.UTF_8))
                    .isEqualTo(decoder.decodeWithJackson(input, NOW));
        }
        final int start = RecordFormat.firstSignificantByte(input);
        if (start >= 0 && RecordFormat.of(input[start]) == RecordFormat.JSON) {
            final DecodedRecord detected = TelegrafJsonDecoder.looksLikeTelegraf(input)
                    ? TIGHT_TELEGRAF.decode(input, NOW) : TIGHT_DECODER.decodeWithJackson(input, NOW);
            assertThat(TIGHT_AUTO.decode(input, NOW, NOW)).as("auto: %s", new String(input, StandardCharsets.UTF_8))
                    .isEqualTo(detected);
        }
    }

    /** As {@link #assertSameAsJackson(byte[])} through {@code known}; whether a label set was found there. */
    private static boolean assertSameAsJackson(final byte[] input, final KnownLabels known) {
        final String text = new String(input, StandardCharsets.UTF_8);
        boolean found = false;
        for (NativeJsonDecoder decoder : new NativeJsonDecoder[] {DEFAULT_DECODER, TIGHT_DECODER}) {
            final int before = known.labelSets();
            final DecodedRecord decoded = decoder.decode(input, NOW, known);
            assertThat(decoded).as("%s", text).isEqualTo(decoder.decodeWithJackson(input, NOW));
            found |= known.labelSets() == before && !decoded.datapoints().isEmpty();
        }
        final int start = RecordFormat.firstSignificantByte(input);
        if (start >= 0 && RecordFormat.of(input[start]) == RecordFormat.JSON) {
            final DecodedRecord detected = TelegrafJsonDecoder.looksLikeTelegraf(input)
                    ? TIGHT_TELEGRAF.decode(input, NOW) : TIGHT_DECODER.decodeWithJackson(input, NOW);
            assertThat(TIGHT_AUTO.decode(input, NOW, NOW, known)).as("auto: %s", text).isEqualTo(detected);
        }
        return found;
    }

    private static boolean readPlain(final byte[] input) {
        return PlainNativeJson.decode(input, new DatapointValidator(TIGHT), NOW) != null;
    }

    @Provide
    Arbitrary<String> anyRecords() {
        return records(false);
    }

    @Provide
    Arbitrary<String> plainRecords() {
        return records(true);
    }

    /**
     * Records as a fleet sends them: a few label sets (any, plain or not), each with several metric names, values and
     * timestamps, the fields in any order.
     */
    @Provide
    Arbitrary<List<String>> sharedLabels() {
        // The same few label sets across a list: drawn from one small pool per list.
        return Combinators.combine(labelObjects(false).list().ofMinSize(1).ofMaxSize(3),
                Combinators.combine(Arbitraries.integers().between(0, 2), names(false), values(false),
                        timestamps(false), Arbitraries.randoms(), whitespace(), Arbitraries.integers().between(0, 3))
                        .as((which, n, v, t, random, ws, shape) -> new Object[] {which, n, v, t, random, ws, shape})
                        .list().ofMinSize(2).ofMaxSize(8))
                .as((labelSets, parts) -> {
                    final List<String> records = new ArrayList<>();
                    for (Object[] p : parts) {
                        final String labels = labelSets.get((Integer) p[0] % labelSets.size());
                        final List<String> fields = new ArrayList<>(List.of("\"name\":" + p[1],
                                "\"labels\":" + p[5] + labels, "\"value\":" + p[2], "\"timestamp\":" + p[3]));
                        Collections.shuffle(fields, (java.util.Random) p[4]);
                        final String object = "{" + String.join("," + p[5], fields) + "}";
                        final int shape = (Integer) p[6];
                        // Now and then in an array, or with its labels given twice (they merge).
                        records.add(shape == 0 ? "[" + object + "," + object + "]"
                                : shape == 1 ? object.substring(0, object.length() - 1) + ",\"labels\":"
                                + labelSets.get(0) + "}" : object);
                    }
                    return records;
                });
    }

    @Provide
    Arbitrary<List<String>> namedFirst() {
        // A few label sets per list, each written after a __name__ label drawn from a few names (a target's metrics).
        final Arbitrary<String> nameLabel = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of("\"cpu\"", "\"mem_used\"", "\"up\"")), Tuple.of(1, names(false)));
        // The record's own name: none, empty, another, the label's again (as the adapter writes it), or one that
        // begins or ends like the label's (read once, the label's bytes must not be taken for the whole name).
        final Arbitrary<Integer> ownKind = Arbitraries.integers().between(0, 5);
        return Combinators.combine(labelObjects(true).list().ofMinSize(1).ofMaxSize(2),
                Combinators.combine(Arbitraries.integers().between(0, 1), nameLabel, ownKind, names(false),
                                values(true), timestamps(true))
                        .as((which, label, kind, other, v, t) -> new Object[] {which, label, ownName(kind, label,
                                other), v, t})
                        .list().ofMinSize(2).ofMaxSize(10))
                .as((labelSets, parts) -> {
                    final List<String> records = new ArrayList<>();
                    Object timestamp = null;
                    for (Object[] p : parts) {
                        final String rest = labelSets.get((Integer) p[0] % labelSets.size());
                        final String labels = "{\"__name__\":" + p[1] + (rest.equals("{}") ? "}" : "," + rest.substring(1));
                        // Every other record has the timestamp of the one before, as a scrape's datapoints do.
                        timestamp = records.size() % 2 == 1 ? timestamp : p[4];
                        records.add("{\"labels\":" + labels + p[2] + ",\"timestamp\":" + timestamp + ",\"value\":" + p[3]
                                + "}");
                    }
                    return records;
                });
    }

    @Provide
    Arbitrary<List<String>> adapterRecords() {
        // A few targets' label sets, each record one of them under one of a few names, in the adapter's bytes: Go's
        // json.Marshal of its map (keys sorted, so labels first and __name__ first among them), every scrape's
        // timestamp to the second and shared by the records that follow it, every value a string.
        final Arbitrary<String> rest = labelObjects(true).filter(l -> !l.contains("\"__name__\""));
        final Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of("\"cpu\"", "\"mem_used\"", "\"up\"")), Tuple.of(1, names(true)));
        final Arbitrary<String> value = values(true).map(v -> v.startsWith("\"") ? v : GeneratedRecords.jsonString(v));
        final Arbitrary<String> scrape = timestamps(true).filter(t -> t.startsWith("\""));
        return Combinators.combine(rest.list().ofMinSize(1).ofMaxSize(3),
                Combinators.combine(Arbitraries.integers().between(0, 2), name, value, scrape,
                                Arbitraries.integers().between(0, 3))
                        .as((which, n, v, t, newScrape) -> new Object[] {which, n, v, t, newScrape})
                        .list().ofMinSize(2).ofMaxSize(12))
                .as((labelSets, parts) -> {
                    final List<String> records = new ArrayList<>();
                    Object timestamp = null;
                    for (Object[] p : parts) {
                        final String labels = labelSets.get((Integer) p[0] % labelSets.size());
                        timestamp = timestamp == null || (Integer) p[4] == 0 ? p[3] : timestamp;
                        records.add("{\"labels\":{\"__name__\":" + p[1] + (labels.equals("{}") ? "}"
                                : "," + labels.substring(1)) + ",\"name\":" + p[1] + ",\"timestamp\":" + timestamp
                                + ",\"value\":" + p[2] + "}");
                    }
                    return records;
                });
    }

    /** A {@code name} field of kind {@code kind} for a record whose {@code __name__} label is {@code label} (JSON). */
    private static String ownName(final int kind, final String label, final String other) {
        final String unquoted = label.substring(0, label.length() - 1);
        return switch (kind) {
            case 0 -> "";
            case 1 -> ",\"name\":\"\"";
            case 2 -> ",\"name\":" + other;
            case 3 -> ",\"name\":" + label;
            case 4 -> ",\"name\":" + unquoted + "_x\"";
            default -> ",\"name\":" + (unquoted.length() > 2 ? unquoted.substring(0, unquoted.length() - 1) : "\"")
                    + "\"";
        };
    }

    @Provide
    Arbitrary<List<List<GeneratedRecords.Mutation>>> mutants() {
        return GeneratedRecords.edits().list().ofSize(MUTANTS);
    }

    @Provide
    Arbitrary<String> numbers() {
        return Arbitraries.oneOf(decimals(21, 24), Arbitraries.of("0", "-0", "0.0", "-0.0", "1e400", "-1e400", "1e-400",
                "9007199254740993", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                "123456789012345678", "1234567890123456789", "0.1", "0.30000000000000004", "1.7976931348623157E308",
                "4.9E-324", "1655793000000.999", "1.6557930E12", "01", "+1", ".5", "1.", "1e", "-", "1E+", "00"));
    }

    // ---- generators

    /** One object or an array of up to four, with whitespace here and there. */
    private static Arbitrary<String> records(final boolean plain) {
        final Arbitrary<String> one = object(plain);
        return Combinators.combine(one.list().ofMinSize(1).ofMaxSize(4), Arbitraries.integers().between(0, 3),
                whitespace()).as((objects, shape, ws) -> shape == 0
                        ? ws + "[" + ws + String.join(ws + "," + ws, objects) + ws + "]" + ws
                        : ws + objects.get(0) + ws);
    }

    /** The four fields in any order, some missing or given twice, and (not plain) the odd unknown field. */
    private static Arbitrary<String> object(final boolean plain) {
        final Arbitrary<String> name = field("name", names(plain));
        final Arbitrary<String> labels = field("labels", labelObjects(plain));
        final Arbitrary<String> value = field("value", values(plain));
        final Arbitrary<String> timestamp = field("timestamp", timestamps(plain));
        // Unknown fields, Telegraf's among them: an auto-detected topic reads a record with those as Telegraf JSON.
        final Arbitrary<String> unknown = Combinators.combine(Arbitraries.of("extra", "fields", "metrics", "tags"),
                Arbitraries.of("1", "\"x\"", "null", "{\"a\":[1,2]}", "{\"f\":1.5}", "[]", "true"))
                .as((n, v) -> "\"" + n + "\":" + v);
        final Arbitrary<String> again = Arbitraries.oneOf(name, labels, value, timestamp);
        final Arbitrary<List<String>> extras = (plain ? again
                : Arbitraries.frequencyOf(Tuple.of(6, again), Tuple.of(1, unknown))).list().ofMaxSize(2);
        final Arbitrary<List<Boolean>> present = Arbitraries.frequency(Tuple.of(12, true), Tuple.of(1, false))
                .list().ofSize(4);
        return Combinators.combine(name, labels, value, timestamp, extras, present, Arbitraries.randoms(), whitespace())
                .as((n, l, v, t, more, keep, random, ws) -> {
                    final List<String> fields = new ArrayList<>();
                    final String[] four = {n, l, v, t};
                    for (int i = 0; i < 4; i++) {
                        if (keep.get(i)) {
                            fields.add(four[i]);
                        }
                    }
                    fields.addAll(more);
                    Collections.shuffle(fields, random);
                    return "{" + ws + String.join(ws + "," + ws, fields) + ws + "}";
                });
    }

    private static Arbitrary<String> field(final String name, final Arbitrary<String> value) {
        return Combinators.combine(value, whitespace()).as((v, ws) -> "\"" + name + "\"" + ws + ":" + ws + v);
    }

    private static Arbitrary<String> whitespace() {
        return Arbitraries.frequency(Tuple.of(6, ""), Tuple.of(2, " "), Tuple.of(1, "\n\t "), Tuple.of(1, "\r\n"));
    }

    private static Arbitrary<String> names(final boolean plain) {
        final Arbitrary<String> valid = Arbitraries.strings().withCharRange('a', 'z').withChars("_:0123456789")
                .ofMinLength(1).ofMaxLength(24).filter(s -> !Character.isDigit(s.charAt(0)));
        final Arbitrary<String> invalid = Arbitraries.of("", "1abc", "cpu-usage", "a b", "\u007f");
        final Arbitrary<String> plainNames = Arbitraries.frequencyOf(Tuple.of(9, valid), Tuple.of(1, invalid))
                .map(GeneratedRecords::jsonString);
        return plain ? plainNames : Arbitraries.frequencyOf(Tuple.of(30, plainNames), Tuple.of(1, notPlainStrings()),
                Tuple.of(1, Arbitraries.of("null", "1", "{}", "[\"a\"]", "true")));
    }

    private static Arbitrary<String> labelObjects(final boolean plain) {
        final Arbitrary<String> labelName = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.strings().withCharRange('a', 'z').withChars("_").ofMinLength(1).ofMaxLength(11)),
                Tuple.of(1, Arbitraries.of("__name__", "1x", "a-b", "")));
        final Arbitrary<String> labelValue = Arbitraries.frequencyOf(
                // Printable ASCII; quotes and backslashes would be escaped, which is not plain.
                Tuple.of(12, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20)
                        .map(v -> v.replace('"', '\'').replace('\\', '/'))),
                Tuple.of(1, Arbitraries.of("")));
        final Arbitrary<String> label = Combinators.combine(labelName, labelValue, whitespace())
                .as((n, v, ws) -> GeneratedRecords.jsonString(n) + ws + ":" + ws + GeneratedRecords.jsonString(v));
        final Arbitrary<String> notPlainLabel = Combinators.combine(labelName, notPlainStrings())
                .as((n, v) -> GeneratedRecords.jsonString(n) + ":" + v);
        final Arbitrary<String> anyLabel = plain ? label
                : Arbitraries.frequencyOf(Tuple.of(40, label), Tuple.of(1, notPlainLabel),
                        Tuple.of(1, labelName.map(n -> GeneratedRecords.jsonString(n) + ":null")));
        final Arbitrary<String> object = anyLabel.list().ofMaxSize(7).map(l -> "{" + String.join(",", l) + "}");
        return plain ? object : Arbitraries.frequencyOf(Tuple.of(30, object), Tuple.of(1, Arbitraries.of("null", "[]", "\"a\"")));
    }

    /** Strings the plain reader leaves to Jackson: escapes, text beyond ASCII, raw control characters. */
    private static Arbitrary<String> notPlainStrings() {
        return Arbitraries.of("\"a\\\"b\"", "\"\\u0041\"", "\"caf\u00e9\"", "\"\u65e5\u672c\"", "\"tab\there\"",
                "\"back\\\\slash\"", "\"\\n\"");
    }

    private static Arbitrary<String> values(final boolean plain) {
        final Arbitrary<String> numbers = Arbitraries.oneOf(
                Arbitraries.doubles().between(-1e6, 1e6).map(d -> Double.toString(d)),
                Arbitraries.bigDecimals().between(BigDecimal.valueOf(-1e6), BigDecimal.valueOf(1e6)).ofScale(2)
                        .map(BigDecimal::toPlainString),
                Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L).map(l -> Long.toString(l)),
                plain ? decimals(12, 12) : decimals(21, 24));
        final Arbitrary<String> numericStrings = Arbitraries.oneOf(
                Arbitraries.of("NaN", "nan", "+Inf", "-Inf", "inf", "Infinity", "-infinity", "+NaN", "12.5", "1e3",
                        "-0", ".5", "5.", "1E-7", "007", "-0.0", "123456789012345678", "1234567890123456789"),
                Arbitraries.doubles().between(-1e6, 1e6).map(d -> Double.toString(d)),
                // as prometheus-kafka-adapter writes every value (Go's 'f' format: no exponent, any length)
                Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L).map(l -> Long.toString(l)),
                decimals(21, 24))
                .map(GeneratedRecords::jsonString);
        final Arbitrary<String> plainValues = Arbitraries.frequencyOf(Tuple.of(6, numbers), Tuple.of(2, numericStrings),
                Tuple.of(1, Arbitraries.of("0", "-0", "-0.0", "1e400", "123456789012345678")));
        return plain ? plainValues : Arbitraries.frequencyOf(Tuple.of(20, plainValues),
                Tuple.of(1, Arbitraries.of("\"n/a\"", "\" 12\"", "\"0x1p3\"", "\"12d\"", "\"\"", "null", "true",
                        "[1]", "{}", "01", "+1", ".5", "NaN", "1234567890123456789", "12345678901234567890123")));
    }

    private static Arbitrary<String> timestamps(final boolean plain) {
        final long year = 365L * 86_400_000L;
        final Arbitrary<Long> ms = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.longs().between(NOW - year, NOW)),
                Tuple.of(1, Arbitraries.longs().between(NOW, NOW + 3_600_000L)), // crosses the future skew
                Tuple.of(1, Arbitraries.longs().between(-year, year)));
        final Arbitrary<String> epoch = Arbitraries.oneOf(
                ms.map(t -> Long.toString(t)),
                Combinators.combine(ms, Arbitraries.integers().between(0, 999)).as((t, f) -> t + "." + f),
                ms.map(t -> Double.toString((double) t)));
        final Arbitrary<String> rfc3339 = Combinators.combine(ms, Arbitraries.integers().between(0, 9),
                Arbitraries.of("Z", "z", "+00:00", "+02:00", "-05:30"), Arbitraries.of(true, false))
                .as((t, digits, zone, upper) -> GeneratedRecords.jsonString(rfc3339(t, digits, zone, upper)));
        final Arbitrary<String> plainTimestamps = Arbitraries.frequencyOf(Tuple.of(5, epoch), Tuple.of(4, rfc3339),
                Tuple.of(1, Arbitraries.of("-0", "0", "1e12", "1.6557930E12", "123456789012345678")));
        return plain ? plainTimestamps : Arbitraries.frequencyOf(Tuple.of(20, plainTimestamps),
                Tuple.of(1, Arbitraries.of("\"2022-13-01T00:00:00Z\"", "\"2022-06-21 06:30:00Z\"", "\"yesterday\"",
                        "\"2022-06-21T06:30Z\"", "\"+12022-06-21T06:30:00Z\"", "null", "true", "{}", "1e19",
                        "99999999999999999999", "-9.3e18", "1655793000000.5e")));
    }

    /** {@code t} in RFC 3339 with {@code digits} of fraction, at the offset {@code zone}. */
    private static String rfc3339(final long t, final int digits, final String zone, final boolean upper) {
        final Instant instant = Instant.ofEpochMilli(t);
        final java.time.ZoneOffset offset = zone.equalsIgnoreCase("z") ? java.time.ZoneOffset.UTC
                : java.time.ZoneOffset.of(zone);
        final String base = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT)
                .format(instant.atOffset(offset));
        final String nanos = String.format(Locale.ROOT, "%09d", instant.atOffset(offset).getNano());
        final String text = base + (digits == 0 ? "" : "." + nanos.substring(0, digits)) + zone;
        return upper ? text : text.toLowerCase(Locale.ROOT);
    }

    /** JSON numbers built digit by digit: short and long, with and without fraction and exponent. */
    private static Arbitrary<String> decimals(final int maxIntegerDigits, final int maxFractionDigits) {
        final Arbitrary<String> integer = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just("0")),
                Tuple.of(6, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(maxIntegerDigits)
                        .filter(s -> s.charAt(0) != '0')));
        final Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(maxFractionDigits)
                .injectNull(0.3);
        final Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E", "e+", "e-", "E-"),
                Arbitraries.integers().between(0, 330)).as((e, n) -> e + n).injectNull(0.6);
        return Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, i, f, e) -> sign + i + (f == null ? "" : "." + f) + (e == null ? "" : e));
    }
}
