package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.testing.Gen;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Generators for the property tests: valid records of each format together with the datapoints they must decode
 * to, mutations of any record, and arbitrary bytes, each drawn from the {@link Random} of a try (see
 * {@link io.vigil.testing.Tries}), so that a seed gives the same inputs again.
 */
final class GeneratedRecords {

    /** The wall clock the properties decode at. */
    static final long NOW = Instant.parse("2022-06-21T06:31:00Z").toEpochMilli();
    private static final long YEAR_MS = 365L * 86_400_000L;

    /** A record's text and the datapoints it holds. */
    record Valid(String text, List<Datapoint> expected) {
        byte[] bytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One measurement with its tags, fields and time: a datapoint per field. */
    record Sample(String measurement, Map<String, String> tags, Map<String, Double> fields, long timestampMs) {

        /** What the line protocol and Telegraf decoders make of it: MEASUREMENT_FIELD, host also as instance. */
        List<Datapoint> telegrafDatapoints() {
            final Map<String, String> labels = new LinkedHashMap<>(tags);
            if (!labels.containsKey("instance") && labels.containsKey("host")) {
                labels.put("instance", labels.get("host"));
            }
            final List<Datapoint> out = new ArrayList<>();
            fields.forEach((field, value) -> out.add(new Datapoint(new Series(measurement + "_" + field,
                    Labels.of(labels)), value, timestampMs)));
            return out;
        }
    }

    private GeneratedRecords() {
    }

    /** Lower-case words; no digits, so that a word followed by its index is unique in a list. */
    private static String word(final Random r, final int maxLength) {
        return Gen.string(r, Gen.LOWER, 1, maxLength);
    }

    /** Label values with the characters that need escaping in line protocol or JSON, and some beyond ASCII. */
    private static String labelValue(final Random r) {
        return Gen.string(r, "abcxyz019 ,=\"\\-./:{}\u00e9\u65e5", 1, 20);
    }

    private static double finiteValue(final Random r) {
        return switch (Gen.weighted(r, 6, 3, 1)) {
            case 0 -> Gen.decimal(r, -1e6, 1e6);
            case 1 -> (double) Gen.biased(r, -1_000_000_000L, 1_000_000_000L);
            default -> Gen.pick(r, 0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300);
        };
    }

    private static long timestamp(final Random r) {
        return Gen.biased(r, NOW - YEAR_MS, NOW);
    }

    /**
     * Names made unique by their position ({@code word + index}), cheaper to generate than a map with unique keys;
     * their lengths cross the tight limits of the properties now and then.
     */
    private static <V> Map<String, V> named(final Random r, final Function<Random, V> values, final int minSize,
                                            final int maxSize, final int maxWordLength) {
        final List<String> names = Gen.list(r, maxSize, random -> word(random, maxWordLength));
        final List<V> vs = Gen.list(r, minSize, maxSize, values);
        final Map<String, V> out = new LinkedHashMap<>();
        for (int i = 0; i < vs.size(); i++) {
            out.put(names.get(i) + i, vs.get(i));
        }
        return out;
    }

    static Sample sample(final Random r) {
        return new Sample(word(r, 12), named(r, GeneratedRecords::labelValue, 0, 6, 8),
                named(r, GeneratedRecords::finiteValue, 1, 3, 6), timestamp(r));
    }

    /** Native JSON: one object, or an array of up to five; timestamps as epoch ms or RFC 3339, values as numbers or strings. */
    static Valid nativeJson(final Random r) {
        if (r.nextBoolean()) {
            return nativeJsonObject(r);
        }
        final List<Valid> list = Gen.list(r, 1, 5, GeneratedRecords::nativeJsonObject);
        return new Valid("[" + String.join(",\n ", list.stream().map(Valid::text).toList()) + "]",
                list.stream().flatMap(v -> v.expected().stream()).toList());
    }

    private static Valid nativeJsonObject(final Random r) {
        final Sample sample = sample(r);
        final int style = Gen.between(r, 0, 3);
        final Double special = r.nextDouble() < 0.7 ? null
                : Gen.pick(r, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        final String name = sample.measurement() + "_" + sample.fields().keySet().iterator().next();
        final double value = special != null ? special : sample.fields().values().iterator().next();
        final StringBuilder sb = new StringBuilder("{\"name\":").append(jsonString(name)).append(",\"labels\":{");
        int i = 0;
        for (Map.Entry<String, String> tag : sample.tags().entrySet()) {
            sb.append(i++ > 0 ? "," : "").append(jsonString(tag.getKey())).append(':')
                    .append(jsonString(tag.getValue()));
        }
        sb.append("},\"value\":");
        if (special != null) {
            sb.append(jsonString(Double.isNaN(special) ? "NaN" : special > 0 ? "+Inf" : "-Inf"));
        } else {
            sb.append((style & 1) == 0 ? Double.toString(value) : jsonString(Double.toString(value)));
        }
        sb.append(",\"timestamp\":").append((style & 2) == 0 ? Long.toString(sample.timestampMs())
                : jsonString(Instant.ofEpochMilli(sample.timestampMs()).toString()));
        final Datapoint expected = new Datapoint(new Series(name, Labels.of(sample.tags())), value,
                sample.timestampMs());
        return new Valid(sb.append('}').toString(), List.of(expected));
    }

    /** Line protocol: one to three lines (timestamps in ns, floats or integers), maybe a comment and blank lines. */
    static Valid lineProtocol(final Random r) {
        final List<Valid> lines = Gen.list(r, 1, 3, GeneratedRecords::lineProtocolLine);
        final String separator = Gen.pick(r, "\n", "\r\n", "\n\n# c\n");
        return new Valid(String.join(separator, lines.stream().map(Valid::text).toList()),
                lines.stream().flatMap(v -> v.expected().stream()).toList());
    }

    private static Valid lineProtocolLine(final Random r) {
        final Sample sample = sample(r);
        final boolean integers = r.nextBoolean();
        final StringBuilder sb = new StringBuilder(sample.measurement());
        sample.tags().forEach((k, v) -> sb.append(',').append(k).append('=').append(escapeTag(v)));
        sb.append(' ');
        final Map<String, Double> fields = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Double> f : sample.fields().entrySet()) {
            final double v = integers ? Math.rint(Math.max(-9e15, Math.min(9e15, f.getValue()))) : f.getValue();
            sb.append(i++ > 0 ? "," : "").append(f.getKey()).append('=')
                    .append(integers ? (long) v + "i" : Double.toString(v));
            fields.put(f.getKey(), integers ? (double) (long) v : v);
        }
        sb.append(' ').append(sample.timestampMs() * 1_000_000L);
        final Sample written = new Sample(sample.measurement(), sample.tags(), fields, sample.timestampMs());
        return new Valid(sb.toString(), written.telegrafDatapoints());
    }

    /** Telegraf JSON: one metric or {"metrics":[...]}, timestamps in whole seconds. */
    static Valid telegrafJson(final Random r) {
        if (r.nextBoolean()) {
            return telegrafJsonMetric(r);
        }
        final List<Valid> list = Gen.list(r, 1, 4, GeneratedRecords::telegrafJsonMetric);
        return new Valid("{\"metrics\":[" + String.join(",", list.stream().map(Valid::text).toList()) + "]}",
                list.stream().flatMap(v -> v.expected().stream()).toList());
    }

    private static Valid telegrafJsonMetric(final Random r) {
        final Sample s = sample(r);
        final Sample sample = new Sample(s.measurement(), s.tags(), s.fields(), s.timestampMs() / 1000 * 1000);
        final StringBuilder sb = new StringBuilder("{\"fields\":{");
        int i = 0;
        for (Map.Entry<String, Double> f : sample.fields().entrySet()) {
            sb.append(i++ > 0 ? "," : "").append(jsonString(f.getKey())).append(':').append(f.getValue());
        }
        sb.append("},\"name\":").append(jsonString(sample.measurement())).append(",\"tags\":{");
        i = 0;
        for (Map.Entry<String, String> tag : sample.tags().entrySet()) {
            sb.append(i++ > 0 ? "," : "").append(jsonString(tag.getKey())).append(':').append(jsonString(tag.getValue()));
        }
        sb.append("},\"timestamp\":").append(sample.timestampMs() / 1000).append('}');
        return new Valid(sb.toString(), sample.telegrafDatapoints());
    }

    /** Any of the three formats. */
    static Valid anyFormat(final Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> nativeJson(r);
            case 1 -> lineProtocol(r);
            default -> telegrafJson(r);
        };
    }

    /** Bytes that change the structure of JSON or line protocol, so that mutations reach past the tokenizers. */
    private static final byte[] INTERESTING = "{}[]\":,=\\ \n\r\t#0123456789.eE+-iuntfNaIZT".getBytes(StandardCharsets.UTF_8);

    /** One edit of a byte array; where it applies is a fraction of the length (two decimal places), whatever the length. */
    record Mutation(int kind, double at, byte value, int length) {
        byte[] apply(final byte[] bytes) {
            final int n = bytes.length;
            final int pos = Math.min(n, (int) (at * n));
            switch (kind) {
                case 0 -> { // replace a byte with any byte
                    return n == 0 ? bytes : replace(bytes, Math.min(pos, n - 1), value);
                }
                case 1 -> { // replace a byte with a structural one
                    return n == 0 ? bytes : replace(bytes, Math.min(pos, n - 1), interesting());
                }
                case 2 -> { // delete a run
                    return splice(bytes, pos, Math.min(n, pos + length), new byte[0]);
                }
                case 3 -> { // insert a structural byte
                    return splice(bytes, pos, pos, new byte[] {interesting()});
                }
                case 4 -> { // truncate
                    return Arrays.copyOf(bytes, pos);
                }
                default -> { // duplicate a run in place
                    return splice(bytes, pos, pos, Arrays.copyOfRange(bytes, pos, Math.min(n, pos + length)));
                }
            }
        }

        private byte interesting() {
            return INTERESTING[Math.floorMod(value, INTERESTING.length)];
        }
    }

    static Mutation mutation(final Random r) {
        return new Mutation(Gen.between(r, 0, 5), Gen.decimal(r, 0, 1), (byte) Gen.biased(r, -128, 127),
                Gen.between(r, 1, 16));
    }

    /** One to four edits, most often one: a single edit keeps most records readable up to the datapoint checks. */
    static List<Mutation> edits(final Random r) {
        final int size = switch (Gen.weighted(r, 8, 3, 1)) {
            case 0 -> 1;
            case 1 -> 2;
            default -> Gen.between(r, 3, 4);
        };
        return Gen.list(r, size, GeneratedRecords::mutation);
    }

    /** {@code record} with {@code edits} applied in order. */
    static byte[] mutate(final Valid record, final List<Mutation> edits) {
        byte[] bytes = record.bytes();
        for (Mutation m : edits) {
            bytes = m.apply(bytes);
        }
        return bytes;
    }

    private static final String[] PREFIXES = {"", "{", "[", "{\"name\":\"a\",\"labels\":{",
        "{\"metrics\":[{\"name\":\"cpu\",\"fields\":", "cpu,host=a ", "cpu f=", "\uFEFF"};
    /** The bytes at and next to the ends of the range and 0. */
    private static final byte[] EDGE_BYTES = {-128, -127, -2, -1, 0, 1, 2, 126, 127};

    /**
     * Random bytes, some after a prefix that sends them deep into one format's parser; up to 160, mostly fewer than
     * a hundred (for a property of {@code tries}), now and then none or one at an end of the range, and among the
     * others now and then such a byte.
     */
    static byte[] anyBytes(final Random r, final int tries) {
        final byte[] prefix = Gen.pick(r, PREFIXES).getBytes(StandardCharsets.UTF_8);
        final byte[] bytes;
        if (Gen.edge(r)) {
            bytes = r.nextBoolean() ? new byte[0] : new byte[] {EDGE_BYTES[r.nextInt(EDGE_BYTES.length)]};
        } else {
            bytes = new byte[Gen.size(r, 0, 160, tries)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = r.nextInt(12) == 0 ? EDGE_BYTES[r.nextInt(EDGE_BYTES.length)]
                        : (byte) Gen.biased(r, -128, 127);
            }
        }
        final byte[] out = Arrays.copyOf(prefix, prefix.length + bytes.length);
        System.arraycopy(bytes, 0, out, prefix.length, bytes.length);
        return out;
    }

    static String jsonString(final String s) {
        final StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static String escapeTag(final String value) {
        final StringBuilder sb = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ' ' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static byte[] replace(final byte[] bytes, final int at, final byte value) {
        final byte[] out = bytes.clone();
        out[at] = value;
        return out;
    }

    private static byte[] splice(final byte[] bytes, final int from, final int to, final byte[] insert) {
        final byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }
}
