package io.vigil.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * InfluxDB line protocol, as Telegraf's Kafka output writes it by default (formats.md, input 2):
 * {@code measurement[,tag=value...] field=value[,field=value...] [timestamp]}, one point per line.
 *
 * <p>Each numeric field becomes the series {@code MEASUREMENT_FIELD} with the tags as labels ({@code host} is also
 * copied to {@code instance} when there is no {@code instance}). Characters a Prometheus name cannot hold become
 * {@code _}, as Telegraf's Prometheus serializer does. String and boolean fields are not numbers: they are skipped and
 * counted, not rejected. A line without a timestamp takes the Kafka record's (a line of a replayed file, which has
 * none, is {@code missing_timestamp}, which {@code vigil replay} counts apart from what {@code run} would
 * dead-letter). A bad line is rejected alone and whole, with its number: nothing of it is used, not even its good
 * fields; the other lines of the record still count.
 * A tag or a field given twice makes a bad line, and so do two keys that make one name ({@code a-b}, {@code a_b}).
 * Comment lines ({@code #} first, as InfluxDB has them) and blank lines are skipped. A record of nothing else but at
 * least one comment holds nothing to do: it decodes to no datapoint and no rejection, and is not dead-lettered (a
 * capture's header is not bad input); a record of blank lines only is {@link DeadLetterReason#EMPTY}. A record that is
 * not UTF-8 is {@link DeadLetterReason#UNPARSEABLE} whole, as JSON that is not ({@link Utf8Bytes}).
 *
 * <p>Numbers are read as InfluxDB reads them, no more leniently: a float is an optional {@code -}, digits with an
 * optional fraction, and an optional exponent ({@code -1.5e3}); an integer {@code -12i}, an unsigned one {@code 12u}.
 * InfluxDB refuses NaN and infinities, so they are refused here in every spelling ({@code NaN}, {@code +Inf},
 * {@code -Infinity}), as is a float too large for a double ({@code 1e400}), a {@code +} sign, hex and Java's
 * {@code d}/{@code f} suffixes. A timestamp is an optional {@code -} and ASCII digits, nothing else.
 */
final class LineProtocolDecoder {

    /**
     * A line that cannot be read; its message says why, {@link #index} where. Every one has an index: each problem
     * is at some token of the line, and one named without its column left the reader to find it.
     */
    private static final class LineSyntaxException extends Exception {
        /** Where in the line, its leading whitespace stripped, in chars. */
        final int index;
        /** What says the column in the detail: " at column ", or " starting at column " of a string. */
        final String columnWords;

        LineSyntaxException(final String message, final int index) {
            this(message, index, " at column ");
        }

        LineSyntaxException(final String message, final int index, final String columnWords) {
            super(message, null, false, false);
            this.index = index;
            this.columnWords = columnWords;
        }
    }

    /**
     * One field of a line: the metric name its key makes after the measurement's, and its number, or null for a
     * string or boolean field.
     */
    private record Field(String name, Double number) {
    }

    private final DatapointValidator validator;
    private final TimestampPrecision precision;

    LineProtocolDecoder(final DatapointValidator validator, final TimestampPrecision precision) {
        this.validator = validator;
        this.precision = precision;
    }

    DecodedRecord decode(final byte[] value, final long nowMs) {
        // Checked first: decoding would replace a bad byte with U+FFFD, merging different tag values.
        final DecodedRecord malformed = Utf8Bytes.rejection(value);
        if (malformed != null) {
            return malformed;
        }
        final DecodedRecord.Builder out = new DecodedRecord.Builder();
        final String text = new String(value, StandardCharsets.UTF_8);
        int lineNumber = 0;
        int start = 0;
        boolean comments = false;
        while (start <= text.length()) {
            // A byte order mark is not the measurement's: kept, the name's first character, it made m into _m. Any
            // line's, as a record may be files joined, each with its own.
            if (start < text.length() && text.charAt(start) == '\uFEFF') {
                start++;
            }
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNumber++;
            String line = text.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            start = end + 1;
            final String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.charAt(0) == '#') {
                comments = true;
                continue;
            }
            final String stripped = line.stripLeading();
            try {
                decodeLine(stripped, lineNumber, nowMs, out);
            } catch (LineSyntaxException e) {
                out.reject(invalidLine(e, line, line.length() - stripped.length(), lineNumber));
            }
        }
        if (out.isEmpty() && !comments) {
            out.reject(new Rejection(DeadLetterReason.EMPTY, "the record holds only blank lines"));
        }
        return out.build();
    }

    /**
     * The rejection of line {@code lineNumber}, {@code line} as written, for {@code e}: its column counted in characters
     * of that line, from 1 and with its {@code leading} whitespace chars, which the cursor did not see.
     */
    private static Rejection invalidLine(final LineSyntaxException e, final String line, final int leading,
                                         final int lineNumber) {
        final String hint = ExpositionLine.looksLike(line.strip()) ? ExpositionLine.HINT : "";
        final int column = line.codePointCount(0, leading + e.index) + 1;
        return new Rejection(DeadLetterReason.INVALID_LINE,
                "line " + lineNumber + ": " + e.getMessage() + e.columnWords + column + hint, e.getMessage() + hint,
                new RecordPosition(lineNumber, column));
    }

    /** @param line the line, its leading whitespace stripped */
    private void decodeLine(final String line, final int lineNumber, final long nowMs,
                            final DecodedRecord.Builder out) throws LineSyntaxException {
        final Cursor c = new Cursor(line);
        final String measurement = c.readUntil(",  ".toCharArray());
        if (measurement.isEmpty()) {
            // Named where it should have been: the line starts with a tag's ','.
            throw new LineSyntaxException("missing measurement", 0);
        }
        final Map<String, String> tags = new LinkedHashMap<>();
        while (c.peek() == ',') {
            c.next();
            final int keyFrom = c.index();
            // An unescaped space or comma ends a tag key too: "my tag=x" is not a key with a space but a broken line.
            final String key = c.readUntil("=, ".toCharArray());
            c.expect('=');
            final int valueFrom = c.index();
            final String value = c.readUntil(", ".toCharArray());
            if (key.isEmpty() || value.isEmpty()) {
                // Named where the missing text should be (the '=' of ",=x", the ',' or ' ' after "a="), so that
                // the column alone says which of the two is missing; past the tag it pointed at the next one.
                throw new LineSyntaxException("empty tag key or value", key.isEmpty() ? keyFrom : valueFrom);
            }
            final String previous = tags.put(labelName(key), value);
            if (previous != null) {
                // InfluxDB refuses a tag given twice; two keys that make one label name ("a-b", "a_b") lose one too.
                // Named at the second key, the one to remove or rename.
                throw new LineSyntaxException("tag key " + Rejection.quote(key) + " is label "
                        + Rejection.quote(labelName(key)) + " again", keyFrom);
            }
        }
        if (c.peek() != ' ') {
            throw new LineSyntaxException("expected a space before the fields", c.index());
        }
        c.skipSpaces();
        final List<Field> fields = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        do {
            if (!fields.isEmpty()) {
                c.next();
            }
            final int keyFrom = c.index();
            final String key = c.readUntil("=, ".toCharArray());
            c.expect('=');
            if (key.isEmpty()) {
                // At its '=', where the key should be, as an empty tag key is: past it the column named the value.
                throw new LineSyntaxException("empty field key", keyFrom);
            }
            // Read to a number now, before anything of the line is used: a bad field rejects the line whole.
            final int valueFrom = c.index();
            final Field field = new Field(metricName(key), number(c.readFieldValue(), valueFrom));
            if (!names.add(field.name())) {
                // Two values of one series at one instant. InfluxDB and Telegraf keep the last (InfluxDB IOx refuses
                // two of different types), but which one the producer meant is not for Vigil to guess, as with a tag
                // given twice; keys that make one name ("a-b", "a_b") would be two values of one series too. Named
                // at the second key, as a tag given twice is.
                throw new LineSyntaxException("field key " + Rejection.quote(key) + " is metric "
                        + Rejection.quote(metricName(measurement) + "_" + field.name()) + " again", keyFrom);
            }
            fields.add(field);
        } while (c.peek() == ',');
        long timestampMs = 0;
        boolean stamped = false;
        if (c.peek() == ' ') {
            c.skipSpaces();
            final String rest = c.rest();
            final String ts = rest.strip();
            if (!ts.isEmpty()) {
                // strip() also took whitespace other than spaces (a tab), which skipSpaces left before it.
                final int tsFrom = c.index() + rest.length() - rest.stripLeading().length();
                // An optional '-' and ASCII digits, as InfluxDB reads a timestamp: Long.parseLong alone also takes
                // a '+' sign and the digits of other scripts.
                if (!isDecimal(ts, true, false)) {
                    throw new LineSyntaxException("timestamp " + Rejection.singleQuoted(ts) + (ts.charAt(0) == '+'
                            ? " has a '+' sign, which line protocol does not take" : " is not an integer"), tsFrom);
                }
                try {
                    timestampMs = precision.toMillis(Long.parseLong(ts));
                    stamped = true;
                } catch (NumberFormatException | ArithmeticException e) {
                    // A whole number that does not fit a long, or overflows milliseconds once converted, is an
                    // integer: "not an integer" sent its reader to look for a stray character. The unit says
                    // what it was read as, the usual cause being nanoseconds on a topic set to seconds.
                    throw new LineSyntaxException("timestamp " + Rejection.singleQuoted(ts)
                            + " is out of range for epoch " + precision.name().toLowerCase(Locale.ROOT), tsFrom);
                }
            }
        } else if (!c.atEnd()) {
            throw new LineSyntaxException("unexpected '" + c.peek() + "'", c.index());
        }
        if (!stamped) {
            // formats.md: a datapoint without a timestamp is dead-lettered. Not the Kafka record's time, as InfluxDB
            // would give it its arrival's: a replay of the same lines would have none, and the alerts would differ.
            out.reject(new Rejection(DeadLetterReason.MISSING_TIMESTAMP, "no timestamp").onLine(lineNumber));
            return;
        }
        if (!tags.containsKey("instance") && tags.containsKey("host")) {
            tags.put("instance", tags.get("host"));
        }
        // Every field shares the tags and the timestamp: over the limits or out of bounds, they are one rejection of
        // the line, not one per field in the same words, as a Telegraf JSON metric's are.
        final DatapointDraft shared = new DatapointDraft();
        shared.labels().putAll(tags);
        shared.timestamp(timestampMs);
        final Rejection sharedProblem = validator.sharedProblem(shared, nowMs);
        if (sharedProblem != null) {
            out.reject(sharedProblem.onLine(lineNumber));
            return;
        }
        final String prefix = metricName(measurement) + "_";
        for (Field field : fields) {
            if (field.number() == null) {
                out.skipField();
                continue;
            }
            final DatapointDraft draft = new DatapointDraft();
            draft.name = prefix + field.name();
            draft.labels().putAll(tags);
            draft.value(field.number());
            draft.timestamp(timestampMs);
            validator.validateLine(draft, lineNumber, nowMs, out);
        }
    }

    /**
     * The field's number, or null for a string or boolean field.
     *
     * @param from where {@code raw} starts in the line, for the column of an error
     */
    private static Double number(final String raw, final int from) throws LineSyntaxException {
        if (raw.startsWith("\"")) {
            return null;
        }
        switch (raw) {
            case "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE" -> {
                return null;
            }
            default -> {
            }
        }
        final char last = raw.isEmpty() ? ' ' : raw.charAt(raw.length() - 1);
        try {
            if (last == 'i' || last == 'u') {
                final String digits = raw.substring(0, raw.length() - 1);
                if (last == 'u' && digits.startsWith("-")) {
                    throw new LineSyntaxException("unsigned field value " + Rejection.singleQuoted(raw)
                            + " is negative", from);
                }
                // Long's parsers would also take a '+' sign, which InfluxDB does not.
                if (!isDecimal(digits, last == 'i', false)) {
                    throw new NumberFormatException();
                }
                if (last == 'i') {
                    return (double) Long.parseLong(digits);
                }
                final long unsigned = Long.parseUnsignedLong(digits);
                // Above Long.MAX_VALUE the bits read as negative: rebuild the value from its halves.
                return unsigned >= 0 ? (double) unsigned : (double) (unsigned >>> 1) * 2.0 + (unsigned & 1);
            }
            if (isDecimal(raw, true, true)) {
                final double value = Double.parseDouble(raw);
                if (Double.isInfinite(value)) {
                    throw new LineSyntaxException("float field value " + Rejection.singleQuoted(raw)
                            + " is out of range", from);
                }
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new LineSyntaxException("field value " + Rejection.singleQuoted(raw)
                + " is not a number, string or boolean", from);
    }

    /**
     * Whether {@code text} is a number as InfluxDB writes it: an optional '-' when {@code signed}, then digits, and
     * when {@code fraction} a '.' with digits (at least one digit in all) and an exponent. Nothing else: no '+' sign,
     * no NaN or Inf, no hex, no suffix, all of which {@link Double#parseDouble} would take.
     */
    private static boolean isDecimal(final String text, final boolean signed, final boolean fraction) {
        final int n = text.length();
        int i = signed && n > 0 && text.charAt(0) == '-' ? 1 : 0;
        int digits = 0;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
            digits++;
        }
        if (fraction && i < n && text.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (fraction && i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            final int exponentFrom = i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == exponentFrom) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }

    /** A Prometheus metric name part: [a-zA-Z0-9_:], others become '_'. */
    static String metricName(final String raw) {
        final StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            final char ch = raw.charAt(i);
            sb.append(ch < 128 && (Character.isLetterOrDigit(ch) || ch == '_' || ch == ':') ? ch : '_');
        }
        return sb.toString();
    }

    /** A Prometheus label name: [a-zA-Z0-9_], not starting with a digit. */
    static String labelName(final String raw) {
        final String name = metricName(raw).replace(':', '_');
        return !name.isEmpty() && Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }

    /** Reads a line left to right, undoing the protocol's backslash escapes. */
    private static final class Cursor {
        private final String line;
        private int pos;

        Cursor(final String line) {
            this.line = line;
        }

        char peek() {
            return pos < line.length() ? line.charAt(pos) : '\0';
        }

        void next() {
            pos++;
        }

        boolean atEnd() {
            return pos >= line.length();
        }

        /** Where the cursor is, in chars from the line's start. */
        int index() {
            return pos;
        }

        String rest() {
            return line.substring(pos);
        }

        void skipSpaces() {
            while (peek() == ' ') {
                pos++;
            }
        }

        void expect(final char ch) throws LineSyntaxException {
            if (peek() != ch) {
                throw new LineSyntaxException("expected '" + ch + "'", pos);
            }
            pos++;
        }

        /** Reads up to an unescaped stop character; a backslash before any character keeps that character. */
        String readUntil(final char[] stops) {
            final StringBuilder sb = new StringBuilder();
            while (pos < line.length()) {
                final char ch = line.charAt(pos);
                if (ch == '\\' && pos + 1 < line.length()) {
                    final char escaped = line.charAt(pos + 1);
                    if (escaped == ',' || escaped == ' ' || escaped == '=' || escaped == '\\' || escaped == '"') {
                        sb.append(escaped);
                        pos += 2;
                        continue;
                    }
                }
                for (char stop : stops) {
                    if (ch == stop) {
                        return sb.toString();
                    }
                }
                sb.append(ch);
                pos++;
            }
            return sb.toString();
        }

        /** A field value as written: a quoted string (kept with its quotes), or a bare token. */
        String readFieldValue() throws LineSyntaxException {
            if (peek() == '"') {
                final int from = pos;
                pos++;
                while (pos < line.length()) {
                    final char ch = line.charAt(pos);
                    if (ch == '\\' && pos + 1 < line.length()) {
                        pos += 2;
                        continue;
                    }
                    pos++;
                    if (ch == '"') {
                        return line.substring(from, pos);
                    }
                }
                throw new LineSyntaxException("unterminated string field", from, " starting at column ");
            }
            final int from = pos;
            while (pos < line.length() && line.charAt(pos) != ',' && line.charAt(pos) != ' ') {
                pos++;
            }
            if (from == pos) {
                throw new LineSyntaxException("missing field value", pos);
            }
            return line.substring(from, pos);
        }
    }

    @Override
    public String toString() {
        return "line protocol (" + precision.unit() + ")";
    }
}
