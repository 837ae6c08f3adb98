package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.api.Test;

/**
 * What Vigil's logging configuration, log4j2.xml as the jar ships it (the tests log through log4j2-test.xml), lets
 * through of the Kafka clients' own lines.
 */
class KafkaClientLogsTest {

    /** Each client's every reconnect to a broker out of reach was a line: hundreds a minute in an outage. */
    @Test
    void aBrokerOutagesReconnectWarningsAreCutToABurstAndAnErrorAlwaysPasses() throws IOException {
        final LoggerContext context = shipped();
        try (CapturedLogs logs = new CapturedLogs(context)) {
            final Logger networkClient = context.getLogger("org.apache.kafka.clients.NetworkClient");
            for (int i = 0; i < 500; i++) {
                networkClient.warn("[Consumer clientId=c{}] Connection to node 1 (/127.0.0.1:9092) could not be"
                        + " established. Node may not be available.", i);
            }
            networkClient.error("an error of the client");
            assertThat(logs.text().lines().filter(l -> l.contains("could not be established")).count())
                    .isBetween(20L, 25L);
            assertThat(logs.text()).contains("an error of the client");
        } finally {
            context.stop();
        }
    }

    /** Kafka Streams says each task a lone member holds without its standby, at every such rebalance. */
    @Test
    void theStandbysThatCannotBeAssignedAreSaidInAFewLinesARebalance() throws IOException {
        final LoggerContext context = shipped();
        try (CapturedLogs logs = new CapturedLogs(context)) {
            final Logger assignor = context.getLogger(
                    "org.apache.kafka.streams.processor.internals.assignment.DefaultStandbyTaskAssignor");
            for (int task = 0; task < 48; task++) {
                assignor.warn("Unable to assign 1 of 1 standby tasks for task [0_{}]. There is not enough available"
                        + " capacity.", task);
            }
            assertThat(logs.text().lines().filter(l -> l.contains("Unable to assign")).count()).isBetween(3L, 4L);
        } finally {
            context.stop();
        }
    }

    /** A logger context of its own, configured by log4j2.xml. */
    private static LoggerContext shipped() throws IOException {
        final LoggerContext context = new LoggerContext("shipped-log4j2.xml");
        context.start(new XmlConfiguration(context,
                ConfigurationSource.fromResource("log4j2.xml", KafkaClientLogsTest.class.getClassLoader())));
        return context;
    }
}
