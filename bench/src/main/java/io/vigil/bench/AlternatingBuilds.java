package io.vigil.bench;

import java.io.BufferedWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Builds of Vigil compared in one JVM: each application jar ({@code streams-app/target/vigil.jar} of a commit, kept
 * under a name of its own) loaded by a class loader of its own, and the replay's ingesting half of each
 * ({@code io.vigil.app.IngestHalf}) timed in turn over the same recording, round after round, the order reversed
 * every other round. The builds meet the same machine in the same minutes, so the ratio of their CPU per line holds
 * where whole runs, one JVM each, drift on a shared machine by more than the change being measured. The first third
 * of the rounds is left out of the summary: the JIT compiles each build's code anew. A benchmark: it reports, it
 * judges nothing.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.AlternatingBuilds [--rounds R] [--datapoints N] A.jar B.jar ...
 * </pre>
 */
public final class AlternatingBuilds {

    private static final String HARNESS = "io.vigil.app.IngestHalf";
    private static final String USAGE = "usage: AlternatingBuilds [--rounds R] [--datapoints N] VIGIL_JAR...";

    private AlternatingBuilds() {
    }

    public static void main(final String[] args) throws Exception {
        try {
            compare(args);
        } catch (BadArguments e) {
            // The caller's mistake, said in one line, with the exit code a command line gives it.
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** A command line or jar that cannot be compared, said in {@link #getMessage()}. */
    private static final class BadArguments extends Exception {
        BadArguments(final String message) {
            super(message, null, false, false);
        }
    }

    private static void compare(final String[] args) throws Exception {
        int rounds = 30;
        long datapoints = 500_000;
        final List<Path> jars = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--datapoints" -> datapoints = Long.parseLong(args[++i]);
                    default -> jars.add(Path.of(args[i]));
                }
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new BadArguments(USAGE);
        }
        if (jars.isEmpty() || rounds < 1 || datapoints < 1) {
            throw new BadArguments(USAGE);
        }
        final Method[] harness = new Method[jars.size()];
        for (int j = 0; j < harness.length; j++) {
            harness[j] = harnessOf(jars.get(j));
        }
        final Path dir = Files.createTempDirectory("vigil-alternating");
        final Path recording = dir.resolve("fleet.jsonl");
        final Path rules = BenchRules.writeFleet(dir.resolve("rules"));
        // The bench's own fleet, as prometheus-kafka-adapter writes it: what `vigil bench` replays.
        try (BufferedWriter out = Files.newBufferedWriter(recording, StandardCharsets.UTF_8)) {
            new FleetMetrics(10_000).record(datapoints, FleetMetrics.historyEndMs(), (s, key, json) -> {
                out.write(json);
                out.write('\n');
            });
        }
        final double[][] nanos = new double[jars.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d:", r + 1));
            for (int k = 0; k < jars.size(); k++) {
                final int j = r % 2 == 0 ? k : jars.size() - 1 - k;
                nanos[j][r] = run(harness[j], recording, rules);
            }
            for (int j = 0; j < jars.size(); j++) {
                line.append(String.format(Locale.ROOT, "  %s %.0f ns", jars.get(j).getFileName(), nanos[j][r]));
            }
            System.out.println(line);
        }
        final int from = rounds / 3;
        for (int j = 0; j < jars.size(); j++) {
            final double[] counted = Arrays.copyOfRange(nanos[j], from, rounds);
            System.out.printf(Locale.ROOT, "%s: CPU per line, median %.0f ns, least %.0f (rounds %d to %d)%n",
                    jars.get(j).getFileName(), median(counted), Arrays.stream(counted).min().orElseThrow(), from + 1,
                    rounds);
        }
        for (int j = 1; j < jars.size(); j++) {
            final double[] ratios = new double[rounds - from];
            for (int r = from; r < rounds; r++) {
                ratios[r - from] = nanos[j][r] / nanos[0][r];
            }
            System.out.printf(Locale.ROOT, "ratio %s / %s: median %.3f, %.3f to %.3f%n", jars.get(j).getFileName(),
                    jars.get(0).getFileName(), median(ratios), Arrays.stream(ratios).min().orElseThrow(),
                    Arrays.stream(ratios).max().orElseThrow());
        }
        Files.delete(recording);
        Files.delete(rules);
        Files.delete(rules.getParent());
        Files.delete(dir);
    }

    /** {@code IngestHalf.cpuNanosPerLine} of {@code jar}, loaded apart from every other build and from this one. */
    private static Method harnessOf(final Path jar) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new BadArguments("no such jar: " + jar);
        }
        // Not closed: the loader serves every round.
        final URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        try {
            return loader.loadClass(HARNESS).getMethod("cpuNanosPerLine", Path.class, Path.class);
        } catch (ClassNotFoundException e) {
            throw new BadArguments(jar + " has no " + HARNESS
                    + ": a build from before it was added cannot be compared this way");
        }
    }

    private static double run(final Method harness, final Path recording, final Path rules) throws Exception {
        final Thread thread = Thread.currentThread();
        final ClassLoader before = thread.getContextClassLoader();
        // What a build looks up through the context loader (Jackson's modules, service files) must be its own.
        thread.setContextClassLoader(harness.getDeclaringClass().getClassLoader());
        try {
            return (double) harness.invoke(null, recording, rules);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static double median(final double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
