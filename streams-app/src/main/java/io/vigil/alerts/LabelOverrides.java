package io.vigil.alerts;

import io.vigil.rules.Rule;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, once per rule and label, when a rule's label replaces a label of the series with another value. An alert's
 * labels are its identity downstream (its fingerprint, Alertmanager's alert), so series that differ only in that label
 * become one alert there, and one of them resolving resolves the others' page. Prometheus refuses such a rule's
 * evaluation when two of its alerts collide; here each series keeps its own state, possibly in different tasks, so
 * the collision itself is not seen: the override that makes it possible is.
 */
final class LabelOverrides {

    private static final Logger LOG = LoggerFactory.getLogger(LabelOverrides.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private LabelOverrides() {
    }

    static void seen(final Rule rule, final String label, final String own, final String rendered) {
        if (WARNED.add(rule.id() + '\u0000' + label)) {
            LOG.warn("rule {} ({}): its label {}=\"{}\" replaces the series' own {}=\"{}\"; series that differ only"
                    + " in {} share one alert downstream, and one resolving resolves the others. Keep the series'"
                    + " value ({}: \"{{ $labels.{} }}...\") or give the rule's label another name",
                    rule.id(), rule.sourceFile() + ":" + rule.line(), label, rendered, label, own, label, label, label);
        }
    }
}
