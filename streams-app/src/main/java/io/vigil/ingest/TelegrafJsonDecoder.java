package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Telegraf's JSON output ({@code data_format = "json"}, formats.md input 3): {@code {"name":"cpu","tags":{...},
 * "fields":{...},"timestamp":1655793000}} with the timestamp in seconds (Telegraf's default {@code json_timestamp_units}),
 * or a batch {@code {"metrics":[...]}}. Named as line protocol is: each numeric field is the series
 * {@code NAME_FIELD}, tags are labels, {@code host} is also {@code instance}; string and boolean fields are skipped and
 * counted.
 */
final class TelegrafJsonDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        try (JsonParser parser = JSON.getFactory().createParser(value)) {
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
        final DecodedRecord.Builder out = new DecodedRecord.Builder();
        final JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE, "unreadable JSON: " + e.getMessage());
        }
        if (root.has("metrics")) {
            final JsonNode metrics = root.get("metrics");
            if (!metrics.isArray()) {
                return DecodedRecord.rejected(DeadLetterReason.UNPARSEABLE, "\"metrics\" is not an array");
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

    private void metric(final JsonNode m, final String where, final long nowMs, final DecodedRecord.Builder out) {
        if (!m.isObject()) {
            out.reject(new Rejection(DeadLetterReason.NOT_AN_OBJECT, where + "a metric must be a JSON object"));
            return;
        }
        final JsonNode name = m.get("name");
        final JsonNode fields = m.get("fields");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.MISSING_NAME, where + "no \"name\""));
            return;
        }
        if (fields == null || !fields.isObject() || fields.isEmpty()) {
            out.reject(new Rejection(DeadLetterReason.MISSING_VALUE, where + "no \"fields\""));
            return;
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        final JsonNode tags = m.get("tags");
        if (tags != null && tags.isObject()) {
            final Iterator<Map.Entry<String, JsonNode>> it = tags.fields();
            while (it.hasNext()) {
                final Map.Entry<String, JsonNode> tag = it.next();
                labels.put(LineProtocolDecoder.labelName(tag.getKey()), tag.getValue().asText());
            }
        }
        if (!labels.containsKey("instance") && labels.containsKey("host")) {
            labels.put("instance", labels.get("host"));
        }
        final JsonNode ts = m.get("timestamp");
        final Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isNumber()) {
                out.skipField();
                continue;
            }
            final DatapointDraft draft = new DatapointDraft();
            draft.name = LineProtocolDecoder.metricName(name.asText()) + "_" + LineProtocolDecoder.metricName(field.getKey());
            draft.labels().putAll(labels);
            draft.value(field.getValue().asDouble());
            if (ts != null && ts.isNumber()) {
                final double ms = ts.asDouble() * 1000;
                // As NativeJsonDecoder: beyond a long, Math.round would saturate to a made-up instant.
                if (Math.abs(ms) < 9.2e18) {
                    draft.timestamp(Math.round(ms));
                } else {
                    draft.timestampProblem = "timestamp " + ts + " is out of range for epoch seconds";
                }
            } else if (ts != null) {
                draft.timestampProblem = "timestamp " + ts + " is not a number of seconds";
            }
            validator.validate(draft, where, nowMs, out);
        }
    }
}
