package io.vigil.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark jar runs every benchmark it lists: one short iteration each, forked from the jar itself, so that a
 * class its shading leaves out (as Kafka's clients once were) fails the build rather than the next measurement. Not
 * a measurement: a score is only checked to be there.
 */
class BenchmarksJarIT {

    private static final Path JAR = Path.of("target", "benchmarks.jar");

    @TempDir
    Path dir;

    @Test
    void everyBenchmarkRunsFromTheJar() throws Exception {
        assertThat(JAR).exists();
        final List<String> listed = new ArrayList<>();
        for (String line : run("list.txt", "-l")) {
            if (line.startsWith("io.vigil.bench.")) {
                listed.add(line.trim());
            }
        }
        assertThat(listed).contains("io.vigil.bench.ParserBenchmark.fleetJson", "io.vigil.bench.EvaluationBenchmark.evaluate");

        final Path results = dir.resolve("results.csv");
        // The smallest size of each (one rule, one metric name): whether it runs, not how fast.
        run("run.txt", "-f", "1", "-wi", "0", "-i", "1", "-r", "100ms", "-p", "rules=1", "-p", "metrics=1",
                "-foe", "true", "-rf", "csv", "-rff", results.toString());
        final List<String> rows = Files.readAllLines(results, StandardCharsets.UTF_8);
        final List<String> measured = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            final String[] cells = row.split(",");
            final String name = cells[0].replace("\"", "");
            assertThat(Double.parseDouble(cells[4])).as("score of %s", name).isPositive();
            measured.add(name);
        }
        assertThat(measured).containsExactlyInAnyOrderElementsOf(listed);
    }

    /** Runs the jar with {@code args}; its output, which must end well. */
    private List<String> run(final String log, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        final Path output = dir.resolve(log);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the benchmark jar did not finish within 10 minutes: " + command);
        }
        final List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit of %s, which printed:%n%s", command, String.join("\n", lines)).isZero();
        return lines;
    }
}
