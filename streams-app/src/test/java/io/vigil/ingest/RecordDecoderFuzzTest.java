package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mutated and random bytes: the decoder never throws and never loses a record silently. */
class RecordDecoderFuzzTest {

    private static final long NOW = RecordDecoderTest.NOW;
    private static final List<String> SEEDS = List.of(
            RecordDecoderTest.SAMPLE,
            "[" + RecordDecoderTest.SAMPLE + ",{\"labels\":{\"__name__\":\"up\",\"job\":\"api\",\"e\":\"\"},"
                    + "\"value\":\"NaN\",\"timestamp\":1655793000000}]",
            "{\"name\":\"http_requests_total\",\"labels\":{\"code\":\"200\"},\"value\":\"+Inf\","
                    + "\"timestamp\":\"2022-06-21T08:30:00.123+02:00\",\"extra\":[1,{\"a\":null}]}",
            "[{\"name\":\"a\",\"value\":-1.5e3,\"timestamp\":1655793000000.5},\"x\",[],null,"
                    + "{\"name\":\"b:c\",\"value\":\"-Inf\",\"timestamp\":\"2022-06-21t06:30:00.999999z\"}]");
    /** Bytes that change JSON structure, so that mutations reach more than the string scanner. */
    private static final byte[] INTERESTING = "{}[]\":,0123456789.eE+-ntfuaINZT \\\n\u0000"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void twentyThousandMutatedRecordsNeverThrowAndNeverVanish() {
        final RecordDecoder decoder = new RecordDecoder(IngestLimits.defaults());
        final Random random = new Random(20220621L);
        final Map<DeadLetterReason, Integer> seen = new EnumMap<>(DeadLetterReason.class);
        int valid = 0;
        for (int i = 0; i < 20_000; i++) {
            final byte[] input = i % 10 == 0 ? randomBytes(random) : mutate(random, seed(random));

            final DecodedRecord record = decoder.decode(input, NOW);

            assertThat(record.datapoints().size() + record.rejections().size() + record.skippedFields())
                    .as("outcomes of input %d", i).isPositive();
            assertThat(record.fullyValid()).isEqualTo(record.rejections().isEmpty());
            for (final Rejection rejection : record.rejections()) {
                assertThat(rejection.reason()).as("input %d: %s", i, rejection.detail())
                        .isNotEqualTo(DeadLetterReason.DECODER_FAILURE);
                assertThat(rejection.detail()).hasSizeLessThanOrEqualTo(Rejection.MAX_DETAIL_LENGTH)
                        .doesNotContain("\n", "\r");
                if (rejection.reason().wholeRecord()) {
                    assertThat(record.datapoints()).isEmpty();
                    assertThat(record.rejections()).hasSize(1);
                }
                seen.merge(rejection.reason(), 1, Integer::sum);
            }
            for (final Datapoint d : record.datapoints()) {
                assertThat(NameSyntax.isMetricName(d.series().name())).isTrue();
                assertThat(d.timestampMs()).isLessThanOrEqualTo(NOW + 300_000);
            }
            assertThat(record.deadLetterMessage()).doesNotContain("\n", "\r");
            valid += record.fullyValid() ? 1 : 0;
        }
        // The mutations must reach past the parser, or this test would prove little.
        assertThat(valid).isGreaterThan(1_000);
        assertThat(seen).containsKeys(DeadLetterReason.UNPARSEABLE, DeadLetterReason.INVALID_VALUE,
                DeadLetterReason.INVALID_NAME, DeadLetterReason.INVALID_TIMESTAMP, DeadLetterReason.NOT_AN_OBJECT);
    }

    private static byte[] seed(final Random random) {
        return SEEDS.get(random.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(final Random random) {
        final byte[] bytes = new byte[1 + random.nextInt(64)];
        random.nextBytes(bytes);
        if (random.nextBoolean()) {
            bytes[0] = random.nextBoolean() ? (byte) '{' : (byte) '[';
        }
        return bytes;
    }

    private static byte[] mutate(final Random random, final byte[] seed) {
        byte[] bytes = seed;
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && bytes.length > 0; m++) {
            final int at = random.nextInt(bytes.length);
            switch (random.nextInt(6)) {
                case 0 -> bytes[at] = (byte) random.nextInt(256);
                case 1 -> bytes[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> bytes = splice(bytes, at, at + random.nextInt(Math.min(8, bytes.length - at) + 1),
                        new byte[0]);
                case 3 -> bytes = splice(bytes, at, at,
                        new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]});
                case 4 -> bytes = Arrays.copyOf(bytes, at);
                default -> {
                    final int len = random.nextInt(Math.min(16, bytes.length - at) + 1);
                    bytes = splice(bytes, at, at, Arrays.copyOfRange(bytes, at, at + len));
                }
            }
        }
        return bytes;
    }

    private static byte[] splice(final byte[] bytes, final int from, final int to, final byte[] insert) {
        final byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }
}
