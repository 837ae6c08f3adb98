package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Values too large for one record, written as several and joined again as they were. */
class RecordPartsTest {

    private static final String KEY = "cpu{instance=\"node-1\"}";

    @Test
    void bytesThatFitAreOneRecordAsTheyAre() {
        final byte[] bytes = bytes(RecordParts.MAX_BYTES);
        assertThat(RecordParts.split(bytes)).containsExactly(bytes);
    }

    @Test
    void largerBytesAreSplitIntoPartsOfAtMostTheLimitAndJoinedBackUnderTheirKey() {
        for (int length : new int[] {RecordParts.MAX_BYTES + 1, 3 * RecordParts.MAX_BYTES, 3_000_001}) {
            final byte[] bytes = bytes(length);
            final List<byte[]> parts = RecordParts.split(bytes);
            assertThat(parts).hasSizeGreaterThan(1)
                    .allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(RecordParts.MAX_BYTES));
            assertThat(parts.get(0)[0]).isEqualTo(RecordParts.FIRST_OF_MANY);

            final Map<String, byte[]> records = new HashMap<>(Map.of("other", new byte[] {4, 1}));
            for (int i = 0; i < parts.size(); i++) {
                records.put(RecordParts.partKey(KEY, i), parts.get(i));
            }
            final Map<String, Integer> parted = new HashMap<>();
            final List<String> stale = new ArrayList<>();
            RecordParts.join(records, parted, stale::add);

            assertThat(records).containsOnlyKeys(KEY, "other");
            assertThat(records.get(KEY)).isEqualTo(bytes);
            assertThat(parted).containsExactly(Map.entry(KEY, parts.size()));
            assertThat(stale).isEmpty();
        }
    }

    @Test
    void aPartNoFirstPartCountsIsRemovedAndReported() {
        final Map<String, byte[]> records = new HashMap<>(Map.of(KEY, new byte[] {4, 1},
                RecordParts.partKey(KEY, 1), new byte[] {9}));
        final List<String> stale = new ArrayList<>();
        RecordParts.join(records, new HashMap<>(), stale::add);
        assertThat(records).containsOnlyKeys(KEY);
        assertThat(stale).containsExactly(RecordParts.partKey(KEY, 1));
    }

    @Test
    void aMissingPartIsAnError() {
        final List<byte[]> parts = RecordParts.split(bytes(2 * RecordParts.MAX_BYTES));
        final Map<String, byte[]> records = new HashMap<>(Map.of(KEY, parts.get(0)));
        assertThatThrownBy(() -> RecordParts.join(records, new HashMap<>(), key -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("part 1 of 3 of the stored value of " + KEY + " is missing");
    }

    @Test
    void onlyAKeyASeparatorAndANumberNameAPart() {
        assertThat(RecordParts.isPartKey(RecordParts.partKey(KEY, 1))).isTrue();
        assertThat(RecordParts.isPartKey(RecordParts.partKey(KEY, 12))).isTrue();
        assertThat(RecordParts.isPartKey(KEY)).isFalse();
        assertThat(RecordParts.isPartKey("node_load1")).isFalse();
        assertThat(RecordParts.isPartKey("\u00021")).isFalse();
        assertThat(RecordParts.isPartKey(KEY + "\u0002")).isFalse();
        assertThat(RecordParts.isPartKey(PeerGroupEvaluator.valueKey("rule\u0000cluster=a", 1_000))).isFalse();
    }

    private static byte[] bytes(final int length) {
        final byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        bytes[0] = 4;
        return bytes;
    }
}
