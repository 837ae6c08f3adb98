package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetMetricsTest {

    @Test
    void aNodesSeriesAreItsFiveMetricsAndThenTheOnesNoRuleNames() {
        final FleetMetrics plain = new FleetMetrics(10);
        assertThat(plain.key(4)).isEqualTo("node-00000/http_requests_total");
        assertThat(plain.key(5)).isEqualTo("node-00001/cpu_usage_percent");

        final FleetMetrics wider = new FleetMetrics(14, 2);
        assertThat(wider.key(4)).isEqualTo("node-00000/http_requests_total");
        assertThat(wider.key(6)).isEqualTo("node-00000/node_unselected_metric_1");
        assertThat(wider.key(7)).isEqualTo("node-00001/cpu_usage_percent");
        assertThat(wider.datapoint(5, 1_655_793_000_000L, false))
                .startsWith("{\"labels\":{\"__name__\":\"node_unselected_metric_0\",\"cluster\":\"cluster-0\","
                        + "\"instance\":\"node-00000\"")
                .contains("\"name\":\"node_unselected_metric_0\"");
    }

    @Test
    void aRecordingGivesEverySeriesOncePerScrape() throws Exception {
        final List<String> keys = new ArrayList<>();
        new FleetMetrics(7, 2).record(14, 60_000, (s, key, json) -> keys.add(key));
        assertThat(keys).hasSize(14);
        assertThat(keys.subList(0, 7)).doesNotHaveDuplicates().containsExactlyElementsOf(keys.subList(7, 14))
                .contains("node-00000/node_unselected_metric_1");
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThatThrownBy(() -> new FleetMetrics(10, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
