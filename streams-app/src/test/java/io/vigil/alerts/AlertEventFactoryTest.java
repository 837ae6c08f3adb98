package io.vigil.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.app.CapturedLogs;
import io.vigil.evaluation.AlertState;
import io.vigil.evaluation.AlertStatus;
import io.vigil.evaluation.AlertTransition;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.LoadResult;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleLoader;
import org.junit.jupiter.api.Test;

/**
 * An alert event stays within what the alerts topic takes: a rule that loads must run, and an event over the 1 MiB a
 * Kafka record takes stopped the engine at every restart (a hostile-input audit: 600 references to a 2,000-character
 * label in one annotation).
 */
class AlertEventFactoryTest {

    private static final long T = 1_700_000_000_000L;

    @Test
    void anEventTooLargeLeavesItsAnnotationsOutAndSaysSo() {
        final AlertEvent event = fired(rule("""
                annotations:
                  a: "{{ $labels.blob }}{{ $labels.blob }}"
                %s
                """.formatted(manyAnnotations(40))), "z".repeat(2_000));
        assertThat(AlertEventJson.write(event).length).isLessThanOrEqualTo(AlertEventFactory.MAX_EVENT_BYTES);
        assertThat(event.annotations()).containsOnlyKeys(AlertEventFactory.CUT_NOTE);
        assertThat(event.annotations().get(AlertEventFactory.CUT_NOTE)).startsWith("the annotations were left out");
        assertThat(event.labels().get("blob")).hasSize(2_000);
    }

    @Test
    void anEventWithinTheLimitKeepsEverything() {
        final AlertEvent event = fired(rule("""
                annotations:
                  a: "{{ $labels.blob }}"
                """), "z".repeat(2_000));
        assertThat(event.annotations()).containsOnlyKeys("a");
        assertThat(event.annotations().get("a")).hasSize(2_000);
    }

    @Test
    void labelsTooLargeAreCutTheSameWayAtEveryEvent() {
        final StringBuilder labels = new StringBuilder("labels:\n");
        for (int i = 0; i < 40; i++) {
            labels.append("  l").append(i).append(": \"").append("{{ $labels.blob }}".repeat(8)).append("\"\n");
        }
        final Rule rule = rule(labels.toString());
        final AlertEvent first = fired(rule, "z".repeat(2_000));
        final AlertEvent again = fired(rule, "z".repeat(2_000));
        assertThat(AlertEventJson.write(first).length).isLessThanOrEqualTo(AlertEventFactory.MAX_EVENT_BYTES);
        assertThat(first.labels().get("l0")).hasSize(1_024);
        assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
    }

    /** The annotation told the event's reader; nothing told whoever runs Vigil that a rule's events are cut. */
    @Test
    void aCutIsLoggedOnceAWhileARule() {
        final Rule rule = rule("""
                annotations:
                %s
                """.formatted(manyAnnotations(40)));
        final long[] now = {T};
        final AlertEventFactory factory = AlertEventFactory.loggingCuts("http://vigil:8080", () -> now[0]);
        try (CapturedLogs logs = new CapturedLogs()) {
            fired(factory, rule, "z".repeat(2_000));
            now[0] += AlertEventFactory.CUT_LOG_EVERY_MS - 1;
            fired(factory, rule, "z".repeat(2_000));
            assertThat(warnings(logs)).containsExactly("an alert event of rule " + rule.id() + " came to 642613 bytes"
                    + " as JSON, more than 524288: its annotations were left out, as its vigil_cut annotation says;"
                    + " its rule's templates or its series' labels are too long (logged at most every 10 minutes a"
                    + " rule)");
            now[0] += 1;
            fired(factory, rule, "z".repeat(2_000));
            assertThat(warnings(logs)).hasSize(2);
        }
        try (CapturedLogs logs = new CapturedLogs()) {
            fired(rule, "z".repeat(2_000));
            assertThat(warnings(logs)).as("the API's factory makes again what the engine logged").isEmpty();
        }
    }

    /** A group named as people name teams made a link Alertmanager's "Source" button cut at its ? and #. */
    @Test
    void theGeneratorUrlEncodesTheGroupAndTheAlertAsPathSegments() {
        final Rule plain = rule("");
        assertThat(fired(plain, "b").generatorURL()).isEqualTo("http://vigil:8080/rules/g/Big");
        final LoadResult loaded = RuleLoader.parse("odd.yaml", """
                groups:
                  - name: "team a/b?c#d%ü"
                    rules:
                      - alert: Big_One_2
                        series: m
                        threshold: {above: 0}
                """);
        assertThat(loaded.problems()).isEmpty();
        final AlertEvent odd = fired(loaded.ruleSet().rules().get(0), "b");
        assertThat(odd.generatorURL()).isEqualTo("http://vigil:8080/rules/team%20a%2Fb%3Fc%23d%25%C3%BC/Big_One_2");
        assertThat(odd.rule()).isEqualTo("team a/b?c#d%ü/Big_One_2");
    }

    private static java.util.List<String> warnings(final CapturedLogs logs) {
        return logs.text().lines().filter(l -> l.startsWith("an alert event")).toList();
    }

    private static String manyAnnotations(final int count) {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append("  b").append(i).append(": \"").append("{{ $labels.blob }}".repeat(8)).append("\"\n");
        }
        return out.toString();
    }

    private static Rule rule(final String extra) {
        final String yaml = """
                groups:
                  - name: g
                    rules:
                      - alert: Big
                        series: m
                        threshold: {above: 0}
                """ + extra.lines().map(l -> "        " + l).reduce("", (a, b) -> a + b + "\n");
        final LoadResult loaded = RuleLoader.parse("big.yaml", yaml);
        assertThat(loaded.problems()).isEmpty();
        return loaded.ruleSet().rules().get(0);
    }

    private static AlertEvent fired(final Rule rule, final String blob) {
        return fired(new AlertEventFactory("http://vigil:8080"), rule, blob);
    }

    private static AlertEvent fired(final AlertEventFactory factory, final Rule rule, final String blob) {
        final AlertStatus status = new AlertStatus(AlertState.FIRING, T, T, AlertStatus.NONE, AlertStatus.NONE);
        return factory.create(new AlertTransition(rule,
                new Series("m", Labels.of("blob", blob)), AlertTransition.Kind.FIRING, status, 1, Double.NaN,
                Double.NaN));
    }
}
