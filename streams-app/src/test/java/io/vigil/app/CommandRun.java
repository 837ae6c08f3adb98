package io.vigil.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One `vigil` command run in-process, as a user would run it: its exit code and what it printed. */
record CommandRun(int exit, String out, String err) {

    static CommandRun vigil(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cmd = VigilCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        final int exit = cmd.execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }
}
