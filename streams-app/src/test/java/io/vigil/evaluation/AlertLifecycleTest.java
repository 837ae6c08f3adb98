package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.evaluation.AlertTransition.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Steps the lifecycle through time by hand and checks the state and event at each step, as Prometheus' tests do. */
class AlertLifecycleTest {

    private static final long STEP = 10_000;

    /** Runs the condition sequence from t=STEP and returns "STATE[event]" per step. */
    private static List<String> run(final long forMs, final long keepFiringForMs, final boolean... conditions) {
        AlertStatus status = AlertStatus.INACTIVE;
        final List<String> out = new ArrayList<>();
        long t = STEP;
        for (boolean c : conditions) {
            final AlertLifecycle.Step step = AlertLifecycle.next(status, c, t, forMs, keepFiringForMs);
            status = step.status();
            out.add(status.state() + step.event().map(k -> "[" + k + "]").orElse(""));
            t += STEP;
        }
        return out;
    }

    @Test
    void forZeroFiresAtTheFirstTrueEvaluationWithoutPending() {
        assertThat(run(0, 0, false, true, true, false))
                .containsExactly("INACTIVE", "FIRING[FIRING]", "FIRING", "INACTIVE[RESOLVED]");
    }

    @Test
    void forHoldsTheAlertPendingUntilTheConditionHeldThatLong() {
        assertThat(run(3 * STEP, 0, true, true, true, true, true))
                .containsExactly("PENDING[PENDING]", "PENDING", "PENDING", "FIRING[FIRING]", "FIRING");
    }

    @Test
    void aPendingAlertThatClearsGoesBackToInactiveWithoutAnEvent() {
        assertThat(run(3 * STEP, 0, true, true, false, true))
                .containsExactly("PENDING[PENDING]", "PENDING", "INACTIVE", "PENDING[PENDING]");
    }

    @Test
    void keepFiringForKeepsTheAlertFiringThatLongAfterTheConditionClears() {
        assertThat(run(0, 2 * STEP, true, false, false, false))
                .containsExactly("FIRING[FIRING]", "FIRING", "FIRING", "INACTIVE[RESOLVED]");
    }

    @Test
    void keepFiringForRestartsWhenTheConditionReturns() {
        assertThat(run(0, 2 * STEP, true, false, true, false, false, false))
                .containsExactly("FIRING[FIRING]", "FIRING", "FIRING", "FIRING", "FIRING", "INACTIVE[RESOLVED]");
    }

    @Test
    void pendingAndKeepFiringForTogether() {
        assertThat(run(STEP, STEP, true, true, false, false, true))
                .containsExactly("PENDING[PENDING]", "FIRING[FIRING]", "FIRING", "INACTIVE[RESOLVED]", "PENDING[PENDING]");
    }

    @Test
    void theResolvedStatusCarriesAllItsTimes() {
        AlertStatus s = AlertStatus.INACTIVE;
        s = AlertLifecycle.next(s, true, 10, 5, 0).status();
        s = AlertLifecycle.next(s, true, 20, 5, 0).status();
        final AlertLifecycle.Step resolved = AlertLifecycle.next(s, false, 30, 5, 0);
        assertThat(resolved.event()).isEqualTo(Optional.of(Kind.RESOLVED));
        assertThat(resolved.status().activeAt()).isEqualTo(10);
        assertThat(resolved.status().firedAt()).isEqualTo(20);
        assertThat(resolved.status().resolvedAt()).isEqualTo(30);
        assertThat(resolved.status().isInactive()).isTrue();
    }
}
