package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampUnitsTest {

    private static final long NOW = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();

    @Test
    void namesTheUnitATimestampWasLikelyWrittenIn() {
        assertThat(TimestampUnits.hint(NOW / 1_000, NOW)).contains("as 1,000 times that").contains("seconds for");
        assertThat(TimestampUnits.hint(NOW * 1_000, NOW)).contains("as a 1,000th of that").contains("microseconds for");
        assertThat(TimestampUnits.hint(NOW * 1_000_000, NOW)).contains("as a 1,000,000th").contains("nanoseconds for");
    }

    @Test
    void saysNothingOfATimestampNoUnitBringsNear() {
        assertThat(TimestampUnits.hint(NOW - 30L * 24 * 3_600_000, NOW)).isEmpty();
        assertThat(TimestampUnits.hint(0, NOW)).isEmpty();
        assertThat(TimestampUnits.hint(-NOW / 1_000, NOW)).isEmpty();
        assertThat(TimestampUnits.hint(Long.MAX_VALUE, NOW)).isEmpty();
    }
}
