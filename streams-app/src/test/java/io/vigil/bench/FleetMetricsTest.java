package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.InputTopic;
import io.vigil.ingest.RecordDecoder;
import io.vigil.ingest.TopicDecoders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetMetricsTest {

    @Test
    void aNodesSeriesAreItsFiveMetricsAndThenTheOnesNoRuleNames() {
        final FleetMetrics plain = new FleetMetrics(10);
        assertThat(plain.key(4)).isEqualTo(
                "http_requests_total{cluster=\"cluster-0\",instance=\"node-00000\",region=\"eu-west-1\",role=\"api\"}");
        assertThat(plain.key(5)).startsWith("cpu_usage_percent{cluster=\"cluster-0\",instance=\"node-00001\",");

        final FleetMetrics wider = new FleetMetrics(14, 2);
        assertThat(wider.key(4)).startsWith("http_requests_total{cluster=\"cluster-0\",instance=\"node-00000\",");
        assertThat(wider.key(6)).startsWith("node_unselected_metric_1{cluster=\"cluster-0\",instance=\"node-00000\",");
        assertThat(wider.key(7)).startsWith("cpu_usage_percent{cluster=\"cluster-0\",instance=\"node-00001\",");
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
                .contains(new FleetMetrics(7, 2).key(6));
    }

    @Test
    void aRecordsKeyIsTheSeriesIngestReadsInItsValueSoItLandsOnItsEvaluatorsPartition() {
        final FleetMetrics fleet = new FleetMetrics(200);
        final RecordDecoder decoder = new TopicDecoders(List.of(InputTopic.auto("m")), IngestLimits.defaults())
                .forTopic("m");
        final long t = 1_655_793_000_000L;
        for (int s = 0; s < fleet.series(); s++) {
            final byte[] json = fleet.datapoint(s, t, false).getBytes(StandardCharsets.UTF_8);
            assertThat(decoder.decode(json, t).datapoints()).singleElement()
                    .extracting(p -> p.series().key()).isEqualTo(fleet.key(s));
        }
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThatThrownBy(() -> new FleetMetrics(10, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
