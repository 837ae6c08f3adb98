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
    private int threads = 1;
    private final CatchUpThreads scaler = new CatchUpThreads(POLICY, () -> running, () -> lag,
            () -> {
                calls.add("add");
                return Optional.of("StreamThread-" + ++threads);
            },
            () -> {
                calls.add("remove");
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
    void aThreadIsAddedOnlyAfterTheEngineStaysBehind() {
        checks(5_000, 1);
        checks(999, 1);
        checks(5_000, 1);
        assertThat(calls).as("one check behind, then not, then behind again: no run of two").isEmpty();

        checks(1_000, 1);

        assertThat(calls).containsExactly("add");
        assertThat(threads).isEqualTo(2);
        checks(1_000_000, 5);
        assertThat(calls).as("one thread more at most").containsExactly("add");
    }

    @Test
    void theThreadIsRemovedOnceTheEngineStaysCaughtUp() {
        checks(5_000, 2);
        checks(100, 2);
        checks(101, 1);
        checks(0, 2);
        assertThat(calls).as("two checks caught up, then not: the count starts again").containsExactly("add");

        checks(0, 1);

        assertThat(calls).containsExactly("add", "remove");
        assertThat(threads).isEqualTo(1);
        assertThat(scaler.additions()).isEqualTo(1);
        assertThat(scaler.removals()).isEqualTo(1);
    }

    @Test
    void checksDuringARebalanceCountNeitherWay() {
        checks(5_000, 1);
        running = false;
        checks(5_000, 3);
        assertThat(calls).isEmpty();

        running = true;
        checks(5_000, 1);

        assertThat(calls).containsExactly("add");
    }

    @Test
    void anEngineBehindAgainSoonAfterCatchingUpKeepsTheThread() {
        checks(5_000, 2);
        checks(0, 3);
        assertThat(calls).containsExactly("add", "remove");

        checks(5_000, 2); // 10 s after the removal, within the 60 s

        assertThat(calls).containsExactly("add", "remove", "add");
        checks(0, 20);
        assertThat(calls).as("kept for good").containsExactly("add", "remove", "add");
        assertThat(threads).isEqualTo(2);
    }

    @Test
    void anEngineBehindLongAfterCatchingUpGetsTheThreadForTheNewBacklogOnly() {
        checks(5_000, 2);
        checks(0, 3);
        checks(0, 12); // a minute caught up

        checks(5_000, 2);
        checks(0, 3);

        assertThat(calls).containsExactly("add", "remove", "add", "remove");
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
        assertThat(CatchUpThreads.inputLag(Map.of(), Set.of("metrics"))).isZero();
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
