package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two instances of one application say which input partitions each reads, and the survivor says it took over. */
class InputShareIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @TempDir
    Path dir;

    private static VigilConfig instance(final int n) {
        return broker.engineConfig("share", Map.of("VIGIL_HTTP_EXTERNAL_URL", "http://localhost:" + (18_000 + n)));
    }

    @Test
    void eachInstanceSaysItsShareAndTheSurvivorSaysItTookTheOthersOver() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics-share", 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        final RuleSet rules = RuleLoader.load(List.of(Path.of("..", "rules"))).ruleSet();
        try (CapturedLogs logs = new CapturedLogs();
             VigilEngine a = VigilEngine.start(instance(1), rules, dir.resolve("a"), new SimpleMeterRegistry())) {
            try (VigilEngine b = VigilEngine.start(instance(2), rules, dir.resolve("b"), new SimpleMeterRegistry())) {
                // Each said its half once the group settled (first alone with all four, which it does not say).
                await().atMost(Duration.ofSeconds(90)).until(() -> logs.text().lines().filter(l -> l.contains(
                        "reads 2 of the 4 input partitions (metrics-share: ")).count() == 2);
            }
            // b left: a reads its partitions from now on, and says so.
            await().atMost(Duration.ofSeconds(90)).until(() -> logs.text().contains(
                    "this instance now reads 4 of the 4 input partitions (metrics-share: 0-3), before 2 of the 4"));
            assertThat(logs.text()).contains("an instance of application vigil-share joined or left");
        }
    }
}
