package io.vigil.app;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code vigil run} in a JVM of its own, started from the test classpath, as an operator would run it: the real
 * command line, configuration from flags, {@code VIGIL_*} environment variables and an optional {@code vigil.yaml}.
 * What it prints (stdout and stderr together) goes to a log file, kept under {@code target/} for a failed run.
 * {@link #kill()} is {@code kill -9}: no shutdown hook, no last commit.
 */
final class VigilProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private final int httpPort;

    private VigilProcess(final String name, final Process process, final Path log, final int httpPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /**
     * @param name       names the log file and the process in messages
     * @param args       after {@code vigil run}; {@code --http-port} is added (a free port)
     * @param env        {@code VIGIL_*} settings; none is inherited from the test's environment
     * @param jvmOptions extra JVM options, e.g. a log configuration
     */
    static VigilProcess start(final String name, final Path logDir, final List<String> args,
                              final Map<String, String> env, final List<String> jvmOptions) {
        try {
            Files.createDirectories(logDir);
            final int httpPort = freePort();
            final List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // Small and quick to start: the machines running the suite have two cores.
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), VigilCommand.class.getName(), "run",
                    "--http-port", Integer.toString(httpPort)));
            command.addAll(args);
            final ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().keySet().removeIf(k -> k.startsWith("VIGIL_"));
            builder.environment().putAll(env);
            final Path log = logDir.resolve(name + ".log");
            final Process process = builder.redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new VigilProcess(name, process, log, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the banner {@code vigil run} prints once its engine has started (it may still be restoring). */
    VigilProcess awaitStarted() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
            }
            return log().contains("Vigil is running");
        });
        return this;
    }

    /** {@code kill -9}, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived kill -9 for 30 s");
        }
    }

    /** SIGTERM, as an operator stops it: the shutdown hook closes the engine; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status of a process that has ended. */
    int exitValue() {
        return process.exitValue();
    }

    String name() {
        return name;
    }

    /** The operating system's id of the process, e.g. to read its {@code /proc/<pid>/status}. */
    long pid() {
        return process.pid();
    }

    Path logFile() {
        return log;
    }

    /** Everything the process printed so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET on the process's HTTP API; the body, or throws if the answer is not 200. */
    String get(final String path) throws IOException, InterruptedException {
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(name + " answered " + response.statusCode() + " to " + path);
        }
        return response.body();
    }

    /** Kills the process if it still runs: a test never leaves one behind. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
