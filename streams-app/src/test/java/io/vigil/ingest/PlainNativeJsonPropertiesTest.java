package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.bench.FleetMetrics;
import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

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

    @Test
    void anyRecordAndItsMutantsDecodeAsWithJackson() {
        final long seed = 0x9A1_0001L;
        final Tries.Tally records = new Tries.Tally();
        final Tries.Tally mutants = new Tries.Tally();
        Tries.run(seed, 3_000, r -> new Mutated<>(records(r, false), mutants(r)), c -> {
            final byte[] bytes = c.input().getBytes(StandardCharsets.UTF_8);
            assertSameAsJackson(bytes);
            records.add(readPlain(bytes) ? "read plain" : "left to Jackson");
            for (List<GeneratedRecords.Mutation> edits : c.mutants()) {
                byte[] mutant = bytes;
                for (GeneratedRecords.Mutation edit : edits) {
                    mutant = edit.apply(mutant);
                }
                assertSameAsJackson(mutant);
                mutants.add(readPlain(mutant) ? "read plain" : "left to Jackson");
            }
        });
        System.out.printf("records %s, mutants %s%n", records, mutants);
        assertThat(records.percentage("read plain")).as("records %s (seed %d)", records, seed).isGreaterThan(15.0);
        assertThat(records.percentage("left to Jackson")).as("records %s (seed %d)", records, seed)
                .isGreaterThan(15.0);
        assertThat(mutants.percentage("read plain")).as("mutants %s (seed %d)", mutants, seed).isGreaterThan(1.0);
    }

    @Test
    void plainRecordsAreReadPlainAndAsWithJackson() {
        final long seed = 0x9A1_0002L;
        final Tries.Tally outcome = new Tries.Tally();
        Tries.run(seed, 2_000, r -> records(r, true), record -> {
            final byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
            assertSameAsJackson(bytes);
            assertThat(readPlain(bytes)).as("read plain: %s", record).isTrue();
            final DecodedRecord decoded = DEFAULT_DECODER.decode(bytes, NOW);
            outcome.add(decoded.fullyValid() ? "all valid" : "some rejected");
        });
        System.out.printf("outcome %s%n", outcome);
        assertThat(outcome.percentage("all valid")).as("outcome %s (seed %d)", outcome, seed).isGreaterThan(10.0);
        assertThat(outcome.percentage("some rejected")).as("outcome %s (seed %d)", outcome, seed).isGreaterThan(10.0);
    }

    /**
     * What prometheus-kafka-adapter writes (its README's record, and the bench fleet's, which writes as it does:
     * value and timestamp as strings, the labels first and repeating {@code __name__}) is read plain, as Jackson
     * reads it, and valid.
     */
    @Test
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
    @Test
    void recordsReadThroughKnownLabelsDecodeAsWithJackson() {
        final long seed = 0x9A1_0003L;
        final Tries.Tally foundBefore = new Tries.Tally();
        Tries.run(seed, 1_000, r -> new Mutated<>(sharedLabels(r), mutants(r)), c -> {
            final List<String> records = c.input();
            final List<List<GeneratedRecords.Mutation>> mutants = c.mutants();
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
            foundBefore.add(found > 0);
        });
        System.out.printf("a label set read before: %s%n", foundBefore);
        assertThat(foundBefore.percentage(true)).as("a label set read before: %s (seed %d)", foundBefore, seed)
                .isGreaterThan(50.0);
    }

    /**
     * Label sets that open with {@code __name__}, as prometheus-kafka-adapter writes them, kept without it and found
     * again under other names: decoded as Jackson decodes them, the name coming from that label where the record has
     * none of its own, and from a second {@code __name__} (the last counts) where the rest has one.
     */
    @Test
    void labelSetsNamedFirstDecodeAsWithJackson() {
        final long seed = 0x9A1_0004L;
        final Tries.Tally foundAgain = new Tries.Tally();
        Tries.run(seed, 1_000, PlainNativeJsonPropertiesTest::namedFirst, records -> {
            final KnownLabels known = new KnownLabels();
            int found = 0;
            for (String record : records) {
                found += assertSameAsJackson(record.getBytes(StandardCharsets.UTF_8), known) ? 1 : 0;
            }
            foundAgain.add(found > 0);
        });
        System.out.printf("a label set found under another name: %s%n", foundAgain);
        assertThat(foundAgain.percentage(true))
                .as("a label set found under another name: %s (seed %d)", foundAgain, seed).isGreaterThan(50.0);
    }

    /**
     * prometheus-kafka-adapter's records byte for byte (label sets opening with their {@code __name__}, the name again,
     * a scrape's timestamp shared, the value a string), read through a {@link KnownLabels} as ingest reads them, and
     * their mutants: decoded as Jackson decodes them. Once a record's label set and timestamp have been read, its
     * layout alone reads it ({@code PlainNativeJson#byAdapterLayout}), to the same result, or the shortcut would
     * silently be a detour.
     */
    @Test
    void adapterRecordsAndTheirMutantsDecodeAsWithJackson() {
        final long seed = 0x9A1_0005L;
        final Tries.Tally byItsLayout = new Tries.Tally();
        Tries.run(seed, 1_000, r -> new Mutated<>(adapterRecords(r), mutants(r)), c -> {
            final List<String> records = c.input();
            final List<List<GeneratedRecords.Mutation>> mutants = c.mutants();
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
                byItsLayout.add(byLayout != null);
                byte[] mutant = bytes;
                for (GeneratedRecords.Mutation edit : mutants.get(r % mutants.size())) {
                    mutant = edit.apply(mutant);
                }
                assertThat(DEFAULT_DECODER.decode(mutant, NOW, known)).as("%s", new String(mutant, StandardCharsets.UTF_8))
                        .isEqualTo(DEFAULT_DECODER.decodeWithJackson(mutant, NOW));
            }
        });
        System.out.printf("read by its layout: %s%n", byItsLayout);
        assertThat(byItsLayout.percentage(true)).as("read by its layout: %s (seed %d)", byItsLayout, seed)
                .isGreaterThan(50.0);
        assertThat(byItsLayout.percentage(false)).as("read by its layout: %s (seed %d)", byItsLayout, seed)
                .isGreaterThan(1.0);
    }

    /** Decimal numbers of every length and exponent, as values: converted to the same double as Jackson's. */
    @Test
    void numbersConvertAsJacksonConvertsThem() {
        Tries.run(0x9A1_0006L, 5_000, PlainNativeJsonPropertiesTest::number, number -> {
            final String record = "{\"name\":\"m\",\"value\":" + number + ",\"timestamp\":" + number + "}";
            assertSameAsJackson(record.getBytes(StandardCharsets.UTF_8));
        });
    }

    /** A generated input and {@value #MUTANTS} lists of edits for its mutants. */
    private record Mutated<T>(T input, List<List<GeneratedRecords.Mutation>> mutants) { }

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
            assertThat(TIGHT_AUTO.decode(input, NOW)).as("auto: %s", new String(input, StandardCharsets.UTF_8))
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
            assertThat(TIGHT_AUTO.decode(input, NOW, known)).as("auto: %s", text).isEqualTo(detected);
        }
        return found;
    }

    private static boolean readPlain(final byte[] input) {
        return PlainNativeJson.decode(input, new DatapointValidator(TIGHT), NOW) != null;
    }

    /**
     * Records as a fleet sends them: a few label sets (any, plain or not), each with several metric names, values and
     * timestamps, the fields in any order.
     */
    private static List<String> sharedLabels(final Random r) {
        // The same few label sets across a list: drawn from one small pool per list.
        final List<String> labelSets = Gen.list(r, 1, 3, random -> labelObject(random, false));
        final int size = Gen.between(r, 2, 8);
        final List<String> records = new ArrayList<>();
        for (int k = 0; k < size; k++) {
            final String labels = labelSets.get(Gen.between(r, 0, 2) % labelSets.size());
            final String ws = whitespace(r);
            final List<String> fields = new ArrayList<>(List.of("\"name\":" + name(r, false),
                    "\"labels\":" + ws + labels, "\"value\":" + value(r, false), "\"timestamp\":" + timestamp(r, false)));
            Collections.shuffle(fields, r);
            final String object = "{" + String.join("," + ws, fields) + "}";
            final int shape = Gen.between(r, 0, 3);
            // Now and then in an array, or with its labels given twice (they merge).
            records.add(shape == 0 ? "[" + object + "," + object + "]"
                    : shape == 1 ? object.substring(0, object.length() - 1) + ",\"labels\":"
                    + labelSets.get(0) + "}" : object);
        }
        return records;
    }

    private static List<String> namedFirst(final Random r) {
        // A few label sets per list, each written after a __name__ label drawn from a few names (a target's metrics).
        final List<String> labelSets = Gen.list(r, 1, 2, random -> labelObject(random, true));
        final int size = Gen.between(r, 2, 10);
        final List<String> records = new ArrayList<>();
        String timestamp = null;
        for (int k = 0; k < size; k++) {
            final String rest = labelSets.get(Gen.between(r, 0, 1) % labelSets.size());
            final String label = Gen.weighted(r, 8, 1) == 0 ? Gen.pick(r, "\"cpu\"", "\"mem_used\"", "\"up\"")
                    : name(r, false);
            // The record's own name: none, empty, another, the label's again (as the adapter writes it), or one that
            // begins or ends like the label's (read once, the label's bytes must not be taken for the whole name).
            final String own = ownName(Gen.between(r, 0, 5), label, name(r, false));
            final String value = value(r, true);
            final String t = timestamp(r, true);
            final String labels = "{\"__name__\":" + label + (rest.equals("{}") ? "}" : "," + rest.substring(1));
            // Every other record has the timestamp of the one before, as a scrape's datapoints do.
            timestamp = records.size() % 2 == 1 ? timestamp : t;
            records.add("{\"labels\":" + labels + own + ",\"timestamp\":" + timestamp + ",\"value\":" + value + "}");
        }
        return records;
    }

    private static List<String> adapterRecords(final Random r) {
        // A few targets' label sets, each record one of them under one of a few names, in the adapter's bytes: Go's
        // json.Marshal of its map (keys sorted, so labels first and __name__ first among them), every scrape's
        // timestamp to the second and shared by the records that follow it, every value a string.
        final List<String> labelSets = Gen.list(r, 1, 3, random -> {
            String labels;
            do {
                labels = labelObject(random, true);
            } while (labels.contains("\"__name__\""));
            return labels;
        });
        final int size = Gen.between(r, 2, 12);
        final List<String> records = new ArrayList<>();
        String timestamp = null;
        for (int k = 0; k < size; k++) {
            final String labels = labelSets.get(Gen.between(r, 0, 2) % labelSets.size());
            final String name = Gen.weighted(r, 8, 1) == 0 ? Gen.pick(r, "\"cpu\"", "\"mem_used\"", "\"up\"")
                    : name(r, true);
            final String v = value(r, true);
            final String value = v.startsWith("\"") ? v : GeneratedRecords.jsonString(v);
            String scrape;
            do {
                scrape = timestamp(r, true);
            } while (!scrape.startsWith("\""));
            timestamp = timestamp == null || Gen.between(r, 0, 3) == 0 ? scrape : timestamp;
            records.add("{\"labels\":{\"__name__\":" + name + (labels.equals("{}") ? "}"
                    : "," + labels.substring(1)) + ",\"name\":" + name + ",\"timestamp\":" + timestamp
                    + ",\"value\":" + value + "}");
        }
        return records;
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

    private static List<List<GeneratedRecords.Mutation>> mutants(final Random r) {
        return Gen.list(r, MUTANTS, GeneratedRecords::edits);
    }

    private static final String[] NUMBERS = {"0", "-0", "0.0", "-0.0", "1e400", "-1e400", "1e-400",
        "9007199254740993", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "123456789012345678", "1234567890123456789", "0.1", "0.30000000000000004", "1.7976931348623157E308",
        "4.9E-324", "1655793000000.999", "1.6557930E12", "01", "+1", ".5", "1.", "1e", "-", "1E+", "00"};

    /** Decimals, their parts now and then at the ends of their ranges, or one of {@link #NUMBERS}. */
    private static String number(final Random r) {
        return r.nextBoolean() ? decimals(r, 21, 24, true) : Gen.pick(r, NUMBERS);
    }

    // ---- generators

    /** One object or an array of up to four, with whitespace here and there. */
    private static String records(final Random r, final boolean plain) {
        final List<String> objects = Gen.list(r, 1, 4, random -> object(random, plain));
        final int shape = Gen.between(r, 0, 3);
        final String ws = whitespace(r);
        return shape == 0 ? ws + "[" + ws + String.join(ws + "," + ws, objects) + ws + "]" + ws
                : ws + objects.get(0) + ws;
    }

    /** The four fields in any order, some missing, and (not plain) some given twice and the odd unknown field. */
    private static String object(final Random r, final boolean plain) {
        final String[] four = {field(r, "name", name(r, plain)), field(r, "labels", labelObject(r, plain)),
            field(r, "value", value(r, plain)), field(r, "timestamp", timestamp(r, plain))};
        // Unknown fields, Telegraf's among them: an auto-detected topic reads a record with those as Telegraf JSON.
        // A field given twice is rejected by Jackson's reading, which the plain reader leaves it to.
        final List<String> more = plain ? List.of() : Gen.list(r, 0, 2, random -> Gen.weighted(random, 6, 1) == 1
                ? "\"" + Gen.pick(random, "extra", "fields", "metrics", "tags") + "\":"
                        + Gen.pick(random, "1", "\"x\"", "null", "{\"a\":[1,2]}", "{\"f\":1.5}", "[]", "true")
                : again(random, plain));
        final List<String> fields = new ArrayList<>();
        for (String f : four) {
            if (Gen.weighted(r, 12, 1) == 0) {
                fields.add(f);
            }
        }
        fields.addAll(more);
        Collections.shuffle(fields, r);
        final String ws = whitespace(r);
        return "{" + ws + String.join(ws + "," + ws, fields) + ws + "}";
    }

    /** One of the four fields, given again. */
    private static String again(final Random r, final boolean plain) {
        return switch (r.nextInt(4)) {
            case 0 -> field(r, "name", name(r, plain));
            case 1 -> field(r, "labels", labelObject(r, plain));
            case 2 -> field(r, "value", value(r, plain));
            default -> field(r, "timestamp", timestamp(r, plain));
        };
    }

    private static String field(final Random r, final String name, final String value) {
        final String ws = whitespace(r);
        return "\"" + name + "\"" + ws + ":" + ws + value;
    }

    private static String whitespace(final Random r) {
        return new String[] {"", " ", "\n\t ", "\r\n"}[Gen.weighted(r, 6, 2, 1, 1)];
    }

    private static String name(final Random r, final boolean plain) {
        return switch (plain ? 0 : Gen.weighted(r, 30, 1, 1)) {
            case 0 -> GeneratedRecords.jsonString(Gen.weighted(r, 9, 1) == 0 ? validName(r)
                    : Gen.pick(r, "", "1abc", "cpu-usage", "a b", "\u007f"));
            case 1 -> notPlainString(r);
            default -> Gen.pick(r, "null", "1", "{}", "[\"a\"]", "true");
        };
    }

    private static String validName(final Random r) {
        String name;
        do {
            name = Gen.string(r, Gen.LOWER + "_:" + Gen.DIGITS, 1, 24);
        } while (Character.isDigit(name.charAt(0)));
        return name;
    }

    private static String labelObject(final Random r, final boolean plain) {
        if (!plain && Gen.weighted(r, 30, 1) == 1) {
            return Gen.pick(r, "null", "[]", "\"a\"");
        }
        final List<String> labels = Gen.list(r, 0, 7, random -> label(random, plain));
        if (plain) {
            // A label name given twice is rejected by Jackson's reading, which the plain reader leaves it to.
            final java.util.Set<String> names = new java.util.HashSet<>();
            labels.removeIf(label -> !names.add(label.substring(0, label.indexOf('"', 1) + 1)));
        }
        return "{" + String.join(",", labels) + "}";
    }

    private static String label(final Random r, final boolean plain) {
        return switch (plain ? 0 : Gen.weighted(r, 40, 1, 1)) {
            case 0 -> {
                final String name = GeneratedRecords.jsonString(labelName(r));
                final String value = GeneratedRecords.jsonString(labelValue(r));
                final String ws = whitespace(r);
                yield name + ws + ":" + ws + value;
            }
            case 1 -> GeneratedRecords.jsonString(labelName(r)) + ":" + notPlainString(r);
            default -> GeneratedRecords.jsonString(labelName(r)) + ":null";
        };
    }

    private static String labelName(final Random r) {
        return Gen.weighted(r, 12, 1) == 0 ? Gen.string(r, Gen.LOWER + "_", 1, 11)
                : Gen.pick(r, "__name__", "1x", "a-b", "");
    }

    private static String labelValue(final Random r) {
        // Printable ASCII; quotes and backslashes would be escaped, which is not plain.
        return Gen.weighted(r, 12, 1) == 0
                ? Gen.string(r, Gen.range(' ', '~'), 0, 20).replace('"', '\'').replace('\\', '/') : "";
    }

    /** Strings the plain reader leaves to Jackson: escapes, text beyond ASCII, raw control characters. */
    private static String notPlainString(final Random r) {
        return Gen.pick(r, "\"a\\\"b\"", "\"\\u0041\"", "\"caf\u00e9\"", "\"\u65e5\u672c\"", "\"tab\there\"",
                "\"back\\\\slash\"", "\"\\n\"");
    }

    private static String value(final Random r, final boolean plain) {
        if (!plain && Gen.weighted(r, 20, 1) == 1) {
            return Gen.pick(r, "\"n/a\"", "\" 12\"", "\"0x1p3\"", "\"12d\"", "\"\"", "null", "true",
                    "[1]", "{}", "01", "+1", ".5", "NaN", "1234567890123456789", "12345678901234567890123",
                    "1e400", "-1e999", "\"1e999\"", "\"+NaN\"", "\"-nan\"", "\"-1e400\"", "\"1" + "0".repeat(400) + "\"", "1" + "0".repeat(400));
        }
        return switch (Gen.weighted(r, 6, 2, 1)) {
            case 0 -> switch (r.nextInt(4)) {
                case 0 -> Double.toString(Gen.decimal(r, -1e6, 1e6));
                case 1 -> BigDecimal.valueOf(Gen.biased(r, -100_000_000L, 100_000_000L), 2).toPlainString();
                case 2 -> Long.toString(Gen.biased(r, -1_000_000_000_000L, 1_000_000_000_000L));
                default -> plain ? decimalWithinDouble(r) : decimals(r, 21, 24, false);
            };
            case 1 -> GeneratedRecords.jsonString(switch (r.nextInt(4)) {
                case 0 -> Gen.pick(r, "NaN", "nan", "+Inf", "-Inf", "inf", "Infinity", "-infinity", "+INF", "12.5",
                        "1e3", "-0", ".5", "5.", "1E-7", "007", "-0.0", "123456789012345678", "1234567890123456789");
                case 1 -> Double.toString(Gen.decimal(r, -1e6, 1e6));
                // as prometheus-kafka-adapter writes every value (Go's 'f' format: no exponent, any length)
                case 2 -> Long.toString(Gen.biased(r, -1_000_000_000_000L, 1_000_000_000_000L));
                default -> decimals(r, 21, 24, false);
            });
            default -> Gen.pick(r, "0", "-0", "-0.0", "1e-400", "123456789012345678");
        };
    }

    private static String timestamp(final Random r, final boolean plain) {
        if (!plain && Gen.weighted(r, 20, 1) == 1) {
            return Gen.pick(r, "\"2022-13-01T00:00:00Z\"", "\"2022-06-21 06:30:00Z\"", "\"yesterday\"",
                    "\"2022-06-21T06:30Z\"", "\"+12022-06-21T06:30:00Z\"", "null", "true", "{}", "1e19",
                    "99999999999999999999", "-9.3e18", "1655793000000.5e");
        }
        return switch (Gen.weighted(r, 5, 4, 1)) {
            case 0 -> switch (r.nextInt(3)) {
                case 0 -> Long.toString(ms(r));
                case 1 -> ms(r) + "." + Gen.biased(r, 0, 999);
                default -> Double.toString((double) ms(r));
            };
            case 1 -> GeneratedRecords.jsonString(rfc3339(ms(r), Gen.between(r, 0, 9),
                    Gen.pick(r, "Z", "z", "+00:00", "+02:00", "-05:30"), r.nextBoolean()));
            default -> Gen.pick(r, "-0", "0", "1e12", "1.6557930E12", "123456789012345678");
        };
    }

    /** Epoch milliseconds: most in the year before now, some past the future skew, some around 1970. */
    private static long ms(final Random r) {
        final long year = 365L * 86_400_000L;
        return switch (Gen.weighted(r, 8, 1, 1)) {
            case 0 -> Gen.biased(r, NOW - year, NOW);
            case 1 -> Gen.biased(r, NOW, NOW + 3_600_000L); // crosses the future skew
            default -> Gen.biased(r, -year, year);
        };
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

    /**
     * JSON numbers built digit by digit: short and long, with and without fraction and exponent; with
     * {@code edges}, each part now and then at an end of its range (0 or 9, no fraction, exponent 0 to 2 or 329, 330).
     */
    /** As {@link #decimals}, short and within a double's range: one beyond it is Jackson's to reject. */
    private static String decimalWithinDouble(final Random r) {
        String decimal;
        do {
            decimal = decimals(r, 12, 12, false);
        } while (Double.isInfinite(Double.parseDouble(decimal)));
        return decimal;
    }

    private static String decimals(final Random r, final int maxIntegerDigits, final int maxFractionDigits,
                                   final boolean edges) {
        final String sign = Gen.pick(r, "", "-");
        final String integer;
        if (edges && Gen.edge(r)) {
            integer = Gen.pick(r, "0", "9");
        } else if (Gen.weighted(r, 1, 6) == 0) {
            integer = "0";
        } else {
            integer = Gen.string(r, "123456789", 1, 1) + Gen.string(r, Gen.DIGITS, 0, maxIntegerDigits - 1);
        }
        final String fraction;
        if (edges && Gen.edge(r)) {
            fraction = Gen.pick(r, null, "0", "9");
        } else {
            fraction = r.nextDouble() < 0.3 ? null : Gen.string(r, Gen.DIGITS, 1, maxFractionDigits);
        }
        final String exponent;
        if (edges && Gen.edge(r)) {
            exponent = r.nextBoolean() ? null : Gen.pick(r, "e", "E-") + Gen.pick(r, 0, 1, 2, 329, 330);
        } else {
            exponent = r.nextDouble() < 0.6 ? null
                    : Gen.pick(r, "e", "E", "e+", "e-", "E-") + Gen.biased(r, 0, 330);
        }
        return sign + integer + (fraction == null ? "" : "." + fraction) + (exponent == null ? "" : exponent);
    }
}
