package io.vigil.app;

import io.vigil.model.FileErrorReason;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code vigil}: the command line of cli.md. The commands stay thin; the work is in the stages they wire. It runs
 * nothing itself: without a command picocli prints "Missing required subcommand" and the usage on stderr, exit 2, a
 * usage error like any other ({@code --help} prints the usage on stdout, exit 0).
 */
@Command(name = "vigil", mixinStandardHelpOptions = true, versionProvider = VigilCommand.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Metrics anomaly alerting on Kafka Streams.",
        subcommands = {DemoCommand.class, RunCommand.class, ReplayCommand.class, ProduceCommand.class,
                RulesCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class VigilCommand {

    public static void main(final String[] args) {
        // Before any command makes a JDK HTTP server (the demo's receiver, run's endpoints): the JDK reads them once.
        HttpServerLimits.apply();
        final int exit = commandLine().execute(args);
        stopLogging();
        System.exit(exit);
    }

    /**
     * log4j2.xml leaves log4j's own shutdown hook off, so that `run` can log its stop: flushed and stopped here, if a
     * logger started it. {@code LogManager.shutdown()} alone would start log4j to stop it (about 0.6 s, half of what
     * `vigil rules validate` or `--help` took); asking whether it started costs a sixth of that.
     */
    private static void stopLogging() {
        final org.apache.logging.log4j.spi.LoggerContextFactory logging = org.apache.logging.log4j.LogManager.getFactory();
        if (logging.hasContext(VigilCommand.class.getName(), VigilCommand.class.getClassLoader(), false)) {
            org.apache.logging.log4j.LogManager.shutdown();
        }
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        final CommandLine vigil = new CommandLine(new VigilCommand());
        // Path.of("") is the working directory: `--rules "$RULES"` with the variable unset would load ./ as rules.
        vigil.registerConverter(java.nio.file.Path.class, text -> {
            if (text.isEmpty()) {
                throw new CommandLine.TypeConversionException("an empty path (an unset variable?)");
            }
            return java.nio.file.Path.of(text);
        });
        // picocli gives each command's -V the command's own provider, and a subcommand has none: `replay -V` was empty.
        everyCommand(vigil, cmd -> cmd.getCommandSpec().versionProvider(new Version()));
        // picocli reads a footer as a format string: a key's description saying "%" must not be taken for one.
        vigil.getSubcommands().get("run").getCommandSpec().usageMessage().footer(ConfigLoader.keysHelp().stream()
                .map(line -> line.replace("%", "%%")).toArray(String[]::new));
        return vigil
                // An argument that looks like an option and is none is a mistyped option, not an option's value:
                // `--input f.jsonl --ouptut x` took "--ouptut" for a second input. Set here, before any subcommand
                // is parsed, it holds for all of them.
                .setUnmatchedOptionsAllowedAsOptionParameters(false)
                .setExecutionExceptionHandler(VigilCommand::handle);
    }

    /**
     * User errors get a clear line each (a configuration may have several problems) and exit code 2; anything else
     * one line and exit code 1, never a trace.
     */
    private static int handle(final Exception e, final CommandLine cmd, final CommandLine.ParseResult parsed) {
        if (e instanceof ConfigException) {
            // A line per problem, each read on its own (grep, a CI log's last lines): "vigil: " before every one.
            e.getMessage().lines().forEach(problem -> cmd.getErr().println("vigil: " + problem));
            return 2;
        }
        if (kafkaRefusedItsConfiguration(e)) {
            // A kafka.* value the checks at load could not judge (a plug-in's own setting), refused by a client.
            cmd.getErr().println("vigil: kafka: " + withCauses(e));
            return 2;
        }
        cmd.getErr().println("vigil: " + message(e));
        // The trace is for developers: logged at debug level (io.vigil.app.VigilCommand), never shown to users.
        LoggerFactory.getLogger(VigilCommand.class).debug("command failed", e);
        return 1;
    }

    private static boolean kafkaRefusedItsConfiguration(final Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.apache.kafka.common.config.ConfigException) {
                return true;
            }
        }
        return false;
    }

    private static void everyCommand(final CommandLine cmd, final java.util.function.Consumer<CommandLine> action) {
        action.accept(cmd);
        cmd.getSubcommands().values().forEach(sub -> everyCommand(sub, action));
    }

    /**
     * The exception's message; a file system's failure as its file and why, as its message may be the bare path
     * ({@code NoSuchFileException}, {@code AccessDeniedException}).
     */
    private static String message(final Exception e) {
        final Throwable failure = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (failure instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": "
                    + FileErrorReason.of(f);
        }
        return e instanceof org.apache.kafka.common.KafkaException ? withCauses(e)
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The message, then each cause's that adds to it: Kafka's clients fail as "Failed to create new KafkaAdminClient",
     * the reason (a missing JAAS configuration, a class not found) only in a cause. One line, at most three causes.
     */
    static String withCauses(final Throwable e) {
        final StringBuilder out = new StringBuilder(firstLine(e));
        int causes = 0;
        for (Throwable cause = e.getCause(); cause != null && cause != e && causes < 3; cause = cause.getCause()) {
            final String more = cause.getMessage() == null ? "" : firstLine(cause);
            if (!more.isEmpty() && !out.toString().contains(more)) {
                out.append(": ").append(more);
                causes++;
            }
        }
        return io.vigil.model.PrintableText.escaped(out.toString());
    }

    private static String firstLine(final Throwable e) {
        final String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * The jar manifest's Implementation-Version, the project's (maven-jar-plugin writes it, streams-app/pom.xml); run
     * from the classes directory, as the tests do, there is no manifest and no version.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = VigilCommand.class.getPackage().getImplementationVersion();
            return new String[] {"vigil " + (v == null ? "development build" : v)};
        }
    }
}
