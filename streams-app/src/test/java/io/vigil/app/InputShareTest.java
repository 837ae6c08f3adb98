package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class InputShareTest {

    private static TopicPartition metrics(final int partition) {
        return new TopicPartition("metrics", partition);
    }

    /** What {@code share} says once it has seen {@code active} at {@link InputShare#LOOKS} looks in a row. */
    private static Optional<String> settled(final InputShare share, final Set<TopicPartition> active) {
        for (int look = 1; look < InputShare.LOOKS; look++) {
            assertThat(share.seen(active)).as("look %d of %s", look, active).isEmpty();
        }
        return share.seen(active);
    }

    @Test
    void anInstanceReadingEveryPartitionFromItsStartSaysNothing() {
        final InputShare share = new InputShare(Map.of("metrics", 2), "vigil");
        // The repartition topics' partitions are not the input's.
        final Set<TopicPartition> all = Set.of(metrics(0), metrics(1), new TopicPartition("vigil-series-repartition", 0));
        assertThat(settled(share, all)).isEmpty();
        assertThat(share.seen(all)).isEmpty();
        // A stream thread removed once caught up: its partitions gone for a moment (up to a heartbeat under the
        // streams protocol, two looks), then the other thread's.
        for (int look = 1; look < InputShare.LOOKS; look++) {
            assertThat(share.seen(Set.of(metrics(1)))).isEmpty();
        }
        assertThat(settled(share, all)).isEmpty();
    }

    @Test
    void aShareIsSaidAtFirstAndAgainOnlyWhenItChanges() {
        final InputShare share = new InputShare(Map.of("metrics", 4, "telegraf", 2), "vigil");
        assertThat(settled(share, Set.of(metrics(2), metrics(0), new TopicPartition("telegraf", 1)))).hasValue(
                "this instance reads 3 of the 6 input partitions (metrics: 0, 2; telegraf: 1); other instances of"
                        + " application vigil read the others");
        assertThat(share.seen(Set.of(metrics(0), metrics(2), new TopicPartition("telegraf", 1)))).isEmpty();
        // The other instance died: this one takes its partitions over, said once settled.
        final Set<TopicPartition> all = Set.of(metrics(0), metrics(1), metrics(2), metrics(3),
                new TopicPartition("telegraf", 0), new TopicPartition("telegraf", 1));
        assertThat(settled(share, all)).hasValue(
                "this instance now reads 6 of the 6 input partitions (metrics: 0-3; telegraf: 0-1), before 3 of the 6"
                        + " input partitions (metrics: 0, 2; telegraf: 1): an instance of application vigil joined or"
                        + " left (the series of the partitions taken over are evaluated here from now on)");
        assertThat(settled(share, Set.of())).hasValueSatisfying(line -> assertThat(line)
                .startsWith("this instance now reads none of the 6 input partitions, before 6 of the 6"));
    }

    @Test
    void anInstanceWithNoPartitionSaysSo() {
        assertThat(settled(new InputShare(Map.of("metrics", 1), "vigil"), Set.of())).hasValue(
                "this instance reads none of the 1 input partition: other instances of application vigil read"
                        + " them");
    }

    @Test
    void partitionNumbersAreWrittenAsRanges() {
        assertThat(InputShare.ranges(List.of(0, 1, 2, 4, 6, 7))).isEqualTo("0-2, 4, 6-7");
        assertThat(InputShare.ranges(List.of(5))).isEqualTo("5");
        assertThat(InputShare.ranges(List.of())).isEmpty();
    }
}
