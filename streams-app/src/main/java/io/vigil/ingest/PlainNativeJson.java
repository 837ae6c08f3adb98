package io.vigil.ingest;

import static io.vigil.ingest.ByteWords.HIGH_BITS;
import static io.vigil.ingest.ByteWords.ONES;
import static io.vigil.ingest.ByteWords.firstBytes;
import static io.vigil.ingest.ByteWords.word;
import static io.vigil.ingest.ByteWords.zeroByte;
import static io.vigil.ingest.ByteWords.zeroBytes;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Native JSON as producers nearly always write it, read straight from the bytes: an object, or an array of
 * objects, with only the fields {@code name} (a string), {@code labels} (an object of strings), {@code value} (a
 * number, or a numeric string such as {@code "NaN"}) and {@code timestamp} (a number of epoch milliseconds, or an
 * RFC 3339 string), every string printable ASCII without escapes. Each datapoint fills the same
 * {@link DatapointDraft} as {@link NativeJsonDecoder}'s and goes through the same {@link DatapointValidator}, so
 * what the validator accepts or rejects is decided exactly as there.
 *
 * <p>Everything else is left to {@link NativeJsonDecoder}'s reading with Jackson, from the start of the record: a
 * byte beyond ASCII or an escape in a string, another field or a null, a number JSON does not allow or that this
 * reader does not convert itself, a value the decoder would reject (a non-numeric value string, a number beyond a
 * double, an unreadable timestamp), any syntax error. For those this returns null having decided nothing, so that every message and
 * dead-letter reason is Jackson's decoder's, word for word. {@code PlainNativeJsonPropertiesTest} holds the two
 * to the same result over generated records and their mutations.
 *
 * <p>With a {@link KnownLabels}, prometheus-kafka-adapter's own layout, byte for byte, is tried first
 * ({@link #byAdapterLayout}): its fields where the adapter always writes them, its label set and timestamp found among
 * those read before, the datapoint made without the general reading's field-by-field way to it (a fleet's records
 * decoded in about three quarters of the time). Whatever that does not fit, it leaves to the general reading.
 */
final class PlainNativeJson {

    /**
     * Longer strings go to Jackson, whose own limits (names of 50,000 chars, numbers of 1,000 digits) then apply as
     * ever; a label value longer than this is rejected by the validator anyway.
     */
    private static final int MAX_STRING_BYTES = 4_096;
    /** Longer numbers go to Jackson: no millisecond timestamp or sample value needs more digits. */
    private static final int MAX_NUMBER_BYTES = 32;
    /** Integers of up to 18 digits fit a long. */
    private static final int MAX_LONG_DIGITS = 18;
    /** 10^n for the exact conversion of short decimals. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    };
    private static final byte[] NAME = bytes("name");
    private static final byte[] LABELS = bytes("labels");
    private static final byte[] VALUE = bytes("value");
    private static final byte[] TIMESTAMP = bytes("timestamp");
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';
    private static final long CLOSING_BRACES = ONES * '}';
    /** How prometheus-kafka-adapter's label sets begin. */
    private static final byte[] NAME_LABEL_FIRST = bytes("{\"__name__\":\"");
    private static final byte[] NAME_LABEL_QUOTED = bytes("\"__name__\"");
    /** Any other field name: not plain. */
    private static final byte[] OTHER = new byte[0];
    // prometheus-kafka-adapter's layout, between the strings it fills in (byAdapterLayout).
    private static final byte[] ADAPTER_OPENING = bytes("{\"labels\":{\"__name__\":\"");
    private static final byte[] ADAPTER_NAME = bytes(",\"name\":\"");
    private static final byte[] ADAPTER_TIMESTAMP = bytes("\",\"timestamp\":\"");
    private static final byte[] ADAPTER_VALUE = bytes("\",\"value\":\"");

    /** The label sets and names read before, or null to read every one. */
    private final KnownLabels known;
    // What a reader makes for every record and datapoint, made once and reset instead: with a KnownLabels the reader
    // is that task's, and these were about 9 % of the bytes its stream thread allocated in a catch-up.
    private final DecodedRecord.Builder out = new DecodedRecord.Builder();
    private final DatapointDraft draft = new DatapointDraft();
    // The record being read.
    private byte[] in;
    private DatapointValidator validator;
    private long nowMs;
    private int pos;

    // The datapoint's labels object, not read yet, in[labelsFrom, labelsTo) (labelsFrom -1 for none): with a
    // KnownLabels it is looked up there, and read only if it is not found, once the whole datapoint has been read.
    private int labelsFrom;
    private int labelsTo;
    /**
     * Where the put-off labels object's opening {@code "__name__"} label's value ends ({@link #nameLabelEnd}), or -1;
     * and the part of it after that label (or all of it), {@code in[labelsKeyFrom, labelsTo)}, with its
     * {@link KnownLabels#hash}, taken while its end was looked for.
     */
    private int labelsNameEnd;
    private int labelsKeyFrom;
    private int labelsKeyHash;
    /** The {@link KnownLabels#hash} of that {@code "__name__"} label's value, when there is one. */
    private int labelsNameHash;

    // The last plain string's text as KnownLabels#hash takes it, gathered by string() as it went: the hash of its
    // whole words, and the bytes after them.
    private long stringWords;
    private long stringTail;
    /** The datapoint's fields read so far, as bits ({@link #fieldBit}). */
    private int fieldsSeen;
    /** Whether the datapoint's name field was its put-off {@code __name__} label's bytes again. */
    private boolean nameAgain;

    // What the last number read was: its value as a long (an integer of up to 18 digits) or as a double.
    private boolean numberIsLong;
    private long longNumber;
    private double doubleNumber;

    /** @param known null to read every label set */
    PlainNativeJson(final KnownLabels known) {
        this.known = known;
    }

    /** The record, or null when it is not plain native JSON (then nothing about it has been decided). */
    static DecodedRecord decode(final byte[] value, final DatapointValidator validator, final long nowMs) {
        return decode(value, validator, nowMs, null);
    }

    /**
     * As {@link #decode(byte[], DatapointValidator, long)}, finding the label sets and metric names read before in
     * {@code known} (and keeping the new ones there), to the same result.
     *
     * @param known null to read every label set
     */
    static DecodedRecord decode(final byte[] value, final DatapointValidator validator, final long nowMs,
                                final KnownLabels known) {
        return (known == null ? new PlainNativeJson(null) : known.reader()).read(value, validator, nowMs);
    }

    /**
     * The record {@code value}, or null when it is not plain native JSON. Not reentrant: one reader reads one record
     * at a time, and keeps nothing of it for the next but what {@link #known} keeps.
     */
    DecodedRecord read(final byte[] value, final DatapointValidator validator, final long nowMs) {
        begin(value, validator, nowMs);
        try {
            if (known != null && byAdapterLayout()) {
                return out.build();
            }
            return read() ? out.build() : null;
        } finally {
            this.in = null;
        }
    }

    /**
     * The record as {@link #byAdapterLayout} alone reads it, or null when it leaves the record to the general reading;
     * for tests, which hold the two to the same result.
     */
    DecodedRecord readByAdapterLayout(final byte[] value, final DatapointValidator validator, final long nowMs) {
        begin(value, validator, nowMs);
        try {
            return known != null && byAdapterLayout() ? out.build() : null;
        } finally {
            this.in = null;
        }
    }

    private void begin(final byte[] value, final DatapointValidator validator, final long nowMs) {
        this.in = value;
        this.validator = validator;
        this.nowMs = nowMs;
        // Reset here, not after: a record this reader gave up on (or threw on) left its state behind.
        out.reset();
    }

    /**
     * Whether the record is prometheus-kafka-adapter's layout exactly,
     * {@code {"labels":{"__name__":"N",...},"name":"N","timestamp":"T","value":"V"}} without whitespace, its label
     * set and timestamp read before and its datapoint accepted: then {@link #out} holds it. The general reading would
     * find the same fields one by one, to the same datapoint; anything else (another layout, a label set or a timestamp
     * not read before, a datapoint the validator would reject) is left to it, with nothing decided here: {@link #out}
     * is only written on success.
     */
    private boolean byAdapterLayout() {
        if (!startsWith(0, ADAPTER_OPENING)) {
            return false;
        }
        final int nameFrom = ADAPTER_OPENING.length;
        pos = nameFrom - 1;
        final int nameEnd = string();
        final int nameLength = nameEnd - nameFrom;
        // An empty name label names nothing: the general reading keeps such a label set whole.
        if (nameLength <= 0 || nameEnd + 1 >= in.length || in[nameEnd + 1] != ',') {
            return false;
        }
        final int nameHash = KnownLabels.finish(stringWords, stringTail, nameLength);
        final int keyFrom = nameEnd + 2;
        final int labelsEnd = objectEnd(keyFrom);
        if (labelsEnd < 0) {
            return false;
        }
        final KnownLabels.LabelSet labels = known.labelSet(in, keyFrom, labelsEnd, labelsKeyHash);
        if (labels == null || !validator.accepted(labels)) {
            return false;
        }
        int at = labelsEnd;
        if (!startsWith(at, ADAPTER_NAME)) {
            return false;
        }
        at += ADAPTER_NAME.length;
        if (at + nameLength > in.length || !ByteWords.same(in, at, in, nameFrom, nameLength)) {
            return false;
        }
        at += nameLength;
        if (!startsWith(at, ADAPTER_TIMESTAMP)) {
            return false;
        }
        final int timestampEnd = known.lastTimestampEnd(in, at + ADAPTER_TIMESTAMP.length);
        if (timestampEnd < 0 || !startsWith(timestampEnd, ADAPTER_VALUE)) {
            return false;
        }
        final int valueFrom = timestampEnd + ADAPTER_VALUE.length;
        pos = valueFrom;
        if (!number() || pos + 2 != in.length || in[pos] != '"' || in[pos + 1] != '}') {
            return false;
        }
        final String name = known.metricName(in, nameFrom, nameEnd, nameHash, nowMs);
        if (name == null) {
            return false;
        }
        return validator.acceptKnown(labels, name, numericStringValue(valueFrom), known.lastTimestampMs(), nowMs,
                out);
    }

    /** Whether {@code in} holds {@code part} at {@code at}. */
    private boolean startsWith(final int at, final byte[] part) {
        return at + part.length <= in.length && ByteWords.same(in, at, part, 0, part.length);
    }

    /** Whether the whole record was read; {@link #out} then holds its outcome. */
    private boolean read() {
        pos = RecordFormat.firstSignificantByte(in);
        if (pos < 0) {
            return false;
        }
        if (in[pos] == '[') {
            pos++;
            int index = 0;
            do {
                skipWhitespace();
                if (!datapoint(index++)) {
                    return false;
                }
                skipWhitespace();
            } while (skip(','));
            if (!skip(']')) {
                return false;
            }
        } else if (!datapoint(-1)) {
            return false;
        }
        skipWhitespace();
        return pos == in.length;
    }

    /** One object at {@link #pos}, to its closing brace; {@code index} as {@link DatapointValidator#validate} takes. */
    private boolean datapoint(final int index) {
        if (!skip('{')) {
            return false;
        }
        draft.reset();
        labelsFrom = -1;
        labelsNameEnd = -1;
        fieldsSeen = 0;
        nameAgain = false;
        skipWhitespace();
        if (!skip('}')) {
            do {
                skipWhitespace();
                final byte[] fieldName = fieldName();
                skipWhitespace();
                if (fieldName == null || !skip(':')) {
                    return false;
                }
                skipWhitespace();
                if (!field(fieldName, draft)) {
                    return false;
                }
                skipWhitespace();
            } while (skip(','));
            if (!skip('}')) {
                return false;
            }
        }
        if (labelsFrom >= 0 && !knownOrRead(draft)) {
            return false;
        }
        validator.validate(draft, index, nowMs, out);
        return true;
    }

    /**
     * The field name at {@link #pos}: {@link #NAME}, {@link #LABELS}, {@link #VALUE} or {@link #TIMESTAMP}, matched
     * without scanning for the string's end first, {@link #OTHER} for another string, or null when there is no plain
     * string here.
     */
    private byte[] fieldName() {
        if (pos + 1 < in.length && in[pos] == '"') {
            final byte[] expected = switch (in[pos + 1]) {
                case 'n' -> NAME;
                case 'l' -> LABELS;
                case 'v' -> VALUE;
                case 't' -> TIMESTAMP;
                default -> null;
            };
            final int end = expected == null ? -1 : pos + 1 + expected.length;
            if (expected != null && end < in.length && in[end] == '"' && is(expected, pos + 1, end)) {
                pos = end + 1;
                return expected;
            }
        }
        return string() < 0 ? null : OTHER;
    }

    /** The value of the field {@code fieldName}, into the draft as {@link NativeJsonDecoder} puts it. */
    private boolean field(final byte[] fieldName, final DatapointDraft draft) {
        final int bit = fieldBit(fieldName);
        if (bit == 0 || (fieldsSeen & bit) != 0) {
            return false; // another field, or one given twice: the general reading's to read, or to reject
        }
        fieldsSeen |= bit;
        if (fieldName == NAME) {
            final int start = pos + 1;
            final int end;
            final int hash;
            if (isNameLabelAgain(start)) {
                // The adapter writes the name twice, in the labels first: the same bytes, already scanned and hashed.
                end = start + (labelsNameEnd - labelsFrom - NAME_LABEL_FIRST.length);
                hash = labelsNameHash;
                pos = end + 1;
                nameAgain = true;
            } else {
                end = string();
                if (end < 0) {
                    return false;
                }
                hash = KnownLabels.finish(stringWords, stringTail, end - start);
            }
            final String checked = known == null ? null : known.metricName(in, start, end, hash, nowMs);
            draft.name = checked != null ? checked : new String(in, start, end - start, StandardCharsets.ISO_8859_1);
            draft.nameChecked = checked != null;
            draft.nameProblem = null;
            return true;
        }
        if (fieldName == LABELS) {
            return labelsField(draft);
        }
        if (fieldName == VALUE) {
            return value(draft);
        }
        if (fieldName == TIMESTAMP) {
            return timestamp(draft);
        }
        return false;
    }

    private static int fieldBit(final byte[] fieldName) {
        return fieldName == NAME ? 1 : fieldName == LABELS ? 2 : fieldName == VALUE ? 4
                : fieldName == TIMESTAMP ? 8 : 0;
    }

    /**
     * Whether the string at {@link #pos}, its text from {@code start}, is the put-off labels object's {@code __name__}
     * value again, byte for byte: then it is a plain string too, which ends where that one's length says.
     */
    private boolean isNameLabelAgain(final int start) {
        if (labelsFrom < 0 || labelsNameEnd < 0 || pos >= in.length || in[pos] != '"') {
            return false;
        }
        final int nameFrom = labelsFrom + NAME_LABEL_FIRST.length;
        final int end = start + labelsNameEnd - nameFrom;
        return end < in.length && in[end] == '"' && Arrays.equals(in, start, end, in, nameFrom, labelsNameEnd);
    }

    /** A labels field's value: put off to the end of the datapoint when it may be known, else read now. */
    private boolean labelsField(final DatapointDraft draft) {
        if (known != null) {
            if (pos < in.length && in[pos] == '{') {
                final int nameEnd = nameLabelEnd(pos);
                // Its value was the last string scanned, which left its hash's parts behind.
                final int nameHash = nameEnd < 0 ? 0
                        : KnownLabels.finish(stringWords, stringTail, nameEnd - pos - NAME_LABEL_FIRST.length);
                final int keyFrom = nameEnd >= 0 ? nameEnd + 2 : pos;
                final int end = objectEnd(keyFrom);
                if (end >= 0) {
                    labelsFrom = pos;
                    labelsTo = end;
                    labelsNameEnd = nameEnd;
                    labelsNameHash = nameHash;
                    labelsKeyFrom = keyFrom;
                    pos = end;
                    return true;
                }
            }
        }
        return labels(draft);
    }

    /**
     * The put-off labels object: found in {@link #known} (and then not read), or read into the draft and kept there
     * if the validator accepts it. prometheus-kafka-adapter writes the metric name into every label set, first (Go
     * sorts the keys): such a label set is looked up and kept without it, so that a target's labels are one label
     * set for all its metrics, as where the name stands apart, not one per series.
     */
    private boolean knownOrRead(final DatapointDraft draft) {
        final int nameEnd = labelsNameEnd;
        // The name label names only a datapoint without a name of its own (the adapter always writes one).
        final boolean ownName = draft.name != null && !draft.name.isEmpty();
        if (ownName && nameEnd >= 0 && !nameAgain
                && !nameIsLabel(draft.name, labelsFrom + NAME_LABEL_FIRST.length, nameEnd)) {
            return false; // two names, which the general reading rejects: the label set is kept without this one
        }
        final String nameLabel = nameEnd < 0 || ownName ? null
                : known.metricName(in, labelsFrom + NAME_LABEL_FIRST.length, nameEnd, nowMs);
        final boolean nameApart = nameEnd >= 0 && (ownName || nameLabel != null);
        final int keyFrom = nameApart ? nameEnd + 2 : labelsFrom;
        final KnownLabels.LabelSet found = known.labelSet(in, keyFrom, labelsTo,
                keyFrom == labelsKeyFrom ? labelsKeyHash : KnownLabels.hash(in, keyFrom, labelsTo));
        if (found != null && validator.accepted(found)) {
            // The same bytes were read before, to this: reading them again would give the same labels.
            draft.knownLabels = found;
            draft.nameLabel = nameLabel;
            labelsFrom = -1;
            return true;
        }
        final int to = labelsTo;
        if (!readLaterLabels(draft)) {
            return false;
        }
        if (nameApart && contains(keyFrom, to, NAME_LABEL_QUOTED)) {
            // A second __name__ (or a value that reads like one) would be the name: these are read every time.
            return true;
        }
        final KnownLabels.LabelSet read = validator.knownLabels(draft.labels(), nameApart);
        if (read != null) {
            known.add(in, keyFrom, to, read, nowMs);
            draft.knownLabels = read;
            draft.nameLabel = nameLabel;
        }
        return true;
    }

    /** Whether {@code name} is the text of {@code in[from, to)}, a plain string, or that is empty (no name). */
    private boolean nameIsLabel(final String name, final int from, final int to) {
        if (from == to) {
            return true;
        }
        if (name.length() != to - from) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) != in[from + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the value of a plain {@code "__name__"} label that opens the labels object at {@code from} and is
     * followed by another label ends (its closing quote), or -1.
     */
    private int nameLabelEnd(final int from) {
        final int valueFrom = from + NAME_LABEL_FIRST.length;
        if (valueFrom > in.length || !Arrays.equals(in, from, valueFrom, NAME_LABEL_FIRST, 0,
                NAME_LABEL_FIRST.length)) {
            return -1;
        }
        final int resume = pos;
        pos = valueFrom - 1; // the value's opening quote
        final int end = string();
        pos = resume;
        return end >= 0 && end + 1 < in.length && in[end + 1] == ',' ? end : -1;
    }

    private boolean contains(final int from, final int to, final byte[] part) {
        for (int i = from; i + part.length <= to; i++) {
            if (Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the put-off labels object into the draft; false when it is not plain. */
    private boolean readLaterLabels(final DatapointDraft draft) {
        final int resume = pos;
        pos = labelsFrom;
        final boolean read = labels(draft) && pos == labelsTo;
        pos = resume;
        labelsFrom = -1;
        return read;
    }

    /**
     * Where the object whose bytes go on at {@code from} (outside a string) ends, after its closing brace, skipping
     * strings whole, or -1 when it has no end; with {@link #labelsKeyHash} the {@link KnownLabels#hash} of
     * {@code in[from, end)}. Not a check: the object is read, and so checked, unless exactly these bytes were read
     * before. (A string with an escaped quote may end it in the wrong place; then it holds a backslash, which no plain
     * labels object does, so it is read, and left to Jackson.)
     *
     * <p>Eight bytes at a step, without a branch per byte: a label set is most of a record, and its strings' lengths
     * are what a branch on each quote would mispredict. Whether a byte is inside a string is the parity of the
     * quotes up to it, a prefix XOR of the word's quote bits carried from word to word.
     */
    private int objectEnd(final int from) {
        long h = 0;
        long inString = 0; // HIGH_BITS while a string runs on from one word to the next
        int i = from;
        for (; i + Long.BYTES <= in.length; i += Long.BYTES) {
            final long word = word(in, i);
            long quotes = zeroBytes(word ^ QUOTES);
            quotes ^= quotes << 8;
            quotes ^= quotes << 16;
            quotes ^= quotes << 32;
            quotes ^= inString; // now the high bit of each byte inside a string (or its opening quote)
            final long ends = zeroBytes(word ^ CLOSING_BRACES) & ~quotes;
            if (ends != 0) {
                final int bytes = (Long.numberOfTrailingZeros(ends) >>> 3) + 1;
                final boolean whole = bytes == Long.BYTES;
                labelsKeyHash = KnownLabels.finish(whole ? KnownLabels.mixWord(h, word) : h,
                        whole ? 0 : firstBytes(word, bytes), i + bytes - from);
                return i + bytes;
            }
            h = KnownLabels.mixWord(h, word);
            inString = (quotes >> 63) & HIGH_BITS;
        }
        boolean inside = inString != 0;
        long last = 0;
        for (int k = i; k < in.length; k++) {
            final byte b = in[k];
            last |= (b & 0xFFL) << (Byte.SIZE * (k - i));
            if (b == '"') {
                inside = !inside;
            } else if (b == '}' && !inside) {
                labelsKeyHash = KnownLabels.finish(h, last, k + 1 - from);
                return k + 1;
            }
        }
        return -1;
    }

    private boolean labels(final DatapointDraft draft) {
        if (!skip('{')) {
            return false;
        }
        skipWhitespace();
        if (skip('}')) {
            return true;
        }
        do {
            skipWhitespace();
            final String name = text();
            skipWhitespace();
            if (name == null || !skip(':')) {
                return false;
            }
            skipWhitespace();
            final String value = text();
            if (value == null) {
                return false;
            }
            if (!draft.labels().put(name, value)) {
                return false; // a name given twice, which the general reading rejects
            }
            skipWhitespace();
        } while (skip(','));
        return skip('}');
    }

    private boolean value(final DatapointDraft draft) {
        if (pos < in.length && in[pos] == '"') {
            final int start = pos + 1;
            // A string that is all one JSON number (the adapter writes every value so) is read where it lies, as
            // Double.parseDouble reads it: "-0" is -0.0, where Jackson makes the JSON integer -0 a 0.
            pos = start;
            if (number() && pos < in.length && in[pos] == '"') {
                pos++;
                draft.value(numericStringValue(start));
                return true;
            }
            pos = start - 1;
            final int end = string();
            if (end < 0) {
                return false;
            }
            final String text = new String(in, start, end - start, StandardCharsets.ISO_8859_1);
            if (!NumericText.isNumber(text)) {
                return false;
            }
            final double sample = NumericText.parse(text);
            if (NumericText.beyondDouble(text, sample)) {
                return false; // Jackson's reading rejects it, in its words
            }
            draft.value(sample);
            return true;
        }
        if (!number()) {
            return false;
        }
        draft.value(numberIsLong ? (double) longNumber : doubleNumber);
        return true;
    }

    private boolean timestamp(final DatapointDraft draft) {
        if (pos < in.length && in[pos] == '"') {
            final int start = pos + 1;
            final int again = known == null ? -1 : known.lastTimestampEnd(in, start);
            if (again >= 0) {
                // The last timestamp read, byte for byte (a scrape's datapoints share their second): read as then.
                pos = again + 1;
                draft.timestamp(known.lastTimestampMs());
                return true;
            }
            final int end = string();
            final long ms = end < 0 ? Rfc3339Timestamps.INVALID
                    : Rfc3339Timestamps.parseMillis(new AsciiText(in, start, end));
            if (ms == Rfc3339Timestamps.INVALID) {
                return false;
            }
            if (known != null) {
                known.rememberTimestamp(in, start, end, ms);
            }
            draft.timestamp(ms);
            return true;
        }
        if (!number()) {
            return false;
        }
        if (numberIsLong) {
            draft.timestamp(longNumber);
            return true;
        }
        // As NativeJsonDecoder: a fraction of a millisecond is dropped; out of range is its to reject.
        if (!(Math.abs(doubleNumber) < 9.2e18)) {
            return false;
        }
        draft.timestamp((long) doubleNumber);
        return true;
    }

    /** The number just read from a string whose text starts at {@code from}, as Double.parseDouble reads it. */
    private double numericStringValue(final int from) {
        return numberIsLong ? (longNumber == 0 && in[from] == '-' ? -0.0 : longNumber) : doubleNumber;
    }

    /**
     * A JSON number at {@link #pos}, into {@link #numberIsLong} and {@link #longNumber} or {@link #doubleNumber},
     * converted as Jackson converts it: an integer as a long (so {@code -0} is 0, as Jackson reads it), anything else
     * as {@link Double#parseDouble} would.
     */
    private boolean number() {
        final int start = pos;
        final boolean negative = skip('-');
        long mantissa = 0;
        int digits = 0;
        if (skip('0')) {
            digits = 1;
        } else {
            while (pos < in.length && isDigit(in[pos])) {
                mantissa = mantissa * 10 + (in[pos++] - '0');
                if (++digits > MAX_LONG_DIGITS) {
                    return false;
                }
            }
        }
        if (digits == 0 || pos < in.length && isDigit(in[pos])) {
            return false; // no digits, or a leading zero
        }
        int fractionDigits = 0;
        if (skip('.')) {
            while (pos < in.length && isDigit(in[pos])) {
                if (digits + fractionDigits < MAX_LONG_DIGITS) { // beyond, it is unused (and would overflow)
                    mantissa = mantissa * 10 + (in[pos] - '0');
                }
                pos++;
                fractionDigits++;
            }
            if (fractionDigits == 0) {
                return false;
            }
        }
        boolean exponent = false;
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            exponent = true;
            pos++;
            if (!skip('+')) {
                skip('-');
            }
            int exponentDigits = 0;
            while (pos < in.length && isDigit(in[pos])) {
                pos++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        if (pos - start > MAX_NUMBER_BYTES) {
            return false;
        }
        numberIsLong = fractionDigits == 0 && !exponent;
        if (numberIsLong) {
            longNumber = negative ? -mantissa : mantissa;
        } else if (!exponent && digits + fractionDigits <= 15) {
            // Both exact in a double (< 2^53 and 10^22 at most), so one division rounds correctly, as
            // Double.parseDouble does (Clinger's fast path).
            final double magnitude = mantissa / POWERS_OF_TEN[fractionDigits];
            doubleNumber = negative ? -magnitude : magnitude;
        } else {
            doubleNumber = Double.parseDouble(new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
            if (Double.isInfinite(doubleNumber)) {
                return false; // beyond a double: not a value or a timestamp, which the general reading says
            }
        }
        return true;
    }

    /** A string at {@link #pos} as text, or null when there is none or it is not plain. */
    private String text() {
        final int start = pos + 1;
        final int end = string();
        return end < 0 ? null : new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Skips a plain string at {@link #pos}: printable ASCII between quotes, no escape. Returns the index of its closing
     * quote, or -1 when there is no such string here. Hashes its text on the way, into {@link #stringWords} and
     * {@link #stringTail}: a metric name is looked up by that hash, and most strings are a word or two.
     */
    private int string() {
        if (!skip('"')) {
            return -1;
        }
        final int limit = Math.min(in.length, pos + MAX_STRING_BYTES);
        int i = pos;
        long words = 0;
        long tail = 0;
        // Eight bytes at a step up to the first that is not plain text (a quote, a backslash, a control character or
        // a byte beyond ASCII): what comes before it is text, and most strings are longer than a word.
        for (; i + Long.BYTES <= limit; i += Long.BYTES) {
            final long word = word(in, i);
            final long special = special(word);
            if (special != 0) {
                final int text = Long.numberOfTrailingZeros(special) >>> 3;
                tail = firstBytes(word, text);
                i += text;
                break;
            }
            words = KnownLabels.mixWord(words, word);
        }
        final int tailFrom = i;
        for (; i < limit; i++) {
            final byte b = in[i];
            if (b == '"') {
                pos = i + 1;
                stringWords = words;
                stringTail = tail;
                return i;
            }
            if (b < 0x20 || b == '\\') { // bytes beyond ASCII are negative
                return -1;
            }
            tail |= (b & 0xFFL) << (Byte.SIZE * (i - tailFrom));
        }
        return -1;
    }

    /**
     * The bytes of {@code word} (little-endian) that end a plain string's text, each as its high bit: exact for the
     * lowest one, which is all a caller takes (above a byte that matches, a borrow may mark others).
     */
    private static long special(final long word) {
        return zeroByte(word ^ QUOTES) | zeroByte(word ^ BACKSLASHES) | (word - ONES * 0x20) & ~word & HIGH_BITS
                | word & HIGH_BITS;
    }

    private boolean is(final byte[] name, final int from, final int to) {
        if (to - from != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (in[from + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean skip(final char c) {
        if (pos < in.length && in[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (pos < in.length) {
            final byte b = in[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    private static boolean isDigit(final byte b) {
        return b >= '0' && b <= '9';
    }

    private static byte[] bytes(final String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
