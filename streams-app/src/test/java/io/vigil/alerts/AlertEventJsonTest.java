package io.vigil.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.Labels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class AlertEventJsonTest {

    private static final Labels LABELS = Labels.of("alertname", "NodeCpuFarBelowPeers", "instance", "node-12",
            "cluster", "backend", "severity", "page");
    private static final String RULE = "backend-nodes/NodeCpuFarBelowPeers";
    private static final String URL = "http://localhost:8080/rules/backend-nodes/NodeCpuFarBelowPeers";

    private static AlertEvent firing() {
        return new AlertEvent("5f0c1f6e9b2a7d31", EventStatus.FIRING, LABELS,
                Map.of("summary", "node-12 CPU 21.5% is far below its peers", "description", "peers at \"80%\""),
                Instant.parse("2022-06-21T06:31:10Z"), Optional.of(Instant.parse("2022-06-21T06:33:10Z")),
                Optional.empty(), OptionalDouble.of(21.4969), RULE, URL);
    }

    private static AlertEvent resolved() {
        return new AlertEvent("5f0c1f6e9b2a7d31", EventStatus.RESOLVED, LABELS, Map.of(),
                Instant.parse("2022-06-21T06:31:10Z"), Optional.of(Instant.parse("2022-06-21T06:33:10.250Z")),
                Optional.of(Instant.parse("2022-06-21T06:40:00.007Z")), OptionalDouble.empty(), RULE, URL);
    }

    @Test
    void writesAFiringEventInTheShapeOfFormatsMd() {
        assertThat(AlertEventJson.writeString(firing())).isEqualTo("{\"fingerprint\":\"5f0c1f6e9b2a7d31\","
                + "\"status\":\"firing\","
                + "\"labels\":{\"alertname\":\"NodeCpuFarBelowPeers\",\"cluster\":\"backend\","
                + "\"instance\":\"node-12\",\"severity\":\"page\"},"
                + "\"annotations\":{\"description\":\"peers at \\\"80%\\\"\","
                + "\"summary\":\"node-12 CPU 21.5% is far below its peers\"},"
                + "\"activeAt\":\"2022-06-21T06:31:10Z\",\"startsAt\":\"2022-06-21T06:33:10Z\",\"endsAt\":null,"
                + "\"value\":21.4969,\"rule\":\"backend-nodes/NodeCpuFarBelowPeers\","
                + "\"generatorURL\":\"http://localhost:8080/rules/backend-nodes/NodeCpuFarBelowPeers\"}");
    }

    @Test
    void writesAResolvedEventWithMillisecondsOnlyWhereThereAreAny() {
        assertThat(AlertEventJson.writeString(resolved())).isEqualTo("{\"fingerprint\":\"5f0c1f6e9b2a7d31\","
                + "\"status\":\"resolved\","
                + "\"labels\":{\"alertname\":\"NodeCpuFarBelowPeers\",\"cluster\":\"backend\","
                + "\"instance\":\"node-12\",\"severity\":\"page\"},"
                + "\"annotations\":{},"
                + "\"activeAt\":\"2022-06-21T06:31:10Z\",\"startsAt\":\"2022-06-21T06:33:10.250Z\","
                + "\"endsAt\":\"2022-06-21T06:40:00.007Z\","
                + "\"value\":null,\"rule\":\"backend-nodes/NodeCpuFarBelowPeers\","
                + "\"generatorURL\":\"http://localhost:8080/rules/backend-nodes/NodeCpuFarBelowPeers\"}");
    }

    @Test
    void writesAPendingEventWithNoStartTime() {
        final AlertEvent pending = new AlertEvent("0000000000000001", EventStatus.PENDING, Labels.of("a", "b"),
                Map.of(), Instant.ofEpochMilli(0), Optional.empty(), Optional.empty(), OptionalDouble.of(3.0),
                "g/a", "u");
        assertThat(AlertEventJson.writeString(pending)).contains("\"status\":\"pending\"")
                .contains("\"activeAt\":\"1970-01-01T00:00:00Z\",\"startsAt\":null,\"endsAt\":null,\"value\":3.0,");
    }

    @Test
    void writesUtf8Bytes() {
        final AlertEvent e = new AlertEvent("0000000000000001", EventStatus.FIRING, Labels.of("city", "Zürich"),
                Map.of(), Instant.ofEpochMilli(0), Optional.empty(), Optional.empty(), OptionalDouble.empty(),
                "g/a", "u");
        assertThat(new String(AlertEventJson.write(e), StandardCharsets.UTF_8)).contains("{\"city\":\"Zürich\"}");
    }

    @Test
    void aValueThatIsNotFiniteIsWrittenAsNull() {
        final AlertEvent e = new AlertEvent("0000000000000001", EventStatus.FIRING, Labels.EMPTY, Map.of(),
                Instant.ofEpochMilli(0), Optional.empty(), Optional.empty(), OptionalDouble.of(Double.NaN),
                "g/a", "u");
        assertThat(AlertEventJson.writeString(e)).contains("\"value\":null");
    }

    @Test
    void readsBackWhatItWrites() {
        assertThat(AlertEventJson.read(AlertEventJson.write(firing()))).isEqualTo(firing());
        assertThat(AlertEventJson.read(AlertEventJson.write(resolved()))).isEqualTo(resolved());
    }

    @Test
    void valuesRoundTripExactly() {
        for (final double v : new double[] {0.1 + 0.2, -1e-300, 1e21, 42.0, Double.MAX_VALUE, Double.MIN_VALUE}) {
            final AlertEvent e = new AlertEvent("0000000000000001", EventStatus.FIRING, Labels.EMPTY, Map.of(),
                    Instant.ofEpochMilli(0), Optional.empty(), Optional.empty(), OptionalDouble.of(v), "g/a", "u");
            assertThat(AlertEventJson.read(AlertEventJson.write(e)).value()).hasValue(v);
        }
    }

    @Test
    void readsFieldsInAnyOrderAndSkipsUnknownOnes() {
        final String json = "{\"rule\":\"g/a\",\"extra\":{\"nested\":[1,2]},\"generatorURL\":\"u\","
                + "\"value\":7,\"activeAt\":\"2022-06-21T06:31:10.5Z\",\"annotations\":{\"s\":\"t\"},"
                + "\"labels\":{\"b\":\"2\",\"a\":\"1\"},\"status\":\"pending\",\"fingerprint\":\"f\"}";
        final AlertEvent e = AlertEventJson.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(e).isEqualTo(new AlertEvent("f", EventStatus.PENDING, Labels.of("a", "1", "b", "2"),
                Map.of("s", "t"), Instant.parse("2022-06-21T06:31:10.500Z"), Optional.empty(), Optional.empty(),
                OptionalDouble.of(7), "g/a", "u"));
    }

    @Test
    void refusesMalformedInputWithAClearMessage() {
        final String valid = AlertEventJson.writeString(firing());
        assertRefused("{\"fingerprint\":", "malformed alert event JSON");
        assertRefused("[1]", "must be a JSON object");
        assertRefused(valid.replace("\"status\":\"firing\"", "\"status\":\"burning\""), "\"burning\"");
        assertRefused(valid.replace(",\"rule\":\"backend-nodes/NodeCpuFarBelowPeers\"", ""),
                "missing field \"rule\"");
        assertRefused(valid.replace("2022-06-21T06:31:10Z", "yesterday"), "\"activeAt\" must be an RFC 3339");
        assertRefused(valid.replace("\"value\":21.4969", "\"value\":\"21\""), "\"value\" must be a number");
        assertRefused(valid.replace("\"cluster\":\"backend\"", "\"cluster\":3"), "\"labels.cluster\" must be a string");
        assertRefused(valid + "{}", "after the alert event object");
    }

    private static void assertRefused(final String json, final String messagePart) {
        assertThatThrownBy(() -> AlertEventJson.read(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(messagePart);
    }
}
