package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link RememberedSelection} answers as the rules in force do, asks them once per name instance while they stay in
 * force, and asks again for another instance of a name and after a reload.
 */
class RememberedSelectionTest {

    /** Rules naming {@code metrics}, counting the questions put to them. */
    private static final class CountingRules implements SelectedMetrics {
        final Set<String> metrics;
        final List<String> asked = new ArrayList<>();

        CountingRules(final String... metrics) {
            this.metrics = Set.of(metrics);
        }

        @Override
        public boolean selects(final String metricName) {
            asked.add(metricName);
            return metrics.contains(metricName);
        }
    }

    @Test
    void answersAsTheRulesAndAsksThemOncePerName() {
        final CountingRules rules = new CountingRules("cpu");
        final RememberedSelection selection = new RememberedSelection(() -> rules);
        final String cpu = "cpu";
        final String disk = "disk";
        for (int i = 0; i < 3; i++) {
            assertThat(selection.selects(cpu)).isTrue();
            assertThat(selection.selects(disk)).isFalse();
        }
        assertThat(rules.asked).containsExactly("cpu", "disk");
    }

    @Test
    void anotherInstanceOfANameIsAskedAgainAndAnsweredTheSame() {
        final CountingRules rules = new CountingRules("cpu");
        final RememberedSelection selection = new RememberedSelection(() -> rules);
        final String first = new String("cpu".toCharArray());
        final String second = new String("cpu".toCharArray());
        assertThat(selection.selects(first)).isTrue();
        assertThat(selection.selects(second)).isTrue();
        assertThat(selection.selects(second)).isTrue();
        assertThat(rules.asked).hasSize(2);
    }

    @Test
    void namesSharingASlotEachGetTheirOwnAnswer() {
        // "Aa" and "BB" have the same hash, so they take the same slot in turn.
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        final CountingRules rules = new CountingRules("Aa");
        final RememberedSelection selection = new RememberedSelection(() -> rules);
        for (int i = 0; i < 2; i++) {
            assertThat(selection.selects("Aa")).isTrue();
            assertThat(selection.selects("BB")).isFalse();
        }
        assertThat(rules.asked).containsExactly("Aa", "BB", "Aa", "BB");
    }

    @Test
    void reloadedRulesAreAskedFromTheirFirstPoint() {
        final AtomicReference<SelectedMetrics> inForce = new AtomicReference<>(new CountingRules("cpu"));
        final RememberedSelection selection = new RememberedSelection(inForce::get);
        final String cpu = "cpu";
        final String disk = "disk";
        assertThat(selection.selects(cpu)).isTrue();
        assertThat(selection.selects(disk)).isFalse();
        final CountingRules reloaded = new CountingRules("disk");
        inForce.set(reloaded);
        assertThat(selection.selects(cpu)).isFalse();
        assertThat(selection.selects(disk)).isTrue();
        assertThat(reloaded.asked).containsExactly("cpu", "disk");
    }
}
