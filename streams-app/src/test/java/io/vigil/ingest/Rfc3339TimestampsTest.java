package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339TimestampsTest {

    private static final long YEAR_1 = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    private static final long YEAR_9999 = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    @Test
    void theUtcFastPathAgreesWithJavaTimeOverTheWholeRange() {
        final Random random = new Random(3339);
        for (int i = 0; i < 20_000; i++) {
            final Instant instant = Instant.ofEpochSecond(YEAR_1 + (long) (random.nextDouble() * (YEAR_9999 - YEAR_1)),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            final long expected = instant.truncatedTo(ChronoUnit.MILLIS).toEpochMilli();

            assertThat(Rfc3339Timestamps.parseMillis(instant.toString())).as(instant.toString()).isEqualTo(expected);
            final String withOffset = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    OffsetDateTime.ofInstant(instant, ZoneOffset.ofHoursMinutes(random.nextInt(14), 30)));
            assertThat(Rfc3339Timestamps.parseMillis(withOffset)).as(withOffset).isEqualTo(expected);
        }
    }

    @Test
    void leapDaysFollowTheGregorianRules() {
        assertThat(Rfc3339Timestamps.parseMillis("2024-02-29T00:00:00Z"))
                .isEqualTo(Instant.parse("2024-02-29T00:00:00Z").toEpochMilli());
        assertThat(Rfc3339Timestamps.parseMillis("2000-02-29T00:00:00Z"))
                .isEqualTo(Instant.parse("2000-02-29T00:00:00Z").toEpochMilli());
        assertThat(Rfc3339Timestamps.parseMillis("1900-02-29T00:00:00Z")).isEqualTo(Rfc3339Timestamps.INVALID);
    }

    /** RFC 3339 allows a fraction of any length, and the offset form must read it as the Z form does. */
    @ParameterizedTest
    @ValueSource(strings = {"2022-06-21T06:30:00.1234567891Z", "2022-06-21T08:30:00.1234567891+02:00",
        "2022-06-21T01:00:00.12399999999999999999-05:30", "2022-06-21T06:30:00.123-00:00",
        "2022-06-21t08:30:00.123+02:00", "2022-06-21T06:30:00.123z"})
    void readsAFractionOfAnyLengthWithAnyOffset(final String text) {
        assertThat(Rfc3339Timestamps.parseMillis(text))
                .isEqualTo(Instant.parse("2022-06-21T06:30:00.123Z").toEpochMilli());
    }

    @Test
    void aFractionIsTruncatedTowardsThePastBeforeTheEpochToo() {
        assertThat(Rfc3339Timestamps.parseMillis("1969-12-31T21:59:59.9999+22:00"))
                .isEqualTo(Instant.parse("1969-12-30T23:59:59.999Z").toEpochMilli());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2022-06-21T06:30:00", "2022-06-21 06:30:00Z", "2022-06-21T06:30Z",
        "2022-06-21T06:30+02:00", "2022-13-01T00:00:00Z", "2022-00-01T00:00:00Z", "2022-04-31T00:00:00Z",
        "2022-06-21T24:00:00Z", "2022-06-21T06:60:00Z", "2022-06-21T06:30:60Z", "2022-06-21T06:30:00.Z",
        "2022-06-21T06:30:00.12aZ", "2022-06-21T06:30:00+2:00", "2022-06-21T06:30:00+25:00", "22-06-21T06:30:00Z",
        "+12022-06-21T06:30:00Z", "2022-06-21T06:30:00ZZ", "2022-06-21T06:30:00Z ", "1655793000000",
        "2022-06-21T06:30:00+02", "2022-06-21T06:30:00+02:00:05", "2022-06-21T06:30:00+0200",
        "2022-06-21T06:30:00+02:0", "2022-06-21T06:30:00+24:00", "2022-06-21T06:30:00+02:60",
        "2022-06-21T06:30:00.5", "2022-06-21T06:30:00.5+",
        "2022-06-21T06:30:00 +02:00", "2022-06-21T06:30:00.12345678901234567890+02:00x", "2022-06-21T06:30:00UTC"})
    void refusesWhatIsNotRfc3339(final String text) {
        assertThat(Rfc3339Timestamps.parseMillis(text)).isEqualTo(Rfc3339Timestamps.INVALID);
    }
}
