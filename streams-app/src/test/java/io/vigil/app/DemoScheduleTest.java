package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where `vigil demo` starts its scenario: on every rule group's schedule, so that each run prints the same alerts. */
class DemoScheduleTest {

    private static RuleSet groupsEvery(final Duration... every) {
        return new RuleSet(Arrays.stream(every).map(e -> new RuleGroup("g" + e, e, List.of(), "r.yaml")).toList());
    }

    @Test
    void theStartIsAMultipleOfEveryGroupsStepAndOfTheSimulatorsStep() {
        assertThat(DemoCommand.scheduleAlignmentMs(groupsEvery(Duration.ofSeconds(10), Duration.ofMinutes(1))))
                .isEqualTo(60_000);
        assertThat(DemoCommand.scheduleAlignmentMs(groupsEvery(Duration.ofSeconds(7)))).isEqualTo(70_000);
        assertThat(DemoCommand.scheduleAlignmentMs(groupsEvery(Duration.ofSeconds(15), Duration.ofSeconds(4))))
                .isEqualTo(60_000);
        assertThat(DemoCommand.scheduleAlignmentMs(RuleSet.EMPTY)).isEqualTo(10_000);
    }

    @Test
    void schedulesWhoseCommonMultipleExceedsAnHourKeepTheSimulatorsStep() {
        assertThat(DemoCommand.scheduleAlignmentMs(groupsEvery(Duration.ofMinutes(25), Duration.ofMinutes(7))))
                .isEqualTo(10_000);
    }
}
