package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `vigil demo` as a newcomer runs it, with the repository's rules: every incident detected, no false alarm, exit 0. */
class DemoIT {

    @Test
    void theDemoDetectsEveryIncidentWithoutAFalseAlarm() {
        final StringWriter out = new StringWriter();
        final CommandLine cmd = VigilCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        final int exit = cmd.execute("demo", "--rules", Path.of("..", "rules").toString());
        final String text = out.toString();
        assertThat(text).contains("Summary").doesNotContain("NOT DETECTED").contains("No false alarms");
        assertThat(text).containsPattern("node-07 silently leaves the load balancer +began \\+60:00  detected by \\w+ \\dm\\d*s? after it began");
        assertThat(text).containsPattern("db-1 goes silent +began \\+86:00  detected by DatabaseSilent");
        assertThat(exit).as(text).isZero();
    }
}
