package io.vigil.alerts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.vigil.model.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The JSON of an alert event, exactly as formats.md "Output: alert events" shows it: one compact object
 * with the fields in the order {@code fingerprint, status, labels, annotations, activeAt, startsAt,
 * endsAt, value, rule, generatorURL}, labels and annotations sorted by name, times RFC 3339 UTC.
 */
public final class AlertEventJson {

    // Thread-safe once configured; creating one per call would repeat its symbol-table setup.
    private static final JsonFactory JSON = new JsonFactory();

    private AlertEventJson() {
    }

    /**
     * The event as UTF-8 JSON bytes. Times are written with a millisecond fraction only when it is not
     * zero ({@code 2022-06-21T06:31:10Z}, {@code 2022-06-21T06:31:10.250Z}); sub-millisecond precision is
     * dropped. {@code value} is the shortest decimal that reads back as the same double; an empty value,
     * or one that is not finite (JSON has no NaN or Infinity), is written as {@code null}.
     */
    public static byte[] write(final AlertEvent e) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeEvent(g, e);
        } catch (final IOException ex) {
            // A ByteArrayOutputStream does not fail; only a bug in the generator's use could get here.
            throw new UncheckedIOException("cannot write alert event " + e.fingerprint(), ex);
        }
        return out.toByteArray();
    }

    /** {@link #write(AlertEvent)} as a string, for {@code vigil replay}'s one-object-per-line output. */
    public static String writeString(final AlertEvent e) {
        return new String(write(e), StandardCharsets.UTF_8);
    }

    /**
     * Reads what {@link #write(AlertEvent)} writes. Fields may come in any order and unknown fields are
     * skipped, so that a newer writer's events still read; {@code startsAt}, {@code endsAt} and
     * {@code value} may be {@code null} or absent, every other field is required.
     *
     * @throws IllegalArgumentException naming the problem when the bytes are not such an object
     */
    public static AlertEvent read(final byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            final AlertEvent event = readEvent(p);
            if (p.nextToken() != null) {
                throw malformed(p, "unexpected content after the alert event object");
            }
            return event;
        } catch (final JsonProcessingException ex) {
            final String at = ex.getLocation() == null ? "" : " at byte " + ex.getLocation().getByteOffset();
            throw new IllegalArgumentException("malformed alert event JSON: " + ex.getOriginalMessage() + at, ex);
        } catch (final IOException ex) {
            throw new UncheckedIOException("cannot read alert event JSON", ex);
        }
    }

    private static void writeEvent(final JsonGenerator g, final AlertEvent e) throws IOException {
        g.writeStartObject();
        g.writeStringField("fingerprint", e.fingerprint());
        g.writeStringField("status", e.status().jsonName());
        g.writeObjectFieldStart("labels");
        for (int i = 0; i < e.labels().size(); i++) {
            g.writeStringField(e.labels().name(i), e.labels().value(i));
        }
        g.writeEndObject();
        g.writeObjectFieldStart("annotations");
        // The record keeps annotations in an unordered Map.copyOf; the output must be sorted.
        for (final Map.Entry<String, String> a : new TreeMap<>(e.annotations()).entrySet()) {
            g.writeStringField(a.getKey(), a.getValue());
        }
        g.writeEndObject();
        g.writeStringField("activeAt", rfc3339(e.activeAt()));
        writeOptionalTime(g, "startsAt", e.startsAt());
        writeOptionalTime(g, "endsAt", e.endsAt());
        g.writeFieldName("value");
        if (e.value().isPresent() && Double.isFinite(e.value().getAsDouble())) {
            g.writeNumber(e.value().getAsDouble());
        } else {
            g.writeNull();
        }
        g.writeStringField("rule", e.rule());
        g.writeStringField("generatorURL", e.generatorURL());
        g.writeEndObject();
    }

    private static void writeOptionalTime(final JsonGenerator g, final String field, final Optional<Instant> time)
            throws IOException {
        if (time.isPresent()) {
            g.writeStringField(field, rfc3339(time.get()));
        } else {
            g.writeNullField(field);
        }
    }

    /** ISO_INSTANT prints the fraction in groups of three digits and omits it when zero: what formats.md wants. */
    private static String rfc3339(final Instant time) {
        return time.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static AlertEvent readEvent(final JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed(p, "an alert event must be a JSON object");
        }
        String fingerprint = null;
        EventStatus status = null;
        Labels labels = null;
        Map<String, String> annotations = null;
        Instant activeAt = null;
        Optional<Instant> startsAt = Optional.empty();
        Optional<Instant> endsAt = Optional.empty();
        OptionalDouble value = OptionalDouble.empty();
        String rule = null;
        String generatorURL = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            final String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "fingerprint" -> fingerprint = string(p, field);
                case "status" -> status = status(p);
                case "labels" -> labels = Labels.of(stringMap(p, field));
                case "annotations" -> annotations = stringMap(p, field);
                case "activeAt" -> activeAt = instant(p, field);
                case "startsAt" -> startsAt = optionalInstant(p, field);
                case "endsAt" -> endsAt = optionalInstant(p, field);
                case "value" -> value = optionalNumber(p, field);
                case "rule" -> rule = string(p, field);
                case "generatorURL" -> generatorURL = string(p, field);
                default -> p.skipChildren();
            }
        }
        // Locals are only null here when a required field was missing; none of them leaves this method so.
        return new AlertEvent(
                required(p, fingerprint, "fingerprint"),
                required(p, status, "status"),
                required(p, labels, "labels"),
                required(p, annotations, "annotations"),
                required(p, activeAt, "activeAt"),
                startsAt,
                endsAt,
                value,
                required(p, rule, "rule"),
                required(p, generatorURL, "generatorURL"));
    }

    private static <T> T required(final JsonParser p, final T value, final String field) {
        if (value == null) {
            throw malformed(p, "missing field \"" + field + "\"");
        }
        return value;
    }

    private static String string(final JsonParser p, final String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw malformed(p, "\"" + field + "\" must be a string, got " + p.currentToken());
        }
        return p.getText();
    }

    private static EventStatus status(final JsonParser p) throws IOException {
        final String text = string(p, "status");
        for (final EventStatus s : EventStatus.values()) {
            if (s.jsonName().equals(text)) {
                return s;
            }
        }
        throw malformed(p, "\"status\" must be pending, firing or resolved, got \"" + text + "\"");
    }

    private static Map<String, String> stringMap(final JsonParser p, final String field) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw malformed(p, "\"" + field + "\" must be an object of strings, got " + p.currentToken());
        }
        final Map<String, String> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            final String name = p.currentName();
            p.nextToken();
            map.put(name, string(p, field + "." + name));
        }
        return map;
    }

    private static Instant instant(final JsonParser p, final String field) throws IOException {
        final String text = string(p, field);
        try {
            return Instant.parse(text);
        } catch (final DateTimeParseException ex) {
            throw malformed(p, "\"" + field + "\" must be an RFC 3339 UTC time, got \"" + text + "\"");
        }
    }

    private static Optional<Instant> optionalInstant(final JsonParser p, final String field) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? Optional.empty() : Optional.of(instant(p, field));
    }

    private static OptionalDouble optionalNumber(final JsonParser p, final String field) throws IOException {
        final JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return OptionalDouble.empty();
        }
        if (token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_NUMBER_INT) {
            throw malformed(p, "\"" + field + "\" must be a number or null, got " + token);
        }
        return OptionalDouble.of(p.getDoubleValue());
    }

    private static IllegalArgumentException malformed(final JsonParser p, final String problem) {
        return new IllegalArgumentException(
                "malformed alert event JSON: " + problem + " at byte " + p.currentTokenLocation().getByteOffset());
    }
}
