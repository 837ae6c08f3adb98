package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vigil rules validate --config`: what `run` would refuse in the configuration, it refuses too, rules right or not. */
class RulesValidateConfigTest {

    @TempDir
    Path dir;

    private Path rules(final String threshold) throws Exception {
        return Files.writeString(dir.resolve("r.yaml"), """
                groups:
                  - name: g
                    rules:
                      - alert: Hot
                        series: cpu
                        threshold: %s
                """.formatted(threshold));
    }

    /** {@code rules validate} of one rule with {@code threshold}, under the configuration {@code config}. */
    private CommandRun validate(final String threshold, final Path config) throws Exception {
        return CommandRun.vigil("rules", "validate", rules(threshold).toString(), "--config", config.toString());
    }

    @Test
    void aReceiverRunWouldRefuseIsRefused() throws Exception {
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), """
                receivers:
                  - name: pager
                    webhook: {url: "http://pager.example:99999/hook"}
                """);

        final CommandRun run = validate("{above: 90}", config);

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("vigil: " + config + ":3:15: receivers[0].webhook.url: port 99999 is not a port"
                + " from 1 to 65535" + System.lineSeparator());
    }

    /**
     * A receiver's error is placed in the file as every other key's: the key itself, or the part of it there is. The
     * file has two problems, a name given twice and a receiver of no kind: both are reported at once (until every
     * problem was, the first alone was, and the second only once the first was fixed).
     */
    @Test
    void aReceiversErrorIsAtItsKeysLineAndColumn() throws Exception {
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), """
                http: {port: 8080}
                receivers:
                  - name: pager
                    webhook:
                      url: "http://pager.example/hook"
                  - name: pager
                    alertmanager: {url: "http://am:9093"}
                  - name: lost
                """);

        final CommandRun duplicate = validate("{above: 90}", config);
        assertThat(duplicate.exit()).isEqualTo(2);
        assertThat(duplicate.err()).isEqualTo("vigil: " + config + ":6:5: receivers[1].name: 'pager' is the name of"
                + " another receiver too" + System.lineSeparator()
                + "vigil: " + config + ":8:5: receivers[2]: needs exactly one of webhook or alertmanager"
                + System.lineSeparator());

        Files.writeString(config, Files.readString(config).replace("name: pager\n    alertmanager", "name: am\n"
                + "    alertmanager"));
        final CommandRun kindless = validate("{above: 90}", config);
        assertThat(kindless.err()).isEqualTo("vigil: " + config + ":8:5: receivers[2]: needs exactly one of webhook or"
                + " alertmanager" + System.lineSeparator());
    }

    @Test
    void aBadConfigurationIsRefusedEvenWhenARuleIsWrongToo() throws Exception {
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), "evaluation: {grace: soon}\n");

        final CommandRun run = validate("{above: high}", config);

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("evaluation.grace");
    }

    @Test
    void aGoodConfigurationAndGoodRulesPass() throws Exception {
        final Path config = Files.writeString(dir.resolve("vigil.yaml"), """
                receivers:
                  - name: pager
                    webhook: {url: "http://pager.example:8080/hook"}
                """);

        final CommandRun run = validate("{above: 90}", config);

        assertThat(run.err()).isEmpty();
        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("ok: 1 group(s), 1 rule(s)");
    }
}
