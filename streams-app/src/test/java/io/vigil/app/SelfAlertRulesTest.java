package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * deploy/vigil-self-alerts.yml as read by {@link SelfAlertRules} (VigilRunIT checks what it reads against a running
 * engine's /metrics), and as Prometheus reads it: promtool accepts the rules and deploy/prometheus.yml that loads them,
 * and the rules' own unit tests, deploy/vigil-self-alerts.test.yml, pass. CI installs promtool (Debian's
 * {@code prometheus}); elsewhere that part is skipped where it is missing.
 */
class SelfAlertRulesTest {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @Test
    void everyAlertsExpressionIsReadWithTheMetricsAndLabelsItSelects() throws Exception {
        assertThat(SelfAlertRules.expressions()).containsKeys("VigilDown", "VigilKafkaUnreachable",
                "VigilStreamsNotRunning", "VigilRulesReloadFailing", "VigilRuleMatchesNothing", "VigilDeliveryBacklog");
        assertThat(SelfAlertRules.metricNames()).contains("kafka_consumer_last_poll_seconds_ago",
                "kafka_stream_client_state", "vigil_rule_series", "vigil_rules_last_reload_successful",
                "vigil_delivery_attempts_total", "vigil_delivery_restarts_total", "vigil_ingest_dead_lettered_total",
                "process_start_time_seconds", "process_files_open_files")
                .allMatch(n -> n.matches("(vigil|kafka|process|jvm)_.*"))
                .doesNotContain("vigil_delivery_attempts"); // a name is read whole
        assertThat(SelfAlertRules.selectors()).anySatisfy(s -> {
            assertThat(s.alert()).isEqualTo("VigilDeliveryRefused");
            assertThat(s.matchers()).containsExactly(new SelfAlertRules.LabelMatch("outcome", "=", "refused"));
        }).anySatisfy(s -> {
            // Grouped by (job, digest) inside count by (job): the inner aggregation's labels, less Prometheus' job.
            assertThat(s.metric()).isEqualTo("vigil_rules_loaded_info");
            assertThat(s.groupedBy()).containsExactly("digest");
        }).anySatisfy(s -> {
            assertThat(s.metric()).isEqualTo("vigil_delivery_attempts_total");
            assertThat(s.groupedBy()).containsExactly("receiver");
        }).allSatisfy(s -> assertThat(s.matchers()).noneMatch(m -> m.label().equals("job")));
    }

    /** The dashboard's panels are read as the alerts are, each by its title; VigilRunIT checks them the same way. */
    @Test
    void theDashboardsQueriesAreReadByPanelWithTheMetricsTheySelect() throws Exception {
        final Map<String, String> panels = SelfAlertRules.dashboardExpressions();
        assertThat(panels).containsKeys("Datapoints in, per second, by topic", "Delivery backlog by receiver")
                .hasSizeGreaterThanOrEqualTo(10);
        assertThat(SelfAlertRules.selectors(panels)).anySatisfy(s -> {
            assertThat(s.alert()).isEqualTo("Rejected to the dead-letter topic, per second, by reason");
            assertThat(s.metric()).isEqualTo("vigil_ingest_rejected_total");
            assertThat(s.groupedBy()).containsExactly("reason");
        }).anySatisfy(s -> assertThat(s.metric()).isEqualTo("vigil_evaluation_pass_seconds_count"));
        assertThat(SelfAlertRules.missingFrom("vigil_ingest_datapoints_total{topic=\"metrics\",} 3.0\n", panels))
                .contains("Delivery backlog by receiver: vigil_delivery_backlog is not on /metrics")
                .noneMatch(line -> line.startsWith("Datapoints in, per second, by topic"));
    }

    /** What VigilRunIT relies on: a page that lacks a metric, or a label value, is said to lack it, by alert. */
    @Test
    void aMetricOrLabelValueMissingFromMetricsIsNamedWithItsAlert() throws Exception {
        final StringBuilder page = new StringBuilder();
        for (SelfAlertRules.Selector s : SelfAlertRules.selectors()) {
            final List<String> labels = new ArrayList<>();
            s.matchers().forEach(m -> labels.add(m.label() + "=\"" + switch (m.label()) {
                case "client_id" -> "vigil-0b8e-StreamThread-1-consumer";
                default -> m.value();
            } + "\""));
            s.groupedBy().forEach(l -> labels.add(l + "=\"x\""));
            page.append(s.metric()).append('{').append(String.join(",", labels)).append(",} 0.0\n");
        }
        assertThat(SelfAlertRules.missingFrom(page.toString())).isEmpty();

        final String renamed = page.toString().replace("kafka_consumer_last_poll_seconds_ago", "kafka_consumer_poll_age")
                .replace("outcome=\"refused\"", "outcome=\"rejected\"");
        assertThat(SelfAlertRules.missingFrom(renamed)).containsExactlyInAnyOrder(
                "VigilKafkaUnreachable: kafka_consumer_last_poll_seconds_ago is not on /metrics",
                "VigilDeliveryRefused: no series of vigil_delivery_attempts_total has outcome=\"refused\"");
        final String ungrouped = page.toString().replace("digest=\"x\"", "sha=\"x\"");
        assertThat(SelfAlertRules.missingFrom(ungrouped)).containsExactly("VigilRulesDifferBetweenInstances: no series"
                + " of vigil_rules_loaded_info has the label digest, which it is grouped by");
        final String restoreOnly = page.toString().replace("StreamThread-1-consumer", "StateUpdater-1-restore-consumer");
        assertThat(SelfAlertRules.missingFrom(restoreOnly)).contains("VigilKafkaUnreachable: no series of"
                + " kafka_consumer_last_poll_seconds_ago has client_id=~\".+-StreamThread-[0-9]+-consumer\"");
    }

    @Test
    void promtoolAcceptsTheRulesAndPrometheusConfigAndTheRulesTestsPass() throws Exception {
        if (!Files.isExecutable(PROMTOOL)) {
            assertThat("true".equals(System.getenv("CI"))).as("CI must install prometheus, for promtool (see .ci/run)")
                    .isFalse();
            Assumptions.abort("promtool is not installed; `apt-get install prometheus`");
        }
        assertThat(promtool("check", "rules", SelfAlertRules.FILE.toString()))
                .contains("SUCCESS: " + SelfAlertRules.expressions().size() + " rules found");
        assertThat(promtool("check", "config", SelfAlertRules.ROOT.resolve("deploy").resolve("prometheus.yml").toString()))
                .contains("SUCCESS: 1 rule files found");
        assertThat(promtool("test", "rules", SelfAlertRules.TESTS.toString())).contains("SUCCESS");
    }

    /** promtool's output (stdout and stderr); fails the test unless it exits 0. */
    private static String promtool(final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool %s ended", command).isTrue();
        assertThat(p.exitValue()).as("promtool %s: %s", String.join(" ", args), out).isZero();
        return out;
    }
}
