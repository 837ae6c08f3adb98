package io.vigil.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vigil.alerts.AlertEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * Alertmanager's webhook payload, version "4", for one alert: every existing Alertmanager webhook consumer reads it
 * unchanged (formats.md, "Output: webhooks").
 */
final class WebhookPayload {

    /** Alertmanager writes the zero time for an alert that has not ended. */
    static final String NO_END = "0001-01-01T00:00:00Z";
    private static final JsonFactory JSON = new JsonFactory();

    private WebhookPayload() {
    }

    static byte[] of(final String receiver, final AlertEvent e, final String externalUrl) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        final String status = e.status().jsonName();
        final String alertname = e.labels().get("alertname");
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("version", "4");
            // One alert per notification: its group is the alert itself, so the key is stable across its events.
            g.writeStringField("groupKey", "{}:{alertname=\"" + alertname + "\", fingerprint=\"" + e.fingerprint() + "\"}");
            g.writeNumberField("truncatedAlerts", 0);
            g.writeStringField("status", status);
            g.writeStringField("receiver", receiver);
            writeMap(g, "groupLabels", Map.of("alertname", alertname));
            writeMap(g, "commonLabels", e.labels().toMap());
            writeMap(g, "commonAnnotations", e.annotations());
            g.writeStringField("externalURL", externalUrl);
            g.writeArrayFieldStart("alerts");
            g.writeStartObject();
            g.writeStringField("status", status);
            writeMap(g, "labels", e.labels().toMap());
            writeMap(g, "annotations", e.annotations());
            g.writeStringField("startsAt", e.startsAt().map(Instant::toString).orElse(e.activeAt().toString()));
            g.writeStringField("endsAt", e.endsAt().map(Instant::toString).orElse(NO_END));
            g.writeStringField("generatorURL", e.generatorURL());
            g.writeStringField("fingerprint", e.fingerprint());
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    private static void writeMap(final JsonGenerator g, final String field, final Map<String, String> map)
            throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> entry : new java.util.TreeMap<>(map).entrySet()) {
            g.writeStringField(entry.getKey(), entry.getValue());
        }
        g.writeEndObject();
    }

    /** {@code FINGERPRINT-STATUS-STARTSAT}: receivers drop duplicates by it. */
    static String idempotencyKey(final AlertEvent e) {
        return e.fingerprint() + "-" + e.status().jsonName() + "-"
                + e.startsAt().map(Instant::toString).orElse(e.activeAt().toString());
    }
}
