package io.vigil.app;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** What Vigil logs, every level, while it is open, as text. */
public final class CapturedLogs implements AutoCloseable {
    private final StringWriter text = new StringWriter();
    private final LoggerContext context;

    public CapturedLogs() {
        this((LoggerContext) LogManager.getContext(false));
    }

    /** What {@code context}'s loggers log: another configuration than the tests', such as the one the jar ships. */
    public CapturedLogs(final LoggerContext context) {
        this.context = context;
        final WriterAppender capture = WriterAppender.newBuilder().setName("capture").setTarget(text)
                .setLayout(PatternLayout.createDefaultLayout()).build();
        capture.start();
        context.getConfiguration().addAppender(capture);
        context.getConfiguration().getRootLogger().addAppender(capture, Level.ALL, null);
        context.updateLoggers();
    }

    public String text() {
        return text.toString();
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender("capture");
        context.updateLoggers();
    }
}
