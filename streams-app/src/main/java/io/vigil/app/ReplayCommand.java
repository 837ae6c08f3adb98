package io.vigil.app;

import io.vigil.ingest.InputFormat;
import io.vigil.model.FileErrorReason;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessMode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil replay}: backtest rules over recorded datapoints, with no broker. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run the rules over recorded datapoints (one record per line) and print alert events as JSON lines.")
final class ReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--rules", required = true, paramLabel = "DIR_OR_FILE", description = "Rule file or directory.")
    private Path rules;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "FILE", description = "Recorded datapoints.")
    private List<Path> inputs;

    @Option(names = "--output", paramLabel = "FILE", description = "Write events here instead of stdout.")
    private Path output;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT",
            description = "auto, json, influx or telegraf_json (default: ${DEFAULT-VALUE}): auto detects each line's "
                    + "format as `run` detects each record's; any other reads every line as `run` reads a topic "
                    + "configured with that format (line protocol in nanoseconds), and skips a line in another.")
    private String format;

    @Option(names = "--config", paramLabel = "FILE", description = "vigil.yaml (grace, limits, external URL).")
    private Path config;

    @Override
    public Integer call() throws IOException {
        final InputFormat lines = InputFormat.ofName(format).orElseThrow(() -> new ConfigException(
                "--format: '" + format + "' is not a format; use one of " + String.join(", ", InputFormat.names())));
        for (Path input : inputs) {
            try {
                // Asked, not opened: opening a named pipe would wait for its writer, and take its first reader's place.
                input.getFileSystem().provider().checkAccess(input, AccessMode.READ);
            } catch (IOException e) {
                throw new ConfigException("--input: cannot read " + input + ": " + FileErrorReason.of(e));
            }
            if (Files.isDirectory(input)) {
                throw new ConfigException("--input: " + input + " is a directory; give the files in it");
            }
        }
        if (output != null) {
            refuseToOverwriteWhatIsRead();
        }
        final VigilConfig cfg = ConfigLoader.load(config, System.getenv());
        final var ruleSet = RulesCommand.loadOrFail(List.of(rules), spec.commandLine());
        ForgetCheck.require(ruleSet, cfg.forget());
        final OutputStream sink = output == null ? System.out : open(output);
        final Replay.Summary summary;
        try (PrintStream out = new PrintStream(new BufferedOutputStream(sink, 1 << 16), false, "UTF-8")) {
            summary = Replay.run(ruleSet, cfg, inputs, lines, json -> {
                try {
                    out.write(json);
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        final var err = spec.commandLine().getErr();
        err.printf("replayed %d record(s): %d alert event(s)%n", summary.lines(), summary.alertEvents());
        if (summary.deadLetters() > 0 || !summary.rejectedByReason().isEmpty()) {
            err.printf("skipped %d record(s) that run would dead-letter; rejected datapoints by reason:", summary.deadLetters());
            for (Map.Entry<String, Long> e : summary.rejectedByReason().entrySet()) {
                err.printf(" %s=%d", e.getKey(), e.getValue());
            }
            err.println();
        }
        if (summary.skippedFields() > 0) {
            err.printf("skipped %d string or boolean field(s) of line protocol or Telegraf JSON (Vigil evaluates numbers)%n",
                    summary.skippedFields());
        }
        err.flush();
        return 0;
    }

    /**
     * Opening the output empties it before a line is read: an output that is one of the files the replay reads (under
     * any spelling, or a link to it) would be erased and the replay would find nothing in it. Checked before anything
     * is opened. Only a regular file is emptied, so a terminal or pipe that is also an input is left alone.
     */
    private void refuseToOverwriteWhatIsRead() throws IOException {
        if (!Files.isRegularFile(output)) {
            return; // not there yet, so not an input; or a device or pipe, which opening does not empty
        }
        for (Path input : inputs) {
            if (Files.isSameFile(output, input)) {
                throw new ConfigException("--output: " + output + " is also an --input");
            }
        }
        if (config != null && Files.exists(config) && Files.isSameFile(output, config)) {
            throw new ConfigException("--output: " + output + " is also the --config");
        }
        if (Files.isRegularFile(rules) && Files.isSameFile(output, rules)) {
            throw new ConfigException("--output: " + output + " is also the --rules file");
        }
    }

    /** The events' file, created or emptied; a path that cannot be written is the user's to fix, named as such. */
    private static OutputStream open(final Path output) {
        try {
            return Files.newOutputStream(output);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--output: cannot write " + output + ": its directory does not exist");
        } catch (IOException e) {
            throw new ConfigException("--output: cannot write " + output + ": " + FileErrorReason.of(e));
        }
    }
}
