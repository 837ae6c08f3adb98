package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production log4j2.xml, in a logging context of the test's own: text by default, one JSON object per line
 * once {@code log.format: json} is applied. ({@code VigilRunIT} checks every stderr line of a real
 * {@code vigil run}.)
 */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoggerContext context;

    @BeforeEach
    void start() throws Exception {
        context = new LoggerContext("log-format-test", null, LogFormatTest.class.getResource("/log4j2.xml").toURI());
        context.start();
    }

    @AfterEach
    void stop() {
        context.stop();
        System.clearProperty(LogFormat.PROPERTY);
    }

    /** What the root logger's one appender writes for an event. */
    private String written(final String logger, final Level level, final String message, final Throwable thrown) {
        final Map<String, Appender> appenders = context.getConfiguration().getRootLogger().getAppenders();
        assertThat(appenders).hasSize(1);
        final Appender appender = appenders.values().iterator().next();
        return new String(appender.getLayout().toByteArray(Log4jLogEvent.newBuilder()
                .setLoggerName(logger).setLevel(level).setMessage(new SimpleMessage(message)).setThrown(thrown)
                .setThreadName("vigil-delivery-pager").setTimeMillis(1_767_225_600_123L).build()),
                StandardCharsets.UTF_8);
    }

    @Test
    void textIsTheDefault() {
        assertThat(context.getConfiguration().getRootLogger().getAppenders()).containsOnlyKeys("text");
        LogFormat.TEXT.applyTo(context);
        assertThat(written("io.vigil.app.RunCommand", Level.INFO, "started: 3 rule(s)", null))
                .matches("\\d\\d:\\d\\d:\\d\\d\\.123 INFO  RunCommand - started: 3 rule\\(s\\)\\R");
    }

    @Test
    void jsonWritesOneObjectPerLineWithTheExceptionAsOneString() throws Exception {
        LogFormat.JSON.applyTo(context);
        assertThat(context.getConfiguration().getRootLogger().getAppenders()).containsOnlyKeys("json");

        final String info = written("io.vigil.app.RunCommand", Level.INFO, "started: 3 rule(s)", null);
        assertThat(info).endsWith("\n").doesNotContain("\n\n");
        assertThat(info.lines()).hasSize(1);
        final JsonNode event = JSON.readTree(info);
        assertThat(event.get("time").asText()).isEqualTo("2026-01-01T00:00:00.123Z");
        assertThat(event.get("level").asText()).isEqualTo("INFO");
        assertThat(event.get("logger").asText()).isEqualTo("io.vigil.app.RunCommand");
        assertThat(event.get("message").asText()).isEqualTo("started: 3 rule(s)");
        assertThat(event.get("thread").asText()).isEqualTo("vigil-delivery-pager");
        assertThat(event.has("exception")).isFalse();

        final String error = written("io.vigil.delivery.ReceiverDelivery", Level.ERROR, "a message\non two lines",
                new IllegalStateException("receiver gone"));
        assertThat(error.lines()).hasSize(1);
        final JsonNode failed = JSON.readTree(error);
        assertThat(failed.get("level").asText()).isEqualTo("ERROR");
        assertThat(failed.get("message").asText()).isEqualTo("a message\non two lines");
        assertThat(failed.get("exception").isTextual()).isTrue();
        assertThat(failed.get("exception").asText()).startsWith("java.lang.IllegalStateException: receiver gone\n")
                .contains("at io.vigil.app.LogFormatTest");
    }

    @Test
    void backToTextAfterJson() {
        LogFormat.JSON.applyTo(context);
        LogFormat.TEXT.applyTo(context);
        assertThat(context.getConfiguration().getRootLogger().getAppenders()).containsOnlyKeys("text");
    }

    @Test
    void routineWarningsOfTheEmbeddedBrokerAreDroppedAndOthersOfTheSameLoggersKept() {
        assertThat(filtered("kafka.server.DefaultAutoTopicCreationManager", "Auto topic creation failed for"
                + " __consumer_offsets with error 'TOPIC_ALREADY_EXISTS': Topic '__consumer_offsets' already exists."))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filtered("kafka.server.DefaultAutoTopicCreationManager", "Auto topic creation failed for"
                + " __consumer_offsets with error 'INVALID_REPLICATION_FACTOR': Unable to replicate the partition"))
                .isNotEqualTo(Filter.Result.DENY);
        assertThat(filtered("org.apache.kafka.controller.QuorumController", "[QuorumController id=1] Performing"
                + " controller activation. The metadata log appears to be empty."))
                .isEqualTo(Filter.Result.DENY);
        final String sender = "org.apache.kafka.clients.producer.internals.Sender";
        final String producer = "[Producer clientId=vigil-demo-1-StreamThread-1-producer, transactionalId=vigil-demo-1]";
        assertThat(filtered(sender, producer + " Got error produce response with correlation id 29 on topic-partition"
                + " vigil-demo-series-repartition-0, retrying (2147483646 attempts left). Error: CONCURRENT_TRANSACTIONS"))
                .isEqualTo(Filter.Result.DENY);
        assertThat(filtered(sender, producer + " Got error produce response with correlation id 29 on topic-partition"
                + " alerts-0, retrying (2147483646 attempts left). Error: NOT_LEADER_OR_FOLLOWER"))
                .isNotEqualTo(Filter.Result.DENY);
    }

    /** What the filter of {@code logger}'s configuration decides for a WARN event of {@code message}. */
    private Filter.Result filtered(final String logger, final String message) {
        final Filter filter = context.getConfiguration().getLoggerConfig(logger).getFilter();
        assertThat(filter).as("a filter for %s", logger).isNotNull();
        return filter.filter(Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.WARN)
                .setMessage(new SimpleMessage(message)).build());
    }

    @Test
    void anUnknownFormatNamesTheKey() {
        assertThatThrownBy(() -> LogFormat.parse("log.format", "yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("log.format: 'yaml' is not a log format (text or json)");
    }
}
