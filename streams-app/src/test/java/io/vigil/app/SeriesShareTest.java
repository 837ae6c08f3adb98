package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /api/series}' shares, one per instance, made one answer. */
class SeriesShareTest {

    private static Map<String, Object> entry(final String rule, final String instance, final String state,
                                             final double value) {
        final Map<String, Object> e = new HashMap<>();
        e.put("rule", rule);
        e.put("labels", Map.of("__name__", "cpu", "instance", instance));
        e.put("state", state);
        e.put("activeAt", null);
        e.put("value", value);
        e.put("median", null);
        e.put("z", null);
        return e;
    }

    @Test
    void anOutlierTakesTheStateOfItsAlertFromWhicheverShareHoldsIt() throws Exception {
        // Instance A evaluates node-07's series; instance B's peer stage holds its alert, firing.
        final SeriesShare a = new SeriesShare(List.of(entry("web/Low", "node-07", "inactive", 3.2),
                entry("web/CpuHigh", "node-01", "inactive", 40)), 2, List.of(), List.of());
        final Map<String, Object> alert = Map.of("rule", "web/Low", "labels", Map.of("instance", "node-07",
                "__name__", "cpu"), "state", "firing", "activeAt", "2026-12-06T10:00:00Z", "median", 2507.0, "z", -9.5);
        final SeriesShare b = new SeriesShare(List.of(entry("web/CpuHigh", "node-02", "pending", 95)), 1,
                List.of("task 0_3 of b:8080"), List.of(alert));

        final SeriesShare merged = SeriesShare.merge(List.of(a, b), 10);
        assertThat(merged.series()).extracting(e -> e.get("rule") + " " + ((Map<?, ?>) e.get("labels")).get("instance")
                + " " + e.get("state")).containsExactly("web/Low node-07 firing", "web/CpuHigh node-02 pending",
                "web/CpuHigh node-01 inactive");
        assertThat(merged.series().get(0)).containsEntry("median", 2507.0).containsEntry("z", -9.5)
                .containsEntry("activeAt", "2026-12-06T10:00:00Z").containsEntry("value", 3.2);
        assertThat(merged.matched()).isEqualTo(3);
        assertThat(merged.unanswered()).containsExactly("task 0_3 of b:8080");
        // The whole answer leaves the peer stages' alerts out: they are in its entries now.
        assertThat(new ObjectMapper().writeValueAsString(merged)).doesNotContain("outlierAlerts");

        final SeriesShare cut = SeriesShare.merge(List.of(a, b), 1);
        assertThat(cut.series()).hasSize(1);
        assertThat(cut.matched()).isEqualTo(3);
    }

    @Test
    void aShareReadBackFromJsonMergesAsItWasWritten() throws Exception {
        final ObjectMapper json = new ObjectMapper();
        final SeriesShare share = new SeriesShare(List.of(entry("web/CpuHigh", "node-01", "inactive", 40)), 1,
                List.of(), List.of());
        final SeriesShare read = json.readValue(json.writeValueAsString(share), SeriesShare.class);
        assertThat(SeriesShare.merge(List.of(read), 10)).isEqualTo(SeriesShare.merge(List.of(share), 10));
    }
}
