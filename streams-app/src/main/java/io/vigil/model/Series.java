package io.vigil.model;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * A series: a metric name and its full label set (without {@code __name__}), as in Prometheus.
 *
 * <p>A class rather than a record so that it can keep its {@link #key()}: the key names the series on the
 * repartition topic, in the stores and in every map of the evaluator, and building it from the labels costs more than
 * everything else done per datapoint once a series is known.
 */
public final class Series implements Comparable<Series> {

    /** What {@link #asciiKeyHash} returns for bytes that are not all ASCII. */
    public static final long NOT_ASCII = -1;

    /** Powers of 31, for {@link String#hashCode} four bytes at a step. */
    private static final int P2 = 31 * 31;
    private static final int P3 = 31 * 31 * 31;
    private static final int P4 = 31 * 31 * 31 * 31;

    private final String name;
    private final Labels labels;
    /** Built on first use; racy but benign, like String's hash: every thread computes the same value. */
    private String key;
    /**
     * The labels' part of the key in ASCII ({@link #labelsKey(Labels)}), shared by the label set's series, for a
     * series of an ASCII name made by {@link #withLabelsKey}: its key's bytes are then the name's and these, written
     * where they go ({@link #writeKeyBytes}) without an array of their own. Null for other series.
     */
    private final byte[] labelsKey;
    /** Kafka's murmur2 of {@link #keyBytes()}, when {@link #labelsKey} is known (ingest's series, sent every scrape). */
    private final int partitionHash;
    /** The {@link String#hashCode} of {@link #key()}, when {@link #labelsKey} is known. */
    private final int keyHash;
    // The key as an evaluator's state keeps it, in two interned pieces (the name and its brace, the rest), once an
    // evaluator has looked up a series made by withLabelsKey: ingest hands that same object over at every scrape, and
    // a lookup by interned pieces compares references where the key's bytes were compared, a cache miss or two each.
    // Racy but benign, as the key: any thread sets the same two strings, and one without the other is not used.
    private String internedKeyHead;
    private String internedKeyTail;

    /**
     * @param name   the metric name, never empty
     * @param labels the labels; a {@code __name__} among them is dropped
     */
    public Series(final String name, final Labels labels) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a series needs a metric name");
        }
        this.name = name;
        this.labels = labels.has("__name__") ? labels.without("__name__") : labels;
        this.labelsKey = null;
        this.partitionHash = 0;
        this.keyHash = 0;
    }

    private Series(final String name, final Labels labels, final byte[] labelsKey) {
        this.name = name;
        this.labels = labels;
        this.labelsKey = labelsKey;
        final byte[] bytes = keyBytes();
        this.partitionHash = Utils.murmur2(bytes);
        // Never NOT_ASCII: withLabelsKey checked the name, and a labels key is ASCII.
        this.keyHash = (int) asciiKeyHash(bytes, 0, bytes.length);
    }

    /**
     * A series of a label set whose part of the key is known: ingest reads the same label set again and again (every
     * scrape of a target), with a metric name each time, and so writes its part of the key once, not per datapoint.
     *
     * @param labelsKey {@link #labelsKey(Labels)} of {@code labels} (so they have no {@code __name__}), never changed
     *                  afterwards; null for none
     */
    public static Series withLabelsKey(final String name, final Labels labels, final byte[] labelsKey) {
        if (labelsKey == null || name == null || name.isEmpty()) {
            return new Series(name, labels);
        }
        char beyond = 0;
        for (int i = 0; i < name.length(); i++) {
            beyond |= name.charAt(i);
        }
        return beyond < 0x80 ? new Series(name, labels, labelsKey) : new Series(name, labels);
    }

    public String name() {
        return name;
    }

    public Labels labels() {
        return labels;
    }

    /** {@code cpu_usage_percent{cluster="backend",instance="node-7"}}: stable, readable, unique. */
    public String key() {
        String k = key;
        if (k == null) {
            final StringBuilder sb = new StringBuilder(name.length() + 24 * labels.size()).append(name).append('{');
            for (int i = 0; i < labels.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(labels.name(i)).append("=\"");
                Labels.appendEscaped(sb, labels.value(i));
                sb.append('"');
            }
            k = sb.append('}').toString();
            key = k;
        }
        return k;
    }

    /**
     * {@link #key()} in UTF-8, as the repartition record's key: written straight into the bytes when the series is
     * ASCII without a character to escape (as nearly every series is), so ingest does not build the key as a string
     * and then encode it, per datapoint.
     */
    public byte[] keyBytes() {
        if (labelsKey != null) {
            final byte[] bytes = new byte[name.length() + labelsKey.length];
            writeKeyBytes(bytes, 0);
            return bytes;
        }
        final String k = key;
        if (k != null) {
            return k.getBytes(StandardCharsets.UTF_8);
        }
        final byte[] bytes = new byte[name.length() + labelsKeyLength(labels)];
        final int at = ascii(name, false, bytes, 0);
        if (at < 0 || writeLabelsKey(labels, bytes, at) < 0) {
            return key().getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    /**
     * The length of {@link #keyBytes()} if {@link #writeKeyBytes} can write them (a series of an ASCII name made by
     * {@link #withLabelsKey}), -1 otherwise.
     */
    public int keyBytesLength() {
        return labelsKey == null ? -1 : name.length() + labelsKey.length;
    }

    /**
     * Writes {@link #keyBytes()} into {@code out} from {@code at}, for a series whose {@link #keyBytesLength()} is not
     * -1: where ingest puts the key (a bundle's bytes) without making an array of it first.
     *
     * @return where they end
     */
    public int writeKeyBytes(final byte[] out, final int at) {
        final int length = name.length();
        for (int i = 0; i < length; i++) {
            out[at + i] = (byte) name.charAt(i);
        }
        System.arraycopy(labelsKey, 0, out, at + length, labelsKey.length);
        return at + length + labelsKey.length;
    }

    /**
     * Kafka's murmur2 of {@link #keyBytes()}: what its default partitioner takes of a record keyed by this series.
     * Computed once for a series made by {@link #withLabelsKey}, which ingest keeps and sends at every scrape.
     */
    public int partitionHash() {
        return labelsKey != null ? partitionHash : Utils.murmur2(keyBytes());
    }

    /** The first interned piece of the key (the name and its brace), once remembered; else null. */
    public String internedKeyHead() {
        return internedKeyHead;
    }

    /** The second interned piece of the key (what follows the brace), once remembered; else null. */
    public String internedKeyTail() {
        return internedKeyTail;
    }

    /**
     * Remembers {@link #key()} as {@code head} and {@code tail}, interned, whose concatenation it is; only a series
     * made by {@link #withLabelsKey} with a labels key keeps them (ingest's, handed over at every scrape).
     */
    public void rememberInternedKey(final String head, final String tail) {
        if (labelsKey != null) {
            internedKeyHead = head;
            internedKeyTail = tail;
        }
    }

    /** The {@link String#hashCode} of {@link #key()}; computed once for a series made by {@link #withLabelsKey}. */
    public int keyHash() {
        return labelsKey != null ? keyHash : keyHashOf(keyBytes());
    }

    /**
     * The {@link String#hashCode} of the key whose UTF-8 bytes are {@code keyBytes}: summed over the bytes when they
     * are ASCII (as nearly every key is), without making the string.
     */
    public static int keyHashOf(final byte[] keyBytes) {
        final long hash = asciiKeyHash(keyBytes, 0, keyBytes.length);
        return hash != NOT_ASCII ? (int) hash : new String(keyBytes, StandardCharsets.UTF_8).hashCode();
    }

    /**
     * The {@link String#hashCode} of the string the ASCII bytes {@code bytes[offset, offset + length)} spell (the same
     * sum over the bytes as over the chars), as a non-negative long; {@link #NOT_ASCII} if a byte is not ASCII.
     */
    public static long asciiKeyHash(final byte[] bytes, final int offset, final int length) {
        final int end = offset + length;
        int h = 0;
        int any = 0;
        int i = offset;
        // Four bytes a step: String.hashCode's chain of multiply-adds, one step per byte, is what made hashing slow.
        for (; i + 3 < end; i += 4) {
            final int b0 = bytes[i];
            final int b1 = bytes[i + 1];
            final int b2 = bytes[i + 2];
            final int b3 = bytes[i + 3];
            any |= b0 | b1 | b2 | b3;
            h = h * P4 + b0 * P3 + b1 * P2 + b2 * 31 + b3;
        }
        for (; i < end; i++) {
            final int b = bytes[i];
            any |= b;
            h = 31 * h + b;
        }
        return any < 0 ? NOT_ASCII : h & 0xFFFF_FFFFL;
    }

    /**
     * The labels' part of a {@link #key()}, {@code {cluster="backend",instance="node-7"}}, in UTF-8, when it is ASCII
     * without a character to escape; null otherwise, and for labels with {@code __name__} (not a series' labels). The
     * same for every series of this label set.
     */
    public static byte[] labelsKey(final Labels labels) {
        if (labels.has("__name__")) {
            return null;
        }
        final byte[] bytes = new byte[labelsKeyLength(labels)];
        return writeLabelsKey(labels, bytes, 0) < 0 ? null : bytes;
    }

    /** The length of {@code {a="1",b="2"}} for {@code labels}, if ASCII without a character to escape. */
    private static int labelsKeyLength(final Labels labels) {
        int length = 2;
        for (int i = 0; i < labels.size(); i++) {
            length += (i > 0 ? 4 : 3) + labels.name(i).length() + labels.value(i).length();
        }
        return length;
    }

    /**
     * Writes {@code {a="1",b="2"}} into {@code bytes} from {@code at}; returns where it ended, or -1 when a label is
     * beyond ASCII or has a character {@link #key()} escapes.
     */
    private static int writeLabelsKey(final Labels labels, final byte[] bytes, final int from) {
        bytes[from] = '{';
        int at = from + 1;
        for (int i = 0; i < labels.size() && at >= 0; i++) {
            if (i > 0) {
                bytes[at++] = ',';
            }
            at = ascii(labels.name(i), false, bytes, at);
            if (at >= 0) {
                bytes[at++] = '=';
                bytes[at++] = '"';
                at = ascii(labels.value(i), true, bytes, at);
            }
            if (at >= 0) {
                bytes[at++] = '"';
            }
        }
        if (at < 0) {
            return -1;
        }
        bytes[at] = '}';
        return at + 1;
    }

    /**
     * Copies {@code text} into {@code bytes} from {@code at}; returns where it ended, or -1 when it has a character
     * beyond ASCII or (for an {@code escaped} label value) one that {@link #key()} escapes.
     */
    private static int ascii(final String text, final boolean escaped, final byte[] bytes, final int at) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c >= 0x80 || escaped && (c == '\\' || c == '"' || c == '\n')) {
                return -1;
            }
            bytes[at + i] = (byte) c;
        }
        return at + text.length();
    }

    /**
     * The series a {@link #key()} names. Evaluation reads its series from the repartition record's key, so a datapoint
     * of a known series is never decoded into labels at all.
     *
     * @throws IllegalArgumentException if {@code key} is not a key this class wrote
     */
    public static Series fromKey(final String key) {
        final int open = key.indexOf('{');
        if (open <= 0 || key.charAt(key.length() - 1) != '}') {
            throw new IllegalArgumentException("not a series key: " + key);
        }
        final String name = key.substring(0, open);
        final java.util.List<String> pairs = new java.util.ArrayList<>(16);
        final StringBuilder value = new StringBuilder();
        int i = open + 1;
        final int end = key.length() - 1;
        while (i < end) {
            final int eq = key.indexOf("=\"", i);
            if (eq < 0) {
                throw new IllegalArgumentException("not a series key: " + key);
            }
            pairs.add(key.substring(i, eq));
            value.setLength(0);
            i = eq + 2;
            while (i < end && key.charAt(i) != '"') {
                char c = key.charAt(i++);
                if (c == '\\' && i < end) {
                    final char escaped = key.charAt(i++);
                    c = escaped == 'n' ? '\n' : escaped;
                }
                value.append(c);
            }
            if (i >= end) {
                throw new IllegalArgumentException("not a series key: " + key);
            }
            pairs.add(value.toString());
            i++;
            if (i < end) {
                if (key.charAt(i) != ',') {
                    throw new IllegalArgumentException("not a series key: " + key);
                }
                i++;
            }
        }
        // Interned: evaluation holds its series for as long as they report, and their metric names, label names and
        // most label values (cluster, role, region...) repeat across thousands of them.
        final String[] strings = new String[pairs.size()];
        for (int p = 0; p < strings.length; p++) {
            strings[p] = pairs.get(p).intern();
        }
        final Series series = new Series(name.intern(), Labels.of(strings));
        if (!series.key().equals(key)) {
            // Labels out of order, repeated, empty or __name__: not something key() writes.
            throw new IllegalArgumentException("not a series key: " + key);
        }
        // The caller's string, not the equal one just built: evaluation keeps it as its map key too.
        series.key = key;
        return series;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Series other && name.equals(other.name) && labels.equals(other.labels);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + labels.hashCode();
    }

    @Override
    public int compareTo(final Series other) {
        final int c = name.compareTo(other.name);
        return c != 0 ? c : labels.compareTo(other.labels);
    }

    @Override
    public String toString() {
        return key();
    }
}
