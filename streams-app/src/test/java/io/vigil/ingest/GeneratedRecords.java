package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators for the property tests: valid records of each format together with the datapoints they must decode
 * to, mutations of any record, and arbitrary bytes. Everything is built from jqwik arbitraries, so a failing input
 * shrinks to a small one.
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
    private static Arbitrary<String> words(final int maxLength) {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(maxLength);
    }

    /** Label values with the characters that need escaping in line protocol or JSON, and some beyond ASCII. */
    private static Arbitrary<String> labelValues() {
        return Arbitraries.strings().withChars("abcxyz019 ,=\"\\-./:{}\u00e9\u65e5").ofMinLength(1).ofMaxLength(20);
    }

    private static Arbitrary<Double> finiteValues() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.doubles().between(-1e6, 1e6)),
                Tuple.of(3, Arbitraries.longs().between(-1_000_000_000L, 1_000_000_000L).map(Long::doubleValue)),
                Tuple.of(1, Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300)));
    }

    private static Arbitrary<Long> timestamps() {
        return Arbitraries.longs().between(NOW - YEAR_MS, NOW);
    }

    /**
     * Names made unique by their position ({@code word + index}), cheaper to generate than a map with unique keys;
     * their lengths cross the tight limits of the properties now and then.
     */
    private static <V> Arbitrary<Map<String, V>> named(final Arbitrary<V> values, final int minSize, final int maxSize,
                                                       final int maxWordLength) {
        return Combinators.combine(words(maxWordLength).list().ofMinSize(maxSize).ofMaxSize(maxSize),
                values.list().ofMinSize(minSize).ofMaxSize(maxSize)).as((names, vs) -> {
                    final Map<String, V> out = new LinkedHashMap<>();
                    for (int i = 0; i < vs.size(); i++) {
                        out.put(names.get(i) + i, vs.get(i));
                    }
                    return out;
                });
    }

    static Arbitrary<Sample> samples() {
        return Combinators.combine(words(12), named(labelValues(), 0, 6, 8), named(finiteValues(), 1, 3, 6),
                timestamps()).as(Sample::new);
    }

    /** Native JSON: one object, or an array of up to five; timestamps as epoch ms or RFC 3339, values as numbers or strings. */
    static Arbitrary<Valid> nativeJson() {
        final Arbitrary<Valid> one = Combinators.combine(samples(), Arbitraries.integers().between(0, 3),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).injectNull(0.7))
                .as((sample, style, special) -> {
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
                });
        return Arbitraries.oneOf(one, one.list().ofMinSize(1).ofMaxSize(5).map(list -> new Valid(
                "[" + String.join(",\n ", list.stream().map(Valid::text).toList()) + "]",
                list.stream().flatMap(v -> v.expected().stream()).toList())));
    }

    /** Line protocol: one to three lines (timestamps in ns, floats or integers), maybe a comment and blank lines. */
    static Arbitrary<Valid> lineProtocol() {
        final Arbitrary<Valid> line = Combinators.combine(samples(), Arbitraries.of(true, false))
                .as((sample, integers) -> {
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
                });
        return Combinators.combine(line.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of("\n", "\r\n", "\n\n# c\n"))
                .as((lines, separator) -> new Valid(String.join(separator, lines.stream().map(Valid::text).toList()),
                        lines.stream().flatMap(v -> v.expected().stream()).toList()));
    }

    /** Telegraf JSON: one metric or {"metrics":[...]}, timestamps in whole seconds. */
    static Arbitrary<Valid> telegrafJson() {
        final Arbitrary<Valid> one = samples().map(s -> {
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
        });
        return Arbitraries.oneOf(one, one.list().ofMinSize(1).ofMaxSize(4).map(list -> new Valid(
                "{\"metrics\":[" + String.join(",", list.stream().map(Valid::text).toList()) + "]}",
                list.stream().flatMap(v -> v.expected().stream()).toList())));
    }

    /** Any of the three formats. */
    static Arbitrary<Valid> anyFormat() {
        return Arbitraries.oneOf(nativeJson(), lineProtocol(), telegrafJson());
    }

    /** Bytes that change the structure of JSON or line protocol, so that mutations reach past the tokenizers. */
    private static final byte[] INTERESTING = "{}[]\":,=\\ \n\r\t#0123456789.eE+-iuntfNaIZT".getBytes(StandardCharsets.UTF_8);

    /** One edit of a byte array; where it applies is a fraction of the length, so that it shrinks well. */
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

    static Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.doubles().between(0, 1),
                Arbitraries.bytes(), Arbitraries.integers().between(1, 16)).as(Mutation::new);
    }

    /** One to four edits, most often one: a single edit keeps most records readable up to the datapoint checks. */
    static Arbitrary<List<Mutation>> edits() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, mutations().list().ofSize(1)), Tuple.of(3, mutations().list().ofSize(2)),
                Tuple.of(1, mutations().list().ofMinSize(3).ofMaxSize(4)));
    }

    /** {@code record} with {@code edits} applied in order. */
    static byte[] mutate(final Valid record, final List<Mutation> edits) {
        byte[] bytes = record.bytes();
        for (Mutation m : edits) {
            bytes = m.apply(bytes);
        }
        return bytes;
    }

    /** Random bytes, some after a prefix that sends them deep into one format's parser. */
    static Arbitrary<byte[]> anyBytes() {
        final Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(160);
        final Arbitrary<String> prefixes = Arbitraries.of("", "{", "[", "{\"name\":\"a\",\"labels\":{",
                "{\"metrics\":[{\"name\":\"cpu\",\"fields\":", "cpu,host=a ", "cpu f=", "\uFEFF");
        return Combinators.combine(prefixes, raw).as((p, bytes) -> {
            final byte[] prefix = p.getBytes(StandardCharsets.UTF_8);
            final byte[] out = Arrays.copyOf(prefix, prefix.length + bytes.length);
            System.arraycopy(bytes, 0, out, prefix.length, bytes.length);
            return out;
        });
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
