package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Vigil's native JSON, the shape prometheus-kafka-adapter writes: one object
 * {@code {"name":..., "labels":{...}, "value":..., "timestamp":...}} or an array of them. Read with Jackson's
 * streaming parser, never a tree, and never recursively: a nested object or array where a scalar belongs is
 * skipped by Jackson (whose nesting limit turns absurd depth into a parse error) and rejects its datapoint.
 * Unknown fields are skipped. One of the four fields given twice, or a label name given twice, rejects the datapoint
 * with that field's reason: which value is meant is not for the decoder to guess (Prometheus refuses a label name
 * given twice); an unknown field, meaning nothing, may repeat.
 *
 * <p>Records in the form nearly every producer writes are read by {@link PlainNativeJson} instead, straight from the
 * bytes, to the same result; Jackson reads the rest, and every record with a rejection.
 *
 * <p>A datapoint's rejection is placed at the value at fault, or at the object lacking a field ({@link JsonPlace}),
 * as a syntax error is: each says what it is about, and only a record with a rejection is read once more for where
 * that is. An accepted record costs nothing more.
 */
final class NativeJsonDecoder {

    /*
     * Label names arrive as JSON field names; interning them would let any producer grow the JVM's string table.
     * Canonicalizing (on by default) still shares the strings of names seen before.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    // The datapoint fields, as bits of a set.
    private static final int NAME = 1;
    private static final int LABELS = 2;
    private static final int VALUE = 4;
    private static final int TIMESTAMP = 8;

    private final DatapointValidator validator;

    NativeJsonDecoder(final DatapointValidator validator) {
        this.validator = validator;
    }

    /** Decodes a value whose first significant byte is '{' or '['. */
    DecodedRecord decode(final byte[] value, final long nowMs) {
        return decode(value, nowMs, null);
    }

    /** As {@link #decode(byte[], long)}; {@code known}, if not null, holds the label sets read before. */
    DecodedRecord decode(final byte[] value, final long nowMs, final KnownLabels known) {
        // Most records are plain enough to be read without a token stream; the rest, errors included, are Jackson's.
        final DecodedRecord plain = decodePlain(value, nowMs, known);
        return plain != null ? plain : decodeWithJackson(value, nowMs);
    }

    /**
     * What {@link #decode} returns for a record {@link PlainNativeJson} reads and accepts whole, or null for any other:
     * a rejection is placed in the record by Jackson's reading, which reads it again to the same datapoints.
     */
    DecodedRecord decodePlain(final byte[] value, final long nowMs, final KnownLabels known) {
        final DecodedRecord plain = PlainNativeJson.decode(value, validator, nowMs, known);
        return plain != null && plain.fullyValid() ? plain : null;
    }

    /** {@link #decode} without {@link PlainNativeJson}: the reference it is tested against. */
    DecodedRecord decodeWithJackson(final byte[] value, final long nowMs) {
        final DecodedRecord malformed = Utf8Bytes.rejection(value);
        if (malformed != null) {
            return malformed;
        }
        final DecodedRecord.Builder out = new DecodedRecord.Builder();
        try (JsonParser parser = JSON.createParser(value)) {
            final JsonToken root = parser.nextToken();
            if (root == null) {
                return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the record holds no JSON value");
            }
            if (root == JsonToken.START_OBJECT) {
                readDatapoint(parser, -1, nowMs, out);
            } else if (root == JsonToken.START_ARRAY) {
                if (readBatch(parser, nowMs, out) == 0) {
                    return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the batch array holds no datapoints");
                }
            } else {
                return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE,
                        "the JSON value is " + describe(root) + ", not an object or an array of objects");
            }
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON value in the record",
                        parser.currentTokenLocation());
            }
        } catch (JsonProcessingException e) {
            // Whatever was decoded before the error is dropped: the record goes to the dead-letter topic whole.
            return DecodedRecord.rejected(malformed(e, value));
        } catch (IOException e) {
            return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE, "unreadable JSON: " + e.getMessage());
        }
        out.placeRejections(value, null);
        return out.build();
    }

    /** Reads the elements after '['; returns how many there were. */
    private int readBatch(final JsonParser parser, final long nowMs, final DecodedRecord.Builder out)
            throws IOException {
        int index = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new JsonParseException(parser, "end of input inside the batch array");
            }
            if (token == JsonToken.START_OBJECT) {
                readDatapoint(parser, index, nowMs, out);
            } else {
                out.reject(new Rejection(DeadLetterReason.NOT_AN_OBJECT,
                        DatapointValidator.at(index) + describe(token) + ", not an object"));
                out.placeLast(JsonPlace.element(index));
                parser.skipChildren();
            }
            index++;
        }
        return index;
    }

    private void readDatapoint(final JsonParser parser, final int index, final long nowMs,
                               final DecodedRecord.Builder out) throws IOException {
        final DatapointDraft draft = new DatapointDraft();
        // The fields read, and those given again: which of two values is meant is not for the decoder to guess.
        int seen = 0;
        int repeated = 0;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            final String field = parser.currentName();
            final JsonToken value = parser.nextToken();
            final int bit = switch (field) {
                case "name" -> NAME;
                case "labels" -> LABELS;
                case "value" -> VALUE;
                case "timestamp" -> TIMESTAMP;
                default -> 0;
            };
            if ((seen & bit) != 0) {
                repeated |= bit;
                parser.skipChildren();
                continue;
            }
            seen |= bit;
            switch (field) {
                case "name" -> readName(parser, value, draft);
                case "labels" -> readLabels(parser, value, draft);
                case "value" -> readValue(parser, value, draft);
                case "timestamp" -> readTimestamp(parser, value, draft);
                default -> parser.skipChildren();
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new JsonParseException(parser, "end of input inside a datapoint object");
        }
        if (repeated != 0) {
            given(draft, repeated);
        }
        validator.validate(draft, index, nowMs, out);
        if (draft.rejectedFor != null) {
            out.placeLast(place(index, draft.rejectedFor, repeated));
        }
    }

    /**
     * Where in the record the rejection of datapoint {@code index} (-1 for the record's one) for {@code subject} is:
     * a field given twice at its second, a label at its first but for one given again.
     */
    private static JsonPlace place(final int index, final DatapointDraft.Subject subject, final int repeated) {
        return switch (subject.part()) {
            case NAME -> JsonPlace.member(index, "name", occurrence(repeated, NAME));
            case NAME_LABEL -> JsonPlace.inner(index, "labels", "__name__", 1, false);
            case LABELS -> JsonPlace.member(index, "labels", occurrence(repeated, LABELS));
            case LABEL_NAME, LABEL_VALUE -> JsonPlace.inner(index, "labels", subject.label(), subject.occurrence(),
                    subject.part() == DatapointDraft.Part.LABEL_NAME);
            case VALUE -> JsonPlace.member(index, "value", occurrence(repeated, VALUE));
            case TIMESTAMP -> JsonPlace.member(index, "timestamp", occurrence(repeated, TIMESTAMP));
        };
    }

    /** 2 for a field given twice, whose second is the one named, 1 for any other. */
    private static int occurrence(final int repeated, final int field) {
        return (repeated & field) != 0 ? 2 : 1;
    }

    /** Puts the problem of each field in {@code repeated} into the draft, as that field's own. */
    private static void given(final DatapointDraft draft, final int repeated) {
        if ((repeated & NAME) != 0) {
            draft.nameProblem = "\"name\" is given twice";
        }
        if ((repeated & LABELS) != 0) {
            draft.labelsProblem = "\"labels\" is given twice";
            draft.labelsProblemSubject = null;
        }
        if ((repeated & VALUE) != 0) {
            draft.valueProblem = "\"value\" is given twice";
        }
        if ((repeated & TIMESTAMP) != 0) {
            draft.timestampProblem = "\"timestamp\" is given twice";
        }
    }

    private static void readName(final JsonParser parser, final JsonToken token, final DatapointDraft draft)
            throws IOException {
        draft.name = null;
        draft.nameProblem = null;
        if (token == JsonToken.VALUE_STRING) {
            draft.name = parser.getText();
        } else if (token != JsonToken.VALUE_NULL) {
            draft.nameProblem = "\"name\" is " + describe(token) + ", not a string";
            parser.skipChildren();
        }
    }

    private static void readLabels(final JsonParser parser, final JsonToken token, final DatapointDraft draft)
            throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return;
        }
        if (token != JsonToken.START_OBJECT) {
            draft.labelsProblem = "\"labels\" is " + describe(token) + ", not an object";
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String name = parser.currentName();
            final JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL) {
                final String text = value == JsonToken.VALUE_NULL ? "" : parser.getText();
                // A null label is an absent one, as an empty one is (Labels drops both); given twice, it is refused
                // too.
                if (!draft.labels().put(name, text) && draft.labelsProblem == null) {
                    draft.labelsProblem = "label " + Rejection.quote(name) + " is given twice";
                    // At its second name: the first problem of a label is found at its first or second occurrence.
                    draft.labelsProblemSubject = new DatapointDraft.Subject(DatapointDraft.Part.LABEL_NAME, name, 2);
                }
                // A name holding one is no label name ([a-zA-Z_][a-zA-Z0-9_]*): the validator refuses it as such.
                if (draft.labelsProblem == null) {
                    draft.labelsProblem = LoneSurrogates.problem("label " + Rejection.quote(name), text);
                    if (draft.labelsProblem != null) {
                        draft.labelsProblemSubject = new DatapointDraft.Subject(DatapointDraft.Part.LABEL_VALUE, name,
                                1);
                    }
                }
            } else {
                if (draft.labelsProblem == null) {
                    draft.labelsProblem = "label " + Rejection.quote(name) + " is " + describe(value)
                            + ", not a string";
                    draft.labelsProblemSubject = new DatapointDraft.Subject(DatapointDraft.Part.LABEL_VALUE, name,
                            draft.labels().get(name) != null ? 2 : 1);
                }
                parser.skipChildren();
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            throw new JsonParseException(parser, "end of input inside \"labels\"");
        }
    }

    private static void readValue(final JsonParser parser, final JsonToken token, final DatapointDraft draft)
            throws IOException {
        draft.hasValue = false;
        draft.valueProblem = null;
        switch (token) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                // JSON has no infinities: an infinite double is a number beyond a double's range, not a sample.
                final double sample = parser.getDoubleValue();
                if (Double.isInfinite(sample)) {
                    draft.valueProblem = NumericText.beyondDoubleProblem(parser.getText());
                } else {
                    draft.value(sample);
                }
            }
            case VALUE_STRING -> {
                final String text = parser.getText();
                if (!NumericText.isNumber(text)) {
                    draft.valueProblem = "value " + Rejection.quote(text) + " is not a number";
                } else {
                    final double sample = NumericText.parse(text);
                    if (NumericText.beyondDouble(text, sample)) {
                        draft.valueProblem = NumericText.beyondDoubleProblem(text);
                    } else {
                        draft.value(sample);
                    }
                }
            }
            case VALUE_NULL -> {
                // null is no value: left to the validator's missing_value.
            }
            default -> {
                draft.valueProblem = "\"value\" is " + describe(token) + ", not a number";
                parser.skipChildren();
            }
        }
    }

    private static void readTimestamp(final JsonParser parser, final JsonToken token, final DatapointDraft draft)
            throws IOException {
        draft.hasTimestamp = false;
        draft.timestampProblem = null;
        switch (token) {
            case VALUE_NUMBER_INT -> {
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    draft.timestampProblem = "timestamp " + Rejection.quote(parser.getText())
                            + " is out of range for epoch milliseconds";
                } else {
                    draft.timestamp(parser.getLongValue());
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                final double ms = parser.getDoubleValue();
                // A fraction of a millisecond is dropped; the comparison also refuses NaN.
                if (Math.abs(ms) < 9.2e18) {
                    draft.timestamp((long) ms);
                } else {
                    draft.timestampProblem = "timestamp " + Rejection.quote(parser.getText())
                            + " is out of range for epoch milliseconds";
                }
            }
            case VALUE_STRING -> {
                final String text = parser.getText();
                final long ms = Rfc3339Timestamps.parseMillis(text);
                if (ms == Rfc3339Timestamps.INVALID) {
                    draft.timestampProblem = "timestamp " + Rejection.quote(text)
                            + " is neither RFC 3339 (2022-06-21T06:30:00Z) nor epoch milliseconds";
                } else {
                    draft.timestamp(ms);
                }
            }
            case VALUE_NULL -> {
                // null is no timestamp: left to the validator's missing_timestamp.
            }
            default -> {
                draft.timestampProblem = "\"timestamp\" is " + describe(token) + ", not a string or number";
                parser.skipChildren();
            }
        }
    }

    /** What a JSON value is, for a message: "a number", "an object", ... */
    static String describe(final JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "an unexpected " + token;
        };
    }

    /**
     * The rejection of {@code value} that Jackson could not read: {@code malformed JSON at line 2, column 7 (byte offset
     * 40): ...}, Jackson's message without its source dump, and the position apart. Jackson's column counts bytes, so
     * the position is found from its byte offset (from 0) in {@code value}, which is UTF-8 (checked before Jackson).
     */
    static Rejection malformed(final JsonProcessingException e, final byte[] value) {
        final String message = e.getOriginalMessage();
        final String problem = message == null ? e.getClass().getSimpleName() : JacksonProblem.of(message, value);
        final JsonLocation location = e.getLocation();
        // A parser of bytes knows its offset; should it not, its column in bytes is no column to give.
        final long offset = location == null ? -1 : location.getByteOffset();
        if (offset < 0 || offset > value.length) {
            return new Rejection(DeadLetterReason.UNPARSEABLE, "malformed JSON: " + problem);
        }
        final RecordPosition position = RecordPosition.ofCharacterAt(value, (int) offset);
        return new Rejection(DeadLetterReason.UNPARSEABLE, "malformed JSON at line " + position.line() + ", column "
                + position.column() + " (byte offset " + offset + "): " + problem, "malformed JSON: " + problem,
                position);
    }
}
