package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerHaltTest {

    @Test
    void aHaltByTheBrokerIsSaidInVigilsWordsBeforeTheJvmHalts() {
        final List<Integer> halted = new ArrayList<>();
        try (CapturedLogs logs = new CapturedLogs()) {
            BrokerHalt.procedure(halted::add).execute(1, "Shutdown broker because all log dirs in /d/kafka have failed");
            assertThat(halted).containsExactly(1);
            assertThat(logs.text()).contains("The embedded Kafka broker halts Vigil at once (exit 1),"
                    + " with no clean stop: Shutdown broker because all log dirs in /d/kafka have failed.");
        }
    }

    /** Kafka halts without a reason when all its log directories failed: it logged the reason just before. */
    @Test
    void aHaltWithoutAReasonPointsToTheBrokersLine() {
        try (CapturedLogs logs = new CapturedLogs()) {
            BrokerHalt.procedure(status -> { }).execute(1, null);
            assertThat(logs.text()).contains("with no clean stop: the broker's line before this one says why.");
        }
    }
}
