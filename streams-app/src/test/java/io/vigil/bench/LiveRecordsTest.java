package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LiveRecordsTest {

    @Test
    void theLiveLoadsRecordsAreTheFleetsByteForByte() {
        for (final FleetMetrics fleet : new FleetMetrics[] {new FleetMetrics(23), new FleetMetrics(31, 2)}) {
            final LiveRecords records = new LiveRecords(fleet);
            // Across seconds, back and forth, so that the timestamp kept for a second is checked where it changes.
            final long[] times = {1_655_793_000_000L, 1_655_793_000_999L, 1_655_793_001_000L, 1_655_792_999_999L,
                1_655_879_412_345L};
            for (final long t : times) {
                for (int s = 0; s < fleet.series(); s++) {
                    assertThat(new String(records.key(s), StandardCharsets.UTF_8)).isEqualTo(fleet.key(s));
                    assertThat(new String(records.datapoint(s, t), StandardCharsets.UTF_8))
                            .isEqualTo(fleet.datapoint(s, t, false));
                }
            }
        }
    }
}
