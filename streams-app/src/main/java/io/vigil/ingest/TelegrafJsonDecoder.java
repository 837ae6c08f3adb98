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
 * record holds one JSON value only.
 */
final class TelegrafJsonDecoder {

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
                return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE,
                        "\"metrics\" is " + describe(metrics) + ", not an array");
            }
            for (int i = 0; i < metrics.size(); i++) {
                metric(metrics.get(i), "metric " + i + ": ", nowMs, out);
            }
        } else {
            metric(root, "", nowMs, out);
        }
        if (out.isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.EMPTY, "no metrics in the record"));
        }
        return out.build();
    }

    /**
     * One metric, checked as a native datapoint is: its name, its tags (labels, their limits too), its fields' names,
     * its timestamp, and then each field's value. A problem with the metric as a whole rejects it once, not once per field.
     */
    private void metric(final JsonNode m, final String where, final long nowMs, final DecodedRecord.Builder out) {
        if (!m.isObject()) {
            out.reject(new Rejection(DeadLetterReason.NOT_AN_OBJECT, where + "a metric must be a JSON object"));
            return;
        }
        final JsonNode name = m.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            out.reject(new Rejection(DeadLetterReason.INVALID_NAME,
                    where + "\"name\" is " + describe(name) + ", not a string"));
            return;
        }
        if (name == null || name.isNull() || name.asText().isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.MISSING_NAME, where + "no \"name\""));
            return;
        }
        // Names are made of what can be a name, anything else becoming '_': half a character must not become one.
        final String nameProblem = LoneSurrogates.problem("\"name\"", name.asText());
        if (nameProblem != null) {
            out.reject(new Rejection(DeadLetterReason.INVALID_NAME, where + nameProblem));
            return;
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        final String tagsProblem = readTags(m.get("tags"), labels);
        if (tagsProblem != null) {
            out.reject(new Rejection(DeadLetterReason.INVALID_LABELS, where + tagsProblem));
            return;
        }
        final JsonNode fields = m.get("fields");
        if (fields == null || !fields.isObject() || fields.isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.MISSING_VALUE, where + "no \"fields\""));
            return;
        }
        final String measurement = LineProtocolDecoder.metricName(name.asText());
        final String fieldsProblem = oneMetricTwice(fields, measurement);
        if (fieldsProblem != null) {
            out.reject(new Rejection(DeadLetterReason.INVALID_NAME, where + fieldsProblem));
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
            return;
        }
        final Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isNumber()) {
                out.skipField();
                continue;
            }
            final DatapointDraft draft = new DatapointDraft();
            draft.name = measurement + "_" + LineProtocolDecoder.metricName(field.getKey());
            draft.labels().putAll(labels);
            final double sample = field.getValue().asDouble();
            if (Double.isInfinite(sample)) {
                // JSON has no infinities: this is a number beyond a double's range, refused as native JSON's is.
                draft.valueProblem = "field " + Rejection.quote(field.getKey()) + " is beyond the range of a double";
            } else {
                draft.value(sample);
            }
            draft.timestamp(shared.timestampMs);
            validator.validate(draft, where, nowMs, out);
        }
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
            // As NativeJsonDecoder: beyond a long, Math.round would saturate to a made-up instant.
            if (Math.abs(ms) < 9.2e18) {
                draft.timestamp(Math.round(ms));
            } else {
                draft.timestampProblem = "timestamp " + Rejection.quote(ts.asText())
                        + " is out of range for epoch seconds";
            }
        } else if (ts.isTextual()) {
            draft.timestampProblem = "timestamp " + Rejection.quote(ts.asText()) + " is not a number of seconds";
        } else {
            // Its type says what is wrong: an object or array written out could be of any length.
            draft.timestampProblem = "\"timestamp\" is " + describe(ts) + ", not a number of seconds";
        }
    }

    /**
     * Reads {@code tags} into {@code labels} as native JSON reads {@code labels}: absent or null is none, a null tag is
     * an absent one, and anything but an object of strings is refused. Telegraf's tags are always strings; another
     * type means the record is not what it claims, and dropping the tag would merge different series.
     *
     * @return why the tags are refused, or null
     */
    private static String readTags(final JsonNode tags, final Map<String, String> labels) {
        if (tags == null || tags.isNull()) {
            return null;
        }
        if (!tags.isObject()) {
            return "\"tags\" is " + describe(tags) + ", not an object";
        }
        final Iterator<Map.Entry<String, JsonNode>> it = tags.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> tag = it.next();
            final JsonNode value = tag.getValue();
            final String label = LineProtocolDecoder.labelName(tag.getKey());
            if (labels.containsKey(label)) {
                // Two tags that make one label name ("a-b" and "a_b"): one would be lost.
                return "tags " + Rejection.quote(firstKey(tags, label)) + " and " + Rejection.quote(tag.getKey())
                        + " are both label " + Rejection.quote(label);
            }
            if (value.isTextual() || value.isNull()) {
                final String text = value.isNull() ? "" : value.asText();
                final String valueProblem = LoneSurrogates.problem("tag " + Rejection.quote(tag.getKey()), text);
                if (valueProblem != null) {
                    return valueProblem;
                }
                // A null tag is an absent one, as an empty one is (Labels drops both).
                labels.put(label, text);
            } else {
                return "tag " + Rejection.quote(tag.getKey()) + " is " + describe(value) + ", not a string";
            }
        }
        return null;
    }

    /**
     * Why two of the fields make one metric name ({@code "a-b"} and {@code "a_b"}), or null. Telegraf writes each key
     * once, but two that differ only where a name cannot hold a character would be two values of one series at one
     * instant, as a field given twice in line protocol: refused there as here, whatever the values' types.
     */
    private static String oneMetricTwice(final JsonNode fields, final String measurement) {
        final Map<String, String> keys = new HashMap<>();
        final Iterator<String> it = fields.fieldNames();
        while (it.hasNext()) {
            final String key = it.next();
            final String metric = measurement + "_" + LineProtocolDecoder.metricName(key);
            final String earlier = keys.putIfAbsent(metric, key);
            if (earlier != null) {
                return "fields " + Rejection.quote(earlier) + " and " + Rejection.quote(key) + " are both metric "
                        + Rejection.quote(metric);
            }
        }
        return null;
    }

    /** The first key of {@code tags} that is label {@code label}. */
    private static String firstKey(final JsonNode tags, final String label) {
        final Iterator<String> keys = tags.fieldNames();
        String key;
        do {
            key = keys.next();
        } while (!LineProtocolDecoder.labelName(key).equals(label));
        return key;
    }

    private static String describe(final JsonNode node) {
        return NativeJsonDecoder.describe(node.asToken());
    }
}
