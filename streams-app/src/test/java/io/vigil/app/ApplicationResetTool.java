package io.vigil.app;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.StreamsResetter;

/**
 * Kafka's Application Reset Tool, the class {@code kafka-streams-application-reset.sh} runs, run in this JVM with the
 * arguments an operator gives the script.
 */
final class ApplicationResetTool {

    /**
     * @param status what the script would exit with: 0 when it reset the offsets and deleted the internal topics
     * @param output what it printed on stdout: the offsets it set, the topics it deleted
     */
    record Outcome(int status, String output) {
    }

    private ApplicationResetTool() {
    }

    /** {@code kafka-streams-application-reset.sh --bootstrap-server BOOTSTRAP ARGS...}. */
    static synchronized Outcome run(final String bootstrapServers, final String... args) {
        final List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrapServers));
        all.addAll(List.of(args));
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        // The tool says what it did only on stdout; it stays in the test's output too.
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(final int b) {
                stdout.write(b);
                printed.write(b);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) {
                stdout.write(b, off, len);
                printed.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        // On arguments it cannot parse the tool calls Exit.exit, which would end the test JVM with every test in it.
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalArgumentException("the reset tool exited " + status + ": " + message);
        });
        try {
            final int status = new StreamsResetter().execute(all.toArray(String[]::new));
            return new Outcome(status, printed.toString(StandardCharsets.UTF_8));
        } finally {
            Exit.resetExitProcedure();
            System.setOut(stdout);
        }
    }
}
