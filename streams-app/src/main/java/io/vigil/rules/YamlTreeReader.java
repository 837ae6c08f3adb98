package io.vigil.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one YAML document into {@link YamlNode}s that remember their line and column. Jackson's streaming parser is
 * used instead of its tree model because the tree model forgets positions, turns an alias into its anchor's name and
 * lets a duplicate key replace the first silently.
 *
 * <p>Refused here, each as a problem: syntax errors (one problem, reading stops), aliases and anchors (they are what
 * alias bombs are made of, and hand-written files do not need them), tags ({@code !foo}, and YAML's own {@code !!str}
 * too: a tag changes how a value is read, {@code !!int "10"} being a number, and quotes already make text), duplicate
 * keys, nesting deeper than {@link #MAX_DEPTH}, and a second document in the same file. Rule files are read with it,
 * and so are {@code vigil.yaml} ({@link #read(String, String, String)}) and rule unit test files
 * ({@link #read(String, String, FileProblems)}).
 */
public final class YamlTreeReader {

    /** Rule files nest five levels deep; anything far deeper is a mistake or an attack. */
    static final int MAX_DEPTH = 64;

    /**
     * Jackson refuses to convert a number longer than 1,000 chars (a guard against slow BigInteger parsing), but
     * SnakeYAML resolves numbers up to {@link LongDecimals#RESOLVED_LENGTH}: allowed that far, every number it
     * resolves has a value, and one beyond a double's range is an infinity instead of an error.
     */
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(LongDecimals.RESOLVED_LENGTH)
                    .build())
            .build();

    private final String text;
    private final FileProblems problems;
    private final CodePointCursor cursor;
    /** How problems name the kind of file: "rule files", "a rule file". */
    private final String files;
    private final String aFile;

    private YamlTreeReader(final String text, final FileProblems problems, final String files, final String aFile) {
        this.text = text;
        this.problems = problems;
        this.cursor = new CodePointCursor(text);
        this.files = files;
        this.aFile = aFile;
    }

    /** The document's root, or empty when the file holds no document or could not be read (a problem says why). */
    static Optional<YamlNode> read(final String text, final FileProblems problems) {
        return new YamlTreeReader(text, problems, "rule files", "a rule file").read();
    }

    /**
     * A YAML document that is not a rule file, read as rule files are.
     *
     * @param root     the document's root; empty when the file holds no document (only comments) or when a problem
     *                 stopped the reading (a syntax error); present beside problems that left the rest readable (a
     *                 duplicate key, whose first is kept; a tag; an anchor; an alias, read as {@link YamlNode.Invalid})
     * @param problems in file order; empty when the document was read without any
     */
    public record Document(Optional<YamlNode> root, List<RuleProblem> problems) {
        public Document {
            problems = List.copyOf(problems);
        }
    }

    /**
     * @param file what problems name as the file
     * @param kind how problems name the document ("the configuration")
     */
    public static Document read(final String file, final String text, final String kind) {
        final FileProblems problems = new FileProblems(file);
        final Optional<YamlNode> root = read(text, kind, problems);
        return new Document(root, problems.sorted());
    }

    /**
     * As {@link #read(String, String, String)}, adding the problems to {@code problems}, where a reader of the
     * document's contents adds its own: all of them are then reported together, in file order, under one cap.
     *
     * @return the document's root, as {@link Document#root()} has it
     */
    public static Optional<YamlNode> read(final String text, final String kind, final FileProblems problems) {
        return new YamlTreeReader(text, problems, kind, kind).read();
    }

    /** Thrown to stop reading after a problem that makes the rest of the document meaningless. */
    private static final class StopReading extends Exception {
        private static final long serialVersionUID = 1L;

        StopReading() {
            super(null, null, false, false);
        }
    }

    private Optional<YamlNode> read() {
        try (YAMLParser parser = FACTORY.createParser(text)) {
            try {
                final JsonToken first = parser.nextToken();
                if (first == null) {
                    return Optional.empty();
                }
                final YamlNode root = readValue(parser, first, 1);
                if (parser.nextToken() != null) {
                    problems.add(start(parser), aFile + " holds one YAML document; a second one starts here");
                }
                return Optional.of(root);
            } catch (JsonProcessingException e) {
                reportSyntaxError(parser, e);
            } catch (StopReading e) {
                // the problem is already reported
            }
        } catch (IOException e) {
            // Reading from a String only fails as a syntax error, which the inner catch handles.
            problems.add(1, 1, "cannot read YAML: " + YamlSyntaxError.firstLine(e.getMessage()));
        }
        return Optional.empty();
    }

    private YamlNode readValue(final YAMLParser p, final JsonToken token, final int depth)
            throws IOException, StopReading {
        final YamlNode.Mark mark = start(p);
        if (p.isCurrentAlias()) {
            problems.add(mark, "YAML aliases are not allowed in " + files);
            return new YamlNode.Invalid(mark);
        }
        // Jackson gives a mapping's or a list's anchor, not a scalar's: that one is found where it is written.
        if (p.getObjectId() != null
                || !token.isStructStart() && writtenProperty(p.currentTokenLocation(), '&').isPresent()) {
            refuseAnchor(mark);
        }
        if (depth > MAX_DEPTH) {
            problems.add(mark, "nesting is deeper than " + MAX_DEPTH + " levels");
            throw new StopReading();
        }
        final String typeId = p.getTypeId();
        if (typeId == null) {
            return readNode(p, token, mark, depth);
        }
        // Jackson gives "foo" for !foo and "tag:yaml.org,2002:str" for !!str; the problem names what was written.
        refuseTag(mark, "the value without " + writtenProperty(p.currentTokenLocation(), '!').orElse("!" + typeId)
                + ", in quotes to make it text");
        if (token.isStructStart()) {
            readNode(p, token, mark, depth); // to its end, reporting the problems inside it
        }
        // The tag decided how the value was read; what the file meant is unknown, so readers skip it.
        return new YamlNode.Invalid(mark);
    }

    private YamlNode readNode(final YAMLParser p, final JsonToken token, final YamlNode.Mark mark, final int depth)
            throws IOException, StopReading {
        switch (token) {
            case START_OBJECT:
                return readMapping(p, mark, depth);
            case START_ARRAY:
                return readSequence(p, mark, depth);
            case VALUE_STRING:
                return isEmptyPlain(p) ? scalar(p, mark, YamlNode.Scalar.Type.NULL, Double.NaN)
                        : textOrLongNumber(p, mark);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return scalar(p, mark, token == JsonToken.VALUE_NUMBER_INT ? YamlNode.Scalar.Type.INTEGER
                        : YamlNode.Scalar.Type.FLOAT, number(p));
            case VALUE_TRUE:
            case VALUE_FALSE:
                return scalar(p, mark, YamlNode.Scalar.Type.BOOLEAN, Double.NaN);
            case VALUE_NULL:
                return scalar(p, mark, YamlNode.Scalar.Type.NULL, Double.NaN);
            default:
                problems.add(mark, "unsupported YAML value; use text, numbers, lists and mappings");
                return new YamlNode.Invalid(mark);
        }
    }

    private YamlNode readMapping(final YAMLParser p, final YamlNode.Mark mark, final int depth)
            throws IOException, StopReading {
        final List<YamlNode.Entry> entries = new ArrayList<>();
        final Map<String, YamlNode.Mark> seen = new HashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            final String key = p.currentName();
            final YamlNode.Mark keyMark = start(p);
            writtenProperty(p.currentTokenLocation(), '!').ifPresent(tag -> refuseTag(keyMark, "the key without " + tag));
            writtenProperty(p.currentTokenLocation(), '&').ifPresent(anchor -> refuseAnchor(keyMark));
            final YamlNode value = readValue(p, p.nextToken(), depth + 1);
            final YamlNode.Mark earlier = seen.putIfAbsent(key, keyMark);
            if (earlier != null) {
                problems.add(keyMark, "duplicate key '" + key + "'; first given at line " + earlier.line());
            } else {
                entries.add(new YamlNode.Entry(key, keyMark, value));
            }
        }
        expectEnd(p, t, JsonToken.END_OBJECT);
        return new YamlNode.Mapping(entries, mark);
    }

    private YamlNode readSequence(final YAMLParser p, final YamlNode.Mark mark, final int depth)
            throws IOException, StopReading {
        final List<YamlNode> items = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            items.add(readValue(p, t, depth + 1));
        }
        expectEnd(p, t, JsonToken.END_ARRAY);
        return new YamlNode.Sequence(items, mark);
    }

    private void expectEnd(final YAMLParser p, final JsonToken actual, final JsonToken expected) throws StopReading {
        if (actual != expected) {
            // Jackson reports malformed YAML itself; this only guards against a truncated token stream.
            problems.add(start(p), "YAML syntax error: unexpected end of the document");
            throw new StopReading();
        }
    }

    private YamlNode.Scalar scalar(final YAMLParser p, final YamlNode.Mark mark, final YamlNode.Scalar.Type type,
            final double number) throws IOException {
        final JsonLocation from = p.currentTokenLocation();
        final JsonLocation to = p.currentLocation();
        Optional<String> source = Optional.empty();
        if (from.getCharOffset() >= 0 && to.getCharOffset() >= from.getCharOffset()) {
            final int begin = cursor.charIndex(from.getCharOffset());
            final int end = cursor.charIndex(to.getCharOffset());
            source = Optional.of(text.substring(begin, end));
        }
        return new YamlNode.Scalar(p.getText(), type, number, mark, source);
    }

    /** @param instead what to write instead, after "write" */
    private void refuseTag(final YamlNode.Mark mark, final String instead) {
        problems.add(mark, "YAML tags are not allowed in " + files + "; write " + instead);
    }

    private void refuseAnchor(final YamlNode.Mark mark) {
        problems.add(mark, "YAML anchors are not allowed in " + files);
    }

    /**
     * The tag ({@code kind} '!') or anchor ('&') written among the node properties (tag and anchor, in either order) a
     * node starting {@code at} begins with. Keys are checked here rather than with {@link YAMLParser#getTypeId()},
     * which gives the mapping's tag at a mapping's first key, never that key's own; and scalars' anchors, which
     * Jackson does not give.
     */
    private Optional<String> writtenProperty(final JsonLocation at, final char kind) {
        if (at.getCharOffset() < 0) {
            return Optional.empty();
        }
        int i = cursor.charIndex(at.getCharOffset());
        // A plain scalar cannot start with '!' or '&', and quoted ones start with a quote: these are properties.
        while (i < text.length() && (text.charAt(i) == '!' || text.charAt(i) == '&')) {
            final int begin = i;
            while (i < text.length() && !endsProperty(text.charAt(i))) {
                i++;
            }
            if (text.charAt(begin) == kind) {
                return Optional.of(text.substring(begin, i));
            }
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
        }
        return Optional.empty();
    }

    private static boolean endsProperty(final char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '[' || c == ']' || c == '{'
                || c == '}';
    }

    /** Text, or a number longer than SnakeYAML resolves ({@link LongDecimals}), when written plain on one line. */
    private YamlNode.Scalar textOrLongNumber(final YAMLParser p, final YamlNode.Mark mark) throws IOException {
        final YamlNode.Scalar text = scalar(p, mark, YamlNode.Scalar.Type.TEXT, Double.NaN);
        // Written as it reads, it is plain: quotes, escapes and block scalars make a number text in YAML.
        if (text.text().length() <= LongDecimals.RESOLVED_LENGTH || !text.source().equals(Optional.of(text.text()))) {
            return text;
        }
        final String written = text.text();
        return LongDecimals.type(written)
                .map(type -> new YamlNode.Scalar(written, type, LongDecimals.value(written), mark, text.source()))
                .orElse(text);
    }

    /** Jackson reports an empty plain value ({@code key:} and nothing) as empty text; YAML means null. */
    private static boolean isEmptyPlain(final YAMLParser p) throws IOException {
        return p.getTextLength() == 0 && p.currentLocation().getCharOffset() == p.currentTokenLocation().getCharOffset();
    }

    /** As {@link YamlNode.Scalar#number()} has it: ±Infinity beyond a double's range, NaN for .inf and .nan. */
    private static double number(final YAMLParser p) throws IOException {
        final String text = p.getText();
        final int at = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        if (text.length() > at + 1 && text.charAt(at) == '.' && Character.isLetter(text.charAt(at + 1))) {
            // .inf and .nan, which no rule or setting takes: readers say "not a finite number".
            return Double.NaN;
        }
        try {
            return p.getDoubleValue();
        } catch (IOException e) {
            // Not expected since numbers are read to SnakeYAML's length; a reader says "not a finite number".
            return Double.NaN;
        }
    }

    private void reportSyntaxError(final YAMLParser p, final JsonProcessingException e) {
        final YamlSyntaxError error = YamlSyntaxError.unprintable(e, text)
                .orElseGet(() -> YamlSyntaxError.of(e, p.currentLocation()));
        problems.add(error.line(), error.column(), error.message());
    }

    private static YamlNode.Mark start(final YAMLParser p) {
        final JsonLocation at = p.currentTokenLocation();
        return new YamlNode.Mark(Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
    }


    /**
     * SnakeYAML counts offsets in code points, Java strings in chars. Tokens arrive in file order, so one cursor
     * that only moves forward converts them all in linear time.
     */
    private static final class CodePointCursor {
        private final String text;
        private long codePoint;
        private int charIndex;

        CodePointCursor(final String text) {
            this.text = text;
        }

        int charIndex(final long targetCodePoint) {
            if (targetCodePoint < codePoint) {
                codePoint = 0;
                charIndex = 0;
            }
            while (codePoint < targetCodePoint && charIndex < text.length()) {
                charIndex += Character.charCount(text.codePointAt(charIndex));
                codePoint++;
            }
            return charIndex;
        }
    }
}
