package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.bench.BenchRules;
import io.vigil.bench.FleetMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IngestHalf}, which {@code AlternatingBuilds} in {@code bench/} times: a figure per line, never of dead
 * letters.
 */
class IngestHalfTest {

    @TempDir
    Path dir;

    @Test
    void theFleetsLinesAreIngestedAndTheirCpuTimeGivenPerLine() throws Exception {
        final Path rules = BenchRules.writeFleet(dir.resolve("rules"));
        final List<String> lines = new ArrayList<>();
        new FleetMetrics(50).record(500, FleetMetrics.historyEndMs(), (s, key, json) -> lines.add(json));
        final Path file = Files.write(dir.resolve("fleet.jsonl"), lines);

        assertThat(IngestHalf.cpuNanosPerLine(file, rules)).isPositive();

        Files.writeString(file, "{\"labels\":{},\"value\":\"1\"}\n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> IngestHalf.cpuNanosPerLine(file, rules)).isInstanceOf(IllegalStateException.class)
                .hasMessage("1 of 501 lines of " + file + " went to the dead letters");
    }
}
