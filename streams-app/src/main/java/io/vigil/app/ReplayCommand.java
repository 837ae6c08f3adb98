package io.vigil.app;

import io.vigil.ingest.InputFormat;
import io.vigil.ingest.TimestampPrecision;
import io.vigil.model.DurationSyntax;
import io.vigil.model.FileErrorReason;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessMode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
                    + "configured with that format, and skips a line in another.")
    private String format;

    @Option(names = "--precision", paramLabel = "UNIT",
            description = "ns, us, ms or s: the unit of line protocol timestamps, as a topic's `precision` (default:"
                    + " ns); for --format auto or influx.")
    private String precision;

    @Option(names = "--config", paramLabel = "FILE", description = "vigil.yaml (grace, limits, external URL).")
    private Path config;

    @Override
    public Integer call() throws IOException {
        final InputFormat lines = InputFormat.ofName(format).orElseThrow(() -> new ConfigException(
                "--format: '" + format + "' is not a format; use one of " + String.join(", ", InputFormat.names())));
        final TimestampPrecision unit = precision(lines);
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
        final VigilConfig cfg = linksWithoutPortZero(ConfigLoader.load(config, System.getenv()));
        final var ruleSet = RulesCommand.loadOrFail(List.of(rules), spec.commandLine());
        ForgetCheck.require(ruleSet, cfg.forget());
        final Replay.Summary summary = replay(ruleSet, cfg, lines, unit);
        final var err = spec.commandLine().getErr();
        err.printf("replayed %d record(s): %d alert event(s)%n", summary.lines(), summary.alertEvents());
        if (summary.deadLetters() > 0 || !summary.rejectedByReason().isEmpty()) {
            // A rejection is of a datapoint, a line protocol line or a Telegraf metric or field, as its words say;
            // "late" counts datapoints. "rejected datapoints" counted lines and metrics as datapoints. The words for
            // late come only with late points: without them they named a count that was not there.
            // "skipped" read as if a partly bad batch's valid datapoints had been left out too (a formats audit).
            err.printf("%d record(s) run would dead-letter (their valid datapoints used, as run uses them); rejections"
                    + " by reason%s:", summary.deadLetters(),
                    summary.rejectedByReason().containsKey(ReplayPipeline.LATE) ? " (late: datapoints dropped)" : "");
            for (Map.Entry<String, Long> e : summary.rejectedByReason().entrySet()) {
                err.printf(" %s=%d", e.getKey(), e.getValue());
            }
            err.println();
            // The counts say how many, not what was wrong: the first record of each reason says it.
            summary.firstByReason().forEach((reason, text) ->
                    err.printf("  the first %s: %s%n", reason, text));
        }
        if (summary.skippedFields() > 0) {
            err.printf("skipped %d string or boolean field(s) of line protocol or Telegraf JSON (Vigil evaluates numbers)%n",
                    summary.skippedFields());
        }
        notes(summary, cfg.grace().toMillis()).forEach(err::println);
        err.flush();
        return 0;
    }

    /** Before 2000: no metrics pipeline's data, but the epoch's first weeks, where timestamps in seconds land. */
    static final long YEAR_2000_MS = 946_684_800_000L;

    /**
     * What the summary's counts leave unsaid when a replay's datapoints could not make an alert: timestamps in another
     * unit than their format's (epoch seconds read as milliseconds are a few weeks after 1970: every point within
     * seconds of the others), or an input shorter than the grace, which a replay leaves unevaluated at its end. Both
     * ended "0 alert event(s)" with no word of why (a numeric edge-case audit).
     */
    static List<String> notes(final Replay.Summary summary, final long graceMs) {
        if (summary.earliestMs() == Long.MAX_VALUE) {
            return List.of(); // no datapoint a rule selects: the summary says so
        }
        final List<String> notes = new ArrayList<>();
        if (summary.latestMs() < YEAR_2000_MS) {
            notes.add("note: the datapoints are from " + java.time.Instant.ofEpochMilli(summary.earliestMs()) + " to "
                    + java.time.Instant.ofEpochMilli(summary.latestMs()) + ": are their timestamps in another unit?"
                    + " Native JSON takes epoch milliseconds (or RFC 3339), line protocol nanoseconds (--precision"
                    + " sets another), Telegraf JSON seconds (formats.md)");
        }
        if (summary.alertEvents() == 0 && summary.latestMs() - summary.earliestMs() < graceMs) {
            notes.add("note: the datapoints span " + (summary.latestMs() - summary.earliestMs()) + " ms, within the"
                    + " grace (evaluation.grace, " + DurationSyntax.format(java.time.Duration.ofMillis(graceMs))
                    + ") that a replay leaves unevaluated at the end of its input, as run waits that long for points"
                    + " out of order: no instant was evaluated");
        }
        return notes;
    }

    /**
     * The configuration with a port to link to where {@code http.port} is 0: {@code run} links to the port it bound,
     * but a replay binds none, and its events' generatorURL named {@code http://localhost:0/rules/...}, which no one
     * can open. The default port is taken instead, as {@code run} on it would be reached ({@code :0} of an
     * {@code http.external_url} replaced the same way); any other port, or an external URL with none, is kept.
     */
    static VigilConfig linksWithoutPortZero(final VigilConfig cfg) {
        return RunCommand.onBoundPort(cfg, ConfigLoader.DEFAULT_HTTP_PORT);
    }

    /**
     * The unit of the input's line protocol timestamps. A capture of a topic configured with {@code precision: s}
     * replayed in nanoseconds made points of 1970 and no alert, where {@code run} paged (a formats audit).
     */
    private TimestampPrecision precision(final InputFormat lines) {
        if (precision == null) {
            return TimestampPrecision.NANOSECONDS;
        }
        final TimestampPrecision unit = TimestampPrecision.ofUnit(precision).orElseThrow(() -> new ConfigException(
                "--precision: '" + precision + "' is not a precision; use one of "
                        + String.join(", ", TimestampPrecision.units())));
        if (lines == InputFormat.JSON || lines == InputFormat.TELEGRAF_JSON) {
            throw new ConfigException("--precision: the precision is that of line protocol timestamps; --format "
                    + lines.configName() + " reads none (use --format influx or auto)");
        }
        return unit;
    }

    /**
     * The replay, its events written to {@code --output} or stdout. A failed write fails the replay at once, naming
     * why: written through a PrintStream, which keeps its errors to itself, {@code --output /dev/full} lost every event
     * while the summary counted them, exit 0.
     */
    private Replay.Summary replay(final io.vigil.rules.RuleSet ruleSet, final VigilConfig cfg, final InputFormat lines,
                                  final TimestampPrecision unit) throws IOException {
        final String failed = output == null ? "cannot write the events to stdout" : "--output: cannot write " + output;
        // Stdout as its file descriptor, not System.out (a PrintStream too), and left open.
        try (EventsOut out = output == null ? new EventsOut(new FileOutputStream(FileDescriptor.out), false)
                : new EventsOut(open(output), true)) {
            final Replay.Summary summary = Replay.run(ruleSet, cfg, inputs, lines, unit, out::write);
            out.flush();
            return summary;
        } catch (EventsNotWritten e) {
            throw new IOException(failed + ": " + FileErrorReason.of(e.getCause()), e);
        }
    }

    /** Where the events go; a failed write, flush or close is thrown as {@link EventsNotWritten}. */
    private static final class EventsOut implements AutoCloseable {
        private final OutputStream target;
        private final boolean closeTarget;
        private final BufferedOutputStream out;

        EventsOut(final OutputStream target, final boolean closeTarget) {
            this.target = target;
            this.closeTarget = closeTarget;
            this.out = new BufferedOutputStream(target, 1 << 16);
        }

        void write(final byte[] json) {
            try {
                out.write(json);
                out.write('\n');
            } catch (IOException e) {
                throw new EventsNotWritten(e);
            }
        }

        void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new EventsNotWritten(e);
            }
        }

        @Override
        public void close() {
            flush();
            if (closeTarget) {
                try {
                    target.close();
                } catch (IOException e) {
                    throw new EventsNotWritten(e);
                }
            }
        }
    }

    /** The events could not be written: thrown through the replay, which stops there. */
    private static final class EventsNotWritten extends RuntimeException {
        EventsNotWritten(final IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
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
        for (Path ruleFile : io.vigil.rules.RuleFiles.list(List.of(rules)).files()) {
            if (Files.isSameFile(output, ruleFile)) {
                throw new ConfigException("--output: " + output + " is also " + (ruleFile.equals(rules)
                        ? "the --rules file" : "a rule file read from --rules " + rules));
            }
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
