package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sample per rule in force, a rule that watches nothing at 0, a rule removed by a reload gone. */
class RuleSeriesGaugeTest {

    @Test
    void everyRuleInForceHasItsCountAndARemovedRuleGoes() {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final RuleSeriesGauge gauge = new RuleSeriesGauge(registry);

        gauge.set(Map.of("nodes/CpuHigh", 16, "nodes/CpuTypo", 0));
        assertThat(registry.get("vigil.rule.series").tag("rule", "nodes/CpuHigh").gauge().value()).isEqualTo(16);
        assertThat(registry.get("vigil.rule.series").tag("rule", "nodes/CpuTypo").gauge().value()).isZero();

        gauge.set(Map.of("nodes/CpuHigh", 15));
        assertThat(registry.get("vigil.rule.series").tag("rule", "nodes/CpuHigh").gauge().value()).isEqualTo(15);
        assertThat(registry.find("vigil.rule.series").tag("rule", "nodes/CpuTypo").gauge()).isNull();
    }
}
