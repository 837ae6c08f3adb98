package io.vigil.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSimulatorTest {

    private static final long START = 1_700_000_000_000L;

    @Test
    void theSameScenarioEveryTime() {
        final ClusterSimulator a = new ClusterSimulator(START);
        final ClusterSimulator b = new ClusterSimulator(START);
        for (int i = 0; i < a.steps(); i++) {
            assertThat(a.step(i)).isEqualTo(b.step(i));
        }
    }

    @Test
    void theRestartGapsAndResetsNode03AndTheDatabaseFallsSilentAt86Minutes() {
        final ClusterSimulator sim = new ClusterSimulator(START);
        final int restart = 35 * 6;
        long counterBefore = -1;
        for (int i = 0; i < sim.steps(); i++) {
            final List<String> step = sim.step(i);
            final String node03 = step.stream().filter(r -> r.contains("node-03") && r.contains("net_transmit"))
                    .findFirst().orElse("");
            if (i == restart - 1) {
                counterBefore = counter(node03);
            }
            if (i >= restart && i < restart + 4) {
                assertThat(node03).as("node-03 is restarting at step " + i).isEmpty();
            }
            if (i == restart + 4) {
                assertThat(counter(node03)).as("its counter starts again from zero").isLessThan(counterBefore / 10);
            }
            assertThat(step.stream().anyMatch(r -> r.contains("db-1"))).isEqualTo(i < 86 * 6);
        }
        assertThat(sim.steps()).isEqualTo(95 * 6);
    }

    /** The database's half day before the scenario, for its baseline rule; the scenario is the same after it. */
    @Test
    void theDatabasesHistoryComesBeforeTheScenarioAndChangesNothingOfIt() {
        final ClusterSimulator withHistory = new ClusterSimulator(START);
        final List<String> history = withHistory.history();
        assertThat(history).hasSize(2 * 12 * 360).allMatch(r -> r.contains("\"instance\":\"db-1\""));
        assertThat(history).extracting(ClusterSimulatorTest::timestamp).isSorted()
                .allMatch(t -> t >= START - ClusterSimulator.HISTORY.toMillis() && t < START);
        final ClusterSimulator without = new ClusterSimulator(START);
        for (int i = 0; i < without.steps(); i++) {
            assertThat(withHistory.step(i)).isEqualTo(without.step(i));
        }
    }

    private static long timestamp(final String record) {
        final int t = record.indexOf("\"timestamp\":") + 12;
        return Long.parseLong(record.substring(t, record.indexOf('}', t)));
    }

    private static long counter(final String record) {
        final int v = record.indexOf("\"value\":") + 8;
        return (long) Double.parseDouble(record.substring(v, record.indexOf(',', v)));
    }
}
