package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class CatchUpThreadsTest {

    /** Behind from 1,000 records for 2 checks, caught up within 100 for 3, kept when needed within 60 s. */
    private static final CatchUpThreads.Policy POLICY =
            new CatchUpThreads.Policy(Duration.ofSeconds(5), 1_000, 100, 2, 3, Duration.ofSeconds(60));

    private boolean running = true;
    private long lag;
    private long nowNanos;
    private final List<String> calls = new ArrayList<>();
    private int threads = CatchUpThreads.THREADS_WHEN_BEHIND;
    private boolean removalTimesOut;
    /** An engine that started behind, with two threads (most tests: both directions from there). */
    private final CatchUpThreads scaler = new CatchUpThreads(POLICY, true, () -> running, () -> lag,
            () -> {
                calls.add("add");
                return Optional.of("StreamThread-" + ++threads);
            },
            () -> {
                calls.add("remove");
                if (removalTimesOut) {
                    throw new org.apache.kafka.common.errors.TimeoutException("StreamThread-1 did not stop in time");
                }
                threads--;
                return Optional.of("StreamThread-1");
            },
            () -> nowNanos);

    private void checks(final long recordsWaiting, final int times) {
        lag = recordsWaiting;
        for (int i = 0; i < times; i++) {
            scaler.check();
            nowNanos += Duration.ofSeconds(5).toNanos();
        }
    }

    @Test
    void anEngineThatStartsCaughtUpDropsToOneThread() {
        checks(0, 2);
        checks(101, 1);
        checks(0, 2);
        assertThat(calls).as("two checks caught up, then not: the count starts again").isEmpty();

        checks(100, 1);

        assertThat(calls).containsExactly("remove");
        assertThat(threads).isEqualTo(1);
        assertThat(scaler.additions()).isZero();
        assertThat(scaler.removals()).isEqualTo(1);
    }

    @Test
    void anEngineThatStartsWithOneThreadGetsASecondOnlyWhenBehind() {
        final List<String> oneThreadCalls = new ArrayList<>();
        final long[] waiting = {0};
        final CatchUpThreads started = new CatchUpThreads(POLICY, false, () -> true, () -> waiting[0],
                () -> {
                    oneThreadCalls.add("add");
                    return Optional.of("StreamThread-2");
                },
                () -> {
                    oneThreadCalls.add("remove");
                    return Optional.of("StreamThread-1");
                },
                () -> 0L);
        for (int i = 0; i < 10; i++) {
            started.check();
        }
        assertThat(oneThreadCalls).as("caught up on one thread: nothing to remove").isEmpty();

        waiting[0] = 1_000;
        started.check();
        started.check();

        assertThat(oneThreadCalls).containsExactly("add");
    }

    @Test
    void anEngineThatStartsBehindKeepsBothThreadsUntilCaughtUp() {
        checks(1_000_000, 10);
        assertThat(calls).isEmpty();

        checks(0, 3);

        assertThat(calls).containsExactly("remove");
    }

    @Test
    void aThreadIsAddedOnlyAfterTheEngineStaysBehind() {
        caughtUpAfterStart();
        nowNanos += Duration.ofMinutes(5).toNanos();
        checks(5_000, 1);
        checks(999, 1);
        checks(5_000, 1);
        assertThat(calls).as("one check behind, then not, then behind again: no run of two").containsExactly("remove");

        checks(1_000, 1);

        assertThat(calls).containsExactly("remove", "add");
        assertThat(threads).isEqualTo(2);
        checks(1_000_000, 5);
        assertThat(calls).as("one thread more at most").containsExactly("remove", "add");
    }

    @Test
    void aRemovalThatTimesOutIsNotAskedForAgain() {
        removalTimesOut = true;
        checks(0, 2);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> checks(0, 1))
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        checks(0, 10);

        assertThat(calls).as("asking again would take the other thread").containsExactly("remove");
    }

    @Test
    void anInputNotMeasuredYetCountsNeitherWay() {
        checks(-1, 5);
        assertThat(calls).as("a start: nothing fetched yet").isEmpty();

        checks(0, 3);

        assertThat(calls).containsExactly("remove");
    }

    @Test
    void checksDuringARebalanceCountNeitherWay() {
        checks(0, 2);
        running = false;
        checks(0, 3);
        assertThat(calls).isEmpty();

        running = true;
        checks(0, 1);

        assertThat(calls).containsExactly("remove");
    }

    @Test
    void anEngineBehindAgainSoonAfterCatchingUpKeepsTheThread() {
        caughtUpAfterStart();

        checks(5_000, 2); // 10 s after the removal, within the 60 s

        assertThat(calls).containsExactly("remove", "add");
        checks(0, 20);
        assertThat(calls).as("kept for good").containsExactly("remove", "add");
        assertThat(threads).isEqualTo(2);
    }

    @Test
    void anEngineBehindLongAfterCatchingUpGetsTheThreadForTheNewBacklogOnly() {
        caughtUpAfterStart();
        checks(0, 12); // a minute caught up

        checks(5_000, 2);
        checks(0, 3);

        assertThat(calls).containsExactly("remove", "add", "remove");
        assertThat(scaler.additions()).isEqualTo(1);
        assertThat(scaler.removals()).isEqualTo(2);
    }

    /** The engine's start, caught up: the second thread goes. */
    private void caughtUpAfterStart() {
        checks(0, 3);
        assertThat(calls).containsExactly("remove");
    }

    @Test
    void theLagIsTheMainConsumersRecordsLagOnTheInputTopics() {
        final Map<MetricName, Metric> metrics = new HashMap<>();
        put(metrics, "records-lag", "consumer-fetch-manager-metrics", "app-StreamThread-1-consumer", "metrics", 0, 700.0);
        put(metrics, "records-lag", "consumer-fetch-manager-metrics", "app-StreamThread-2-consumer", "metrics", 1, 300.0);
        put(metrics, "records-lag", "consumer-fetch-manager-metrics", "app-StreamThread-1-consumer", "telegraf", 0, 20.0);
        // Not the input: a repartition topic, a changelog being restored, a lag not measured yet, another metric.
        put(metrics, "records-lag", "consumer-fetch-manager-metrics", "app-StreamThread-1-consumer",
                "app-vigil-series-repartition", 0, 9_000.0);
        put(metrics, "records-lag", "consumer-fetch-manager-metrics", "app-StreamThread-1-restore-consumer", "metrics",
                2, 9_000.0);
        put(metrics, "records-lag", "consumer-fetch-manager-metrics", "app-StreamThread-1-consumer", "metrics", 3,
                Double.NaN);
        put(metrics, "records-lag-max", "consumer-fetch-manager-metrics", "app-StreamThread-1-consumer", "metrics", 0,
                9_000.0);

        assertThat(CatchUpThreads.inputLag(metrics, Set.of("metrics", "telegraf"))).isEqualTo(1_020);
        assertThat(CatchUpThreads.inputLag(metrics, Set.of("telegraf"))).isEqualTo(20);
        assertThat(CatchUpThreads.inputLag(metrics, Set.of("other"))).as("not measured yet").isEqualTo(-1);
        assertThat(CatchUpThreads.inputLag(Map.of(), Set.of("metrics"))).isEqualTo(-1);
    }

    @Test
    void aThreadCountInTheConfigurationOrOneCoreLeavesTheThreadsAlone() {
        assertThat(CatchUpThreads.wanted(Map.of("bootstrap.servers", "localhost:9092"), 2)).isTrue();
        assertThat(CatchUpThreads.wanted(Map.of("num.stream.threads", "1"), 2)).isFalse();
        assertThat(CatchUpThreads.wanted(Map.of(), 1)).isFalse();
    }

    private static void put(final Map<MetricName, Metric> metrics, final String name, final String group,
                            final String clientId, final String topic, final int partition, final double value) {
        final MetricName metricName = new MetricName(name, group, "",
                Map.of("client-id", clientId, "topic", topic, "partition", Integer.toString(partition)));
        metrics.put(metricName, new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
