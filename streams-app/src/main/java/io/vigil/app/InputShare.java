package io.vigil.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which of the input partitions this instance reads, said when that changes. With several instances the nodes each
 * one evaluates move at every rebalance, and the moment a survivor takes over a dead instance's partitions is when
 * its alerts resume: an operator reading one instance's log could not tell (a failover audit had to ask Kafka's group
 * tools). An instance that reads every partition from its start, as one alone does, says nothing. A share is said once
 * seen {@link #LOOKS} times in a row: a stream thread removed once caught up is gone from the instance's threads
 * before the rebalance that gives its tasks to the other thread (under the streams group protocol up to a heartbeat,
 * 5 s, later), and one alone would say it lost half its partitions and got them back.
 *
 * <p>Fed from one thread (the input partition watch's); not thread-safe.
 */
final class InputShare {

    private final Map<String, Integer> partitions;
    private final int total;
    private final String applicationId;
    /** The share last said (or, at first, taken as known); null before. */
    private Set<TopicPartition> said;
    /** How many looks in a row must see a share before it is said: at 5 s apart, stable for 10 s. */
    static final int LOOKS = 3;

    /** A share other than {@link #said}, seen at the last looks: said once seen {@link #LOOKS} times in a row. */
    private Set<TopicPartition> candidate;
    private int candidateLooks;

    /**
     * @param partitions    partitions per input topic, as the topology was built
     * @param applicationId named in the lines, as the group the instances share
     */
    InputShare(final Map<String, Integer> partitions, final String applicationId) {
        this.partitions = Map.copyOf(partitions);
        this.total = this.partitions.values().stream().mapToInt(Integer::intValue).sum();
        this.applicationId = applicationId;
    }

    /**
     * The line to log, if any, for the partitions this instance's active tasks read now (of every topic: those not
     * among the input topics are left out), looked at every few seconds.
     */
    Optional<String> seen(final Set<TopicPartition> active) {
        final Set<TopicPartition> now = new TreeSet<>(
                (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()));
        active.stream().filter(p -> partitions.containsKey(p.topic())).forEach(now::add);
        final Set<TopicPartition> before = said;
        if (now.equals(before)) {
            candidate = null;
            return Optional.empty();
        }
        if (!now.equals(candidate)) {
            candidate = now;
            candidateLooks = 1;
            return Optional.empty();
        }
        if (++candidateLooks < LOOKS) {
            return Optional.empty();
        }
        candidate = null;
        said = now;
        if (before == null) {
            if (now.size() == total) {
                return Optional.empty();
            }
            return Optional.of("this instance reads " + share(now) + (now.isEmpty() ? ": other instances of"
                    + " application " + applicationId + " read them" : "; other instances of application "
                    + applicationId + " read the others"));
        }
        return Optional.of("this instance now reads " + share(now) + ", before " + share(before)
                + ": an instance of application " + applicationId + " joined or left (the series of the partitions"
                + " taken over are evaluated here from now on)");
    }

    /** {@code 2 of the 4 input partitions (metrics: 0, 2-3)}. */
    private String share(final Set<TopicPartition> read) {
        final String of = (read.isEmpty() ? "none" : Integer.toString(read.size())) + " of the " + total
                + " input partition" + (total == 1 ? "" : "s");
        if (read.isEmpty()) {
            return of;
        }
        final Map<String, List<Integer>> byTopic = new TreeMap<>();
        read.forEach(p -> byTopic.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p.partition()));
        final List<String> topics = new ArrayList<>();
        byTopic.forEach((topic, numbers) -> topics.add(topic + ": " + ranges(numbers)));
        return of + " (" + String.join("; ", topics) + ")";
    }

    /** Sorted partition numbers as {@code 0, 2-5, 7}. */
    static String ranges(final List<Integer> sorted) {
        final List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            out.add(j == i ? Integer.toString(sorted.get(i)) : sorted.get(i) + "-" + sorted.get(j));
            i = j + 1;
        }
        return String.join(", ", out);
    }
}
