package io.vigil.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code vigil_rule_series{rule}}: the series each rule watches on this instance, what {@code /api/rules} calls
 * {@code seriesWatched}, as a gauge a Prometheus rule can watch. A rule whose selector matches nothing (a metric
 * renamed upstream, a label misspelt) evaluates nothing and pages nothing, silently; {@code sum by (rule)
 * (vigil_rule_series) == 0} finds it. Every rule in force has a sample, 0 included; a rule removed by a reload goes.
 */
final class RuleSeriesGauge {

    private final MultiGauge gauge;

    RuleSeriesGauge(final MeterRegistry registry) {
        this.gauge = MultiGauge.builder("vigil.rule.series")
                .description("series each rule watches on this instance (0: its selector matches nothing here)")
                .register(registry);
    }

    /** @param watched by rule id, every rule in force */
    void set(final Map<String, Integer> watched) {
        final List<MultiGauge.Row<?>> rows = new ArrayList<>(watched.size());
        watched.forEach((rule, count) -> rows.add(MultiGauge.Row.of(Tags.of("rule", rule), count)));
        gauge.register(rows, true);
    }
}
