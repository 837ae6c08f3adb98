package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Datapoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A label set read again through {@link KnownLabels} is found, not read: the series it gives shares the labels read
 * the first time. Only accepted label sets are kept, under the limits that accepted them, and never more than the
 * bound. (That what is found decodes as reading would is {@code PlainNativeJsonPropertiesTest}'s.)
 */
class KnownLabelsTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final long MINUTE = 60_000L;
    private static final RecordDecoder DECODER = new RecordDecoder(IngestLimits.defaults(), InputFormat.JSON,
            TimestampPrecision.MILLISECONDS);

    @Test
    void aLabelSetReadAgainIsFoundWithAnotherNameAndValue() {
        final KnownLabels known = new KnownLabels();
        final Datapoint first = point(known, "cpu", "{\"instance\":\"node-1\",\"cluster\":\"a\"}", 1.5);
        final Datapoint again = point(known, "memory", "{\"instance\":\"node-1\",\"cluster\":\"a\"}", 2.5);
        assertThat(known.labelSets()).isEqualTo(1);
        assertThat(again.series().labels()).isSameAs(first.series().labels());
        assertThat(again.series().key()).isEqualTo("memory{cluster=\"a\",instance=\"node-1\"}");
        assertThat(again.series().keyBytes()).isEqualTo(again.series().key().getBytes(StandardCharsets.UTF_8));
        assertThat(again.value()).isEqualTo(2.5);
        // Other bytes, even for the same labels, are another entry.
        point(known, "cpu", "{\"cluster\":\"a\",\"instance\":\"node-1\"}", 1);
        assertThat(known.labelSets()).isEqualTo(2);
    }

    @Test
    void aMetricNameFromItsLabelsIsKeptWithThem() {
        final KnownLabels known = new KnownLabels();
        for (int i = 0; i < 2; i++) {
            final DecodedRecord decoded = DECODER.decode(("{\"labels\":{\"__name__\":\"up\",\"job\":\"x\"},"
                    + "\"value\":1,\"timestamp\":" + NOW + "}").getBytes(StandardCharsets.UTF_8), NOW, known);
            assertThat(decoded.datapoints().get(0).series().key()).isEqualTo("up{job=\"x\"}");
        }
        assertThat(known.labelSets()).isEqualTo(1);
    }

    /**
     * prometheus-kafka-adapter's layout, its label set and timestamp read before, is accepted without the general
     * checks: a timestamp outside the years 0000 to 9999 must still be refused there, the second time as the first.
     */
    @Test
    void aKnownTimestampOutsideTheYearsIsRejectedAgain() {
        final KnownLabels known = new KnownLabels();
        final byte[] record = ("{\"labels\":{\"__name__\":\"up\",\"job\":\"x\"},\"name\":\"up\","
                + "\"timestamp\":\"0000-01-01T00:00:00+00:01\",\"value\":\"1\"}").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2; i++) {
            assertThat(DECODER.decode(record, NOW, known).deadLetterMessage())
                    .isEqualTo("invalid_timestamp: timestamp -62167219260000 ms is outside the years 0000 to 9999"
                            + " at line 1, column 63 (byte offset 62)");
        }
        assertThat(known.labelSets()).isEqualTo(1);
    }

    /**
     * The task's one reader, given up part-way through a record (a datapoint accepted, then a field it leaves to
     * Jackson), carries nothing of it into the next record: neither that datapoint nor the abandoned one's fields.
     */
    @Test
    void aRecordGivenUpPartWayLeavesNothingForTheNext() {
        final KnownLabels known = new KnownLabels();
        final byte[] givenUp = ("[{\"name\":\"a\",\"labels\":{\"job\":\"x\"},\"value\":1,\"timestamp\":" + NOW + "},"
                + "{\"name\":\"b\",\"value\":7,\"timestamp\":" + NOW + ",\"extra\":null}]")
                .getBytes(StandardCharsets.UTF_8);
        final DecodedRecord first = DECODER.decode(givenUp, NOW, known);
        assertThat(first.datapoints()).extracting(d -> d.series().name()).containsExactly("a", "b");
        final DecodedRecord next = DECODER.decode(("{\"labels\":{\"job\":\"y\"},\"timestamp\":" + NOW + "}")
                .getBytes(StandardCharsets.UTF_8), NOW, known);
        assertThat(next.datapoints()).isEmpty();
        assertThat(next.rejections()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.MISSING_NAME));
    }

    @Test
    void rejectedLabelSetsAreNotKeptAndStayRejected() {
        final KnownLabels known = new KnownLabels();
        final byte[] record = ("{\"name\":\"m\",\"labels\":{\"bad-name\":\"x\"},\"value\":1,\"timestamp\":" + NOW + "}")
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2; i++) {
            final DecodedRecord decoded = DECODER.decode(record, NOW, known);
            assertThat(decoded.rejections()).singleElement()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_LABEL_NAME));
        }
        assertThat(known.labelSets()).isZero();
    }

    @Test
    void aLabelSetKeptUnderSomeLimitsIsCheckedAgainUnderOthers() {
        final KnownLabels known = new KnownLabels();
        final RecordDecoder tight = new RecordDecoder(new IngestLimits(4096, 1, 128, 2048, Duration.ofMinutes(5),
                Duration.ofDays(7)), InputFormat.JSON, TimestampPrecision.MILLISECONDS);
        final byte[] record = ("{\"name\":\"m\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"value\":1,\"timestamp\":" + NOW
                + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(DECODER.decode(record, NOW, known).fullyValid()).isTrue();
        assertThat(tight.decode(record, NOW, known).rejections()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.TOO_MANY_LABELS));
    }

    /**
     * A task reading more label sets than it keeps, each once a scrape (a large fleet), finds those it kept first at
     * every scrape after, for longer than it takes to let go of unused ones; it never keeps more than its bound.
     */
    @Test
    void moreLabelSetsThanItKeepsFindTheFirstKeptAtEveryScrape() {
        final KnownLabels known = new KnownLabels();
        final int fleet = KnownLabels.MAX_LABEL_SETS * 5 / 2;
        final Datapoint[] first = scrape(known, NOW, "node-", 0, fleet);
        assertThat(known.labelSets()).isEqualTo(KnownLabels.MAX_LABEL_SETS);
        final long scrapes = 3 * KnownLabels.UNUSED_MS / MINUTE;
        for (long minute = 1; minute <= scrapes; minute++) {
            final Datapoint[] again = scrape(known, NOW + minute * MINUTE, "node-", 0, fleet);
            assertThat(known.labelSets()).isEqualTo(KnownLabels.MAX_LABEL_SETS);
            for (int i = 0; i < fleet; i++) {
                if (i < KnownLabels.MAX_LABEL_SETS) {
                    assertThat(again[i].series()).as("minute %d, node-%d", minute, i).isSameAs(first[i].series());
                } else {
                    assertThat(again[i].series()).as("minute %d, node-%d", minute, i).isNotSameAs(first[i].series())
                            .isEqualTo(first[i].series());
                }
            }
        }
    }

    /**
     * Label sets that stop coming give way to those that come instead, once the table has gone without finding them
     * for {@link KnownLabels#UNUSED_MS}; those still coming stay.
     */
    @Test
    void labelSetsNoLongerReadGiveWayToNewOnes() {
        final KnownLabels known = new KnownLabels();
        final int half = KnownLabels.MAX_LABEL_SETS / 2;
        final Datapoint[] old = scrape(known, NOW, "old-", 0, KnownLabels.MAX_LABEL_SETS);
        final long dueMinute = KnownLabels.UNUSED_MS / MINUTE;
        Datapoint[] fresh = null;
        for (long minute = 1; minute <= dueMinute + 1; minute++) {
            final long now = NOW + minute * MINUTE;
            // Half the old targets still scraped, the other half gone; as many new ones as the table holds.
            final Datapoint[] stillThere = scrape(known, now, "old-", 0, half);
            final Datapoint[] newOnes = scrape(known, now, "new-", 0, KnownLabels.MAX_LABEL_SETS);
            for (int i = 0; i < half; i++) {
                assertThat(stillThere[i].series()).as("minute %d, old-%d", minute, i).isSameAs(old[i].series());
            }
            for (int i = 0; i < newOnes.length; i++) {
                final boolean kept = minute == dueMinute + 1 && i < half;
                assertThat(fresh != null && newOnes[i].series() == fresh[i].series())
                        .as("minute %d, new-%d found", minute, i).isEqualTo(kept);
            }
            fresh = newOnes;
            assertThat(known.labelSets()).isEqualTo(KnownLabels.MAX_LABEL_SETS);
        }
        assertThat(scrape(known, NOW + (dueMinute + 2) * MINUTE, "old-", half, 1)[0].series())
                .as("gone, then back: read anew").isNotSameAs(old[half].series());
    }

    /**
     * The ingest tasks of a thread share its table, which keeps as many label sets as they would each have kept, a
     * label set once however many of them read it; a task leaving shrinks it back. Other threads have their own, and
     * so has another topology's set of tables.
     */
    @Test
    void theTasksOfAThreadShareItsTable() throws Exception {
        final KnownLabels.ByThread byThread = new KnownLabels.ByThread();
        final KnownLabels known = byThread.ofThisThread();
        known.join();
        byThread.ofThisThread().join();
        final int both = 2 * KnownLabels.MAX_LABEL_SETS;
        final Datapoint[] first = scrape(known, NOW, "node-", 0, both);
        final Datapoint[] again = scrape(byThread.ofThisThread(), NOW + MINUTE, "node-", 0, both);
        assertThat(known.labelSets()).isEqualTo(both);
        for (int i = 0; i < both; i++) {
            assertThat(again[i].series()).as("node-%d", i).isSameAs(first[i].series());
        }
        known.leave();
        // The next label set kept finds the table over its bound, and empties it first.
        scrape(known, NOW + 2 * MINUTE, "other-", 0, 1);
        assertThat(known.labelSets()).isEqualTo(1);
        assertThat(scrape(known, NOW + 2 * MINUTE, "node-", 0, 1)[0].series()).as("read anew")
                .isNotSameAs(first[0].series());

        final ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertThat(other.submit(byThread::ofThisThread).get()).isNotSameAs(known);
        } finally {
            other.shutdown();
        }
        assertThat(new KnownLabels.ByThread().ofThisThread()).isNotSameAs(known);
    }

    /** One datapoint of metric {@code m}, read at {@code nowMs}, for each of the targets {@code prefix + from..}. */
    private static Datapoint[] scrape(final KnownLabels known, final long nowMs, final String prefix, final int from,
                                      final int count) {
        final Datapoint[] points = new Datapoint[count];
        for (int i = 0; i < count; i++) {
            points[i] = point(known, nowMs, "m", "{\"instance\":\"" + prefix + (from + i) + "\"}", i);
        }
        return points;
    }

    @Test
    void aSeriesReadAgainIsTheSameSeries() {
        final KnownLabels known = new KnownLabels();
        final String labels = "{\"instance\":\"node-1\",\"cluster\":\"a\"}";
        final Datapoint cpu = point(known, "cpu", labels, 1);
        final Datapoint memory = point(known, "memory", labels, 2);
        assertThat(point(known, "cpu", labels, 3).series()).isSameAs(cpu.series());
        assertThat(point(known, "memory", labels, 4).series()).isSameAs(memory.series());
        assertThat(cpu.series().keyBytes())
                .isEqualTo("cpu{cluster=\"a\",instance=\"node-1\"}".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The labels object's end is found, and its bytes hashed, a word at a time: every length of label set, a value
     * holding braces, the object where a record ends (fewer than eight bytes after it), and adapter-style label sets
     * kept without their name label are all found again.
     */
    @Test
    void labelSetsOfEveryLengthAreFoundAgain() {
        for (int length = 0; length < 3 * Long.BYTES; length++) {
            final String value = "v{}x".repeat(length).substring(0, length);
            final String labels = "{\"instance\":\"" + value + "\"}";
            final String named = "{\"__name__\":\"up\",\"job\":\"" + value + "\"}";
            for (String record : new String[] {
                "{\"name\":\"m\",\"labels\":" + labels + ",\"value\":1,\"timestamp\":" + NOW + "}",
                "{\"name\":\"m\",\"value\":1,\"timestamp\":" + NOW + ",\"labels\":" + labels + "}",
                "{\"labels\":" + named + ",\"name\":\"up\",\"timestamp\":" + NOW + ",\"value\":\"1\"}",
                "{\"timestamp\":" + NOW + ",\"value\":\"1\",\"labels\":" + named + "}",
            }) {
                final KnownLabels known = new KnownLabels();
                final byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
                final Datapoint first = DECODER.decode(bytes, NOW, known).datapoints().get(0);
                final Datapoint again = DECODER.decode(bytes, NOW, known).datapoints().get(0);
                assertThat(known.labelSets()).as(record).isEqualTo(1);
                assertThat(again.series()).as(record).isSameAs(first.series());
            }
        }
    }

    /**
     * A name is looked up by the hash its string's scan took (or its name label's, where the adapter wrote it twice):
     * names of every length are found again.
     */
    @Test
    void aMetricNameReadAgainIsTheSameString() {
        final KnownLabels known = new KnownLabels();
        for (int length = 1; length < 3 * Long.BYTES; length++) {
            final String name = "node_cpu_seconds_total_x".substring(0, length);
            final Datapoint first = point(known, name, "{\"a\":\"" + length + "\"}", 1);
            final Datapoint again = point(known, name, "{\"b\":\"" + length + "\"}", 2);
            assertThat(again.series().name()).as(name).isEqualTo(name).isSameAs(first.series().name());
            // Written twice, as the adapter does (the name label first): read once, by the label's hash.
            final String adapter = "{\"labels\":{\"__name__\":\"" + name + "\",\"c\":\"" + length + "\"},\"name\":\""
                    + name + "\",\"timestamp\":" + NOW + ",\"value\":\"3\"}";
            assertThat(DECODER.decode(adapter.getBytes(StandardCharsets.UTF_8), NOW, known).datapoints().get(0)
                    .series().name()).as(adapter).isSameAs(first.series().name());
        }
    }

    /**
     * The last RFC 3339 timestamp is read again from its bytes: the same string reads as before; one that only begins
     * like it is read, and rejected if it is no timestamp.
     */
    @Test
    void theLastTimestampIsReadAgainOnlyWhereItsBytesAreTheSame() {
        final KnownLabels known = new KnownLabels();
        assertThat(timestampOf(known, "2026-12-02T04:00:00Z")).isEqualTo(1_796_184_000_000L);
        assertThat(timestampOf(known, "2026-12-02T04:00:00Z")).isEqualTo(1_796_184_000_000L);
        assertThat(timestampOf(known, "2026-12-02T04:00:00.5Z")).isEqualTo(1_796_184_000_500L);
        assertThat(timestampOf(known, "2026-12-02T04:00:00.5Z")).isEqualTo(1_796_184_000_500L);
        assertThat(timestampOf(known, "2026-12-02T04:00:00Z")).isEqualTo(1_796_184_000_000L);
        final String longer = "{\"name\":\"m\",\"value\":1,\"timestamp\":\"2026-12-02T04:00:00Zx\"}";
        assertThat(DECODER.decode(longer.getBytes(StandardCharsets.UTF_8), NOW, known).rejections())
                .singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP));
        assertThat(timestampOf(known, "2026-12-02T04:00:01Z")).isEqualTo(1_796_184_001_000L);
    }

    private static long timestampOf(final KnownLabels known, final String rfc3339) {
        final String record = "{\"name\":\"m\",\"value\":1,\"timestamp\":\"" + rfc3339 + "\"}";
        final DecodedRecord decoded = DECODER.decode(record.getBytes(StandardCharsets.UTF_8), NOW, known);
        assertThat(decoded.rejections()).as(record).isEmpty();
        return decoded.datapoints().get(0).timestampMs();
    }

    @Test
    void itKeepsNoMoreSeriesPerLabelSetThanItsBound() {
        final KnownLabels known = new KnownLabels();
        final String labels = "{\"instance\":\"node-1\"}";
        final int names = KnownLabels.MAX_SERIES_PER_LABEL_SET + 3;
        final Datapoint[] first = new Datapoint[names];
        for (int n = 0; n < names; n++) {
            first[n] = point(known, "m" + n, labels, n);
        }
        for (int n = 0; n < names; n++) {
            final Datapoint again = point(known, "m" + n, labels, n);
            assertThat(again.series()).isEqualTo(first[n].series());
            if (n < KnownLabels.MAX_SERIES_PER_LABEL_SET) {
                assertThat(again.series()).isSameAs(first[n].series());
            } else {
                assertThat(again.series()).as("beyond the bound, made again").isNotSameAs(first[n].series());
            }
        }
    }

    private static Datapoint point(final KnownLabels known, final String name, final String labels,
                                   final double value) {
        return point(known, NOW, name, labels, value);
    }

    private static Datapoint point(final KnownLabels known, final long nowMs, final String name, final String labels,
                                   final double value) {
        final String record = "{\"name\":\"" + name + "\",\"labels\":" + labels + ",\"value\":" + value
                + ",\"timestamp\":" + nowMs + "}";
        final DecodedRecord decoded = DECODER.decode(record.getBytes(StandardCharsets.UTF_8), nowMs, known);
        assertThat(decoded.rejections()).isEmpty();
        return decoded.datapoints().get(0);
    }
}
