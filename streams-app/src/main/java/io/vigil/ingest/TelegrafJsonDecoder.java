package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Telegraf's JSON output ({@code data_format = "json"}, formats.md input 3): {@code {"name":"cpu","tags":{...},
 * "fields":{...},"timestamp":1655793000}} with the timestamp in seconds (Telegraf's default {@code json_timestamp_units}),
 * or a batch {@code {"metrics":[...]}}. Named as line protocol is: each numeric field is the series
 * {@code NAME_FIELD}, tags are labels, {@code host} is also {@code instance}; string and boolean fields are skipped and
 * counted. Checked as strictly as native JSON: tags must be an object of strings (a null tag is an absent one), and a
 * record holds one JSON value only. A rejection is placed at the value at fault, or at the metric lacking it, as native
 * JSON's are ({@link JsonPlace}): the tree keeps no positions, so only a record with a rejection is read again for
 * them.
 */
final class TelegrafJsonDecoder {

    /** Why a metric's part is refused, and where that part is in the record. */
    private record Refusal(String words, JsonPlace place) {
    }

    /**
     * Refuses a member given twice, which a tree would keep the last of, so the whole record is unparseable: Telegraf
     * writes Go maps, which never repeat a key.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());
    /** Detection reads only the top-level names: whatever else is wrong, the decoder says. */
    private static final JsonFactory DETECTION = new JsonFactory();

    private final DatapointValidator validator;

    TelegrafJsonDecoder(final DatapointValidator validator) {
        this.validator = validator;
    }

    /**
     * Whether a JSON record is Telegraf's rather than native: its top-level object has {@code fields} or
     * {@code metrics} and neither {@code value} nor {@code labels}. Telegraf's serializer writes only {@code name},
     * {@code tags}, {@code fields} and {@code timestamp} (or a batch {@code {"metrics":[...]}}); a native datapoint
     * may carry any extra member, a {@code fields} one included, and stays native. Cheap for native records, which
     * almost never contain those words; the rest are read as tokens, their top-level member names only, no tree.
     */
    static boolean looksLikeTelegraf(final byte[] value) {
        final String text = new String(value, StandardCharsets.UTF_8);
        if (!text.contains("\"fields\"") && !text.contains("\"metrics\"")) {
            return false;
        }
        try (JsonParser parser = DETECTION.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean telegrafMember = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                switch (parser.currentName()) {
                    case "value", "labels" -> {
                        return false;
                    }
                    case "fields", "metrics" -> telegrafMember = true;
                    default -> {
                    }
                }
                parser.nextToken();
                parser.skipChildren();
            }
            return telegrafMember;
        } catch (IOException e) {
            // Malformed either way: the native decoder says where.
            return false;
        }
    }

    DecodedRecord decode(final byte[] value, final long nowMs) {
        final DecodedRecord malformed = Utf8Bytes.rejection(value);
        if (malformed != null) {
            return malformed;
        }
        final DecodedRecord.Builder out = new DecodedRecord.Builder();
        final JsonNode root;
        try (JsonParser parser = JSON.getFactory().createParser(value)) {
            root = JSON.readTree(parser);
            // readTree stops after the first value: what follows would be lost silently, as native JSON never is.
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON value in the record",
                        parser.currentTokenLocation());
            }
        } catch (JsonProcessingException e) {
            return DecodedRecord.rejected(NativeJsonDecoder.malformed(e, value));
        } catch (IOException e) {
            return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE, "unreadable JSON: " + e.getMessage());
        }
        if (root == null) {
            return DecodedRecord.rejected(DeadLetterReason.EMPTY, "the record holds no JSON value");
        }
        if (root.has("metrics")) {
            final JsonNode metrics = root.get("metrics");
            if (!metrics.isArray()) {
                out.reject(new Rejection(DeadLetterReason.UNPARSEABLE,
                        "\"metrics\" is " + describe(metrics) + ", not an array"));
                out.placeLast(JsonPlace.member(-1, "metrics", 1));
            } else {
                for (int i = 0; i < metrics.size(); i++) {
                    metric(metrics.get(i), i, nowMs, out);
                }
            }
        } else {
            metric(root, -1, nowMs, out);
        }
        if (out.isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.EMPTY, "no metrics in the record"));
        }
        out.placeRejections(value, "metrics");
        return out.build();
    }

    /**
     * One metric, checked as a native datapoint is: its name, its tags (labels, their limits too), its fields' names,
     * its timestamp, and then each field's value. A problem with the metric as a whole rejects it once, not once per field.
     *
     * @param index the metric's place in the batch, from 0, or -1 for the record's one metric
     */
    private void metric(final JsonNode m, final int index, final long nowMs, final DecodedRecord.Builder out) {
        final String where = index < 0 ? "" : "metric " + index + ": ";
        if (!m.isObject()) {
            out.reject(new Rejection(DeadLetterReason.NOT_AN_OBJECT, where + "a metric must be a JSON object"));
            out.placeLast(JsonPlace.element(index));
            return;
        }
        final JsonNode name = m.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            out.reject(new Rejection(DeadLetterReason.INVALID_NAME,
                    where + "\"name\" is " + describe(name) + ", not a string"));
            out.placeLast(JsonPlace.member(index, "name", 1));
            return;
        }
        if (name == null || name.isNull() || name.asText().isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.MISSING_NAME, where + "no \"name\""));
            out.placeLast(JsonPlace.member(index, "name", 1));
            return;
        }
        // Names are made of what can be a name, anything else becoming '_': half a character must not become one.
        final String nameProblem = LoneSurrogates.problem("\"name\"", name.asText());
        if (nameProblem != null) {
            out.reject(new Rejection(DeadLetterReason.INVALID_NAME, where + nameProblem));
            out.placeLast(JsonPlace.member(index, "name", 1));
            return;
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        final JsonNode tags = m.get("tags");
        final Refusal tagsProblem = readTags(tags, labels, index);
        if (tagsProblem != null) {
            out.reject(new Rejection(DeadLetterReason.INVALID_LABELS, where + tagsProblem.words()));
            out.placeLast(tagsProblem.place());
            return;
        }
        final JsonNode fields = m.get("fields");
        if (fields == null || !fields.isObject() || fields.isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.MISSING_VALUE, where + "no \"fields\""));
            out.placeLast(JsonPlace.member(index, "fields", 1));
            return;
        }
        final String measurement = LineProtocolDecoder.metricName(name.asText());
        final Refusal fieldsProblem = oneMetricTwice(fields, measurement, index);
        if (fieldsProblem != null) {
            out.reject(new Rejection(DeadLetterReason.INVALID_NAME, where + fieldsProblem.words()));
            out.placeLast(fieldsProblem.place());
            return;
        }
        final String instance = labels.get("instance");
        // An empty label is an absent one, here as everywhere: it does not keep host from being the instance.
        if ((instance == null || instance.isEmpty()) && labels.containsKey("host")) {
            labels.put("instance", labels.get("host"));
        }
        // Every field shares them: checked once, so that bad ones are one rejection of the metric, not one per field
        // in the same words (which inflated the rejection counts and named no field).
        final DatapointDraft shared = new DatapointDraft();
        shared.labels().putAll(labels);
        readTimestamp(m.get("timestamp"), shared);
        final Rejection sharedProblem = validator.sharedProblem(shared, nowMs);
        if (sharedProblem != null) {
            out.reject(where.isEmpty() ? sharedProblem : sharedProblem.about(where));
            if (shared.rejectedFor.part() != DatapointDraft.Part.TIMESTAMP) {
                out.placeLast(tagPlace(tags, shared.rejectedFor, index));
            } else {
                final JsonNode ts = m.get("timestamp");
                // The tree holds a number as a double or an integer, and writes it again its own way (1e300 as
                // 1.0E300): quoted as the record writes it, found when the rejection is placed.
                final JsonPlace place = JsonPlace.member(index, "timestamp", 1);
                out.placeLast(ts != null && ts.isNumber() ? place.quoting(ts.asText()) : place);
            }
            return;
        }
        final Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> field = it.next();
            final JsonNode value = field.getValue();
            if (value.isTextual() || value.isBoolean()) {
                out.skipField();
                continue;
            }
            final DatapointDraft draft = new DatapointDraft();
            draft.name = measurement + "_" + LineProtocolDecoder.metricName(field.getKey());
            draft.labels().putAll(labels);
            final double sample = value.asDouble();
            if (!value.isNumber()) {
                // Telegraf writes no such field: refused as a bad value, not skipped as a string field is.
                draft.valueProblem = "field " + Rejection.quote(field.getKey()) + " is " + (value.isNull() ? "null"
                        : value.isArray() ? "an array" : "an object") + ", not a number, string or boolean";
            } else if (Double.isInfinite(sample)) {
                // JSON has no infinities: this is a number beyond a double's range, refused as native JSON's is.
                draft.valueProblem = "field " + Rejection.quote(field.getKey()) + " is beyond the range of a double";
            } else {
                draft.value(sample);
            }
            draft.timestamp(shared.timestampMs);
            validator.validate(draft, where, nowMs, out);
            if (draft.rejectedFor != null) {
                // The metric name is the name's and the key's; it is the name that can make it no name (a digit first).
                out.placeLast(draft.rejectedFor.part() == DatapointDraft.Part.NAME ? JsonPlace.member(index, "name", 1)
                        : JsonPlace.inner(index, "fields", field.getKey(), 1, false));
            }
        }
    }

    /**
     * Where the tag at fault in {@code subject} is: the label is the tag's key made a label name, and {@code instance}
     * may be {@code host}'s copy; the tags as a whole for any other.
     */
    private static JsonPlace tagPlace(final JsonNode tags, final DatapointDraft.Subject subject, final int index) {
        final String label = subject.label();
        String key = label == null ? null : keyOf(tags, label);
        if (key == null && "instance".equals(label)) {
            key = keyOf(tags, "host");
        }
        return key == null ? JsonPlace.member(index, "tags", 1)
                : JsonPlace.inner(index, "tags", key, 1, subject.part() == DatapointDraft.Part.LABEL_NAME);
    }

    /**
     * Reads a metric's timestamp, in seconds, into {@code draft}: its milliseconds, or why it has none. The value is
     * quoted and cut as other input is, so that a long one cannot push the explanation out of the detail.
     */
    private static void readTimestamp(final JsonNode ts, final DatapointDraft draft) {
        if (ts == null || ts.isNull()) {
            // No timestamp, left to the validator's missing_timestamp as in native JSON.
            return;
        }
        if (ts.isNumber()) {
            final double ms = ts.asDouble() * 1000;
            // As NativeJsonDecoder: beyond a long, Math.round would saturate to a made-up instant. Beyond the years
            // 0000 to 9999 it is said here, in seconds, the record's number: the validator's words name milliseconds
            // the record does not hold.
            if (Math.abs(ms) < 9.2e18 && Rfc3339Timestamps.withinYears(Math.round(ms))) {
                draft.timestamp(Math.round(ms));
            } else {
                draft.timestampProblem = "timestamp " + Rejection.quote(ts.asText())
                        + " is out of range for epoch seconds" + smallerUnit(ts.asDouble());
            }
        } else if (ts.isTextual()) {
            draft.timestampProblem = "timestamp " + Rejection.quote(ts.asText()) + " is not a number of seconds";
        } else {
            // Its type says what is wrong: an object or array written out could be of any length.
            draft.timestampProblem = "\"timestamp\" is " + describe(ts) + ", not a number of seconds";
        }
    }

    /**
     * {@code "; ..."} naming the unit in which {@code seconds} is a time of this century: Telegraf's
     * {@code json_timestamp_units} set to {@code 1ms} writes milliseconds, every metric of it refused. "" for none.
     */
    private static String smallerUnit(final double seconds) {
        final String[] units = {"milliseconds", "microseconds", "nanoseconds"};
        double divided = seconds;
        for (String unit : units) {
            divided /= 1000;
            if (divided >= 946_684_800 && divided < 4_102_444_800L) {
                return "; as " + unit + " it is " + java.time.Instant.ofEpochSecond((long) divided)
                        + ": Telegraf JSON's timestamps are seconds (json_timestamp_units = \"1s\")";
            }
        }
        return "";
    }

    /**
     * Reads {@code tags} into {@code labels} as native JSON reads {@code labels}: absent or null is none, a null tag is
     * an absent one, and anything but an object of strings is refused. Telegraf's tags are always strings; another
     * type means the record is not what it claims, and dropping the tag would merge different series.
     *
     * @param index the metric's, as {@link #metric} has it
     * @return why the tags are refused, or null
     */
    private static Refusal readTags(final JsonNode tags, final Map<String, String> labels, final int index) {
        if (tags == null || tags.isNull()) {
            return null;
        }
        if (!tags.isObject()) {
            return new Refusal("\"tags\" is " + describe(tags) + ", not an object", JsonPlace.member(index, "tags", 1));
        }
        final Iterator<Map.Entry<String, JsonNode>> it = tags.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> tag = it.next();
            final JsonNode value = tag.getValue();
            final String label = LineProtocolDecoder.labelName(tag.getKey());
            if (labels.containsKey(label)) {
                // Two tags that make one label name ("a-b" and "a_b"): one would be lost. Placed at the second.
                return new Refusal("tags " + Rejection.quote(keyOf(tags, label)) + " and "
                        + Rejection.quote(tag.getKey()) + " are both label " + Rejection.quote(label),
                        JsonPlace.inner(index, "tags", tag.getKey(), 1, true));
            }
            if (value.isTextual() || value.isNull()) {
                final String text = value.isNull() ? "" : value.asText();
                final String valueProblem = LoneSurrogates.problem("tag " + Rejection.quote(tag.getKey()), text);
                if (valueProblem != null) {
                    return new Refusal(valueProblem, JsonPlace.inner(index, "tags", tag.getKey(), 1, false));
                }
                // A null tag is an absent one, as an empty one is (Labels drops both).
                labels.put(label, text);
            } else {
                return new Refusal("tag " + Rejection.quote(tag.getKey()) + " is " + describe(value) + ", not a string",
                        JsonPlace.inner(index, "tags", tag.getKey(), 1, false));
            }
        }
        return null;
    }

    /**
     * Why two of the fields make one metric name ({@code "a-b"} and {@code "a_b"}), or null. Telegraf writes each key
     * once, but two that differ only where a name cannot hold a character would be two values of one series at one
     * instant, as a field given twice in line protocol: refused there as here, whatever the values' types.
     */
    private static Refusal oneMetricTwice(final JsonNode fields, final String measurement, final int index) {
        final Map<String, String> keys = new HashMap<>();
        final Iterator<String> it = fields.fieldNames();
        while (it.hasNext()) {
            final String key = it.next();
            final String metric = measurement + "_" + LineProtocolDecoder.metricName(key);
            final String earlier = keys.putIfAbsent(metric, key);
            if (earlier != null) {
                // Placed at the second, as a field key given twice in line protocol is.
                return new Refusal("fields " + Rejection.quote(earlier) + " and " + Rejection.quote(key)
                        + " are both metric " + Rejection.quote(metric),
                        JsonPlace.inner(index, "fields", key, 1, true));
            }
        }
        return null;
    }

    /** The first key of {@code tags} that is label {@code label}, or null for none (or tags that are no object). */
    private static String keyOf(final JsonNode tags, final String label) {
        if (tags == null || !tags.isObject()) {
            return null;
        }
        final Iterator<String> keys = tags.fieldNames();
        while (keys.hasNext()) {
            final String key = keys.next();
            if (LineProtocolDecoder.labelName(key).equals(label)) {
                return key;
            }
        }
        return null;
    }

    private static String describe(final JsonNode node) {
        return NativeJsonDecoder.describe(node.asToken());
    }
}
