package io.vigil.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of Vigil's embedded broker: one KRaft node that is both broker and controller,
 * on loopback only, with the replication settings a single node can satisfy.
 *
 * <p>Keys are spelled out rather than taken from Kafka's config classes: those live in Kafka's
 * server modules, which are only on the runtime classpath, and the spelled-out names are the ones
 * the Kafka documentation uses.
 */
final class SingleNodeBrokerConfig {

    static final int NODE_ID = 1;
    static final String CLIENT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private SingleNodeBrokerConfig() {
    }

    /**
     * @param dataDir        holds the metadata log and every topic's log
     * @param clientPort     the loopback port clients connect to
     * @param controllerPort the loopback port of the KRaft controller
     * @return broker properties, in a stable order so a written-out file reads well
     * @throws IllegalArgumentException if {@code dataDir} holds a ',', which log.dirs would take as two directories
     */
    static Map<String, String> properties(final Path dataDir, final int clientPort, final int controllerPort) {
        if (dataDir.toString().contains(",")) {
            throw new IllegalArgumentException("Kafka data directory " + dataDir + " has a ',', which log.dirs would"
                    + " read as a list of directories");
        }
        final String client = LoopbackPorts.HOST + ":" + clientPort;
        final String controller = LoopbackPorts.HOST + ":" + controllerPort;
        final Map<String, String> props = new LinkedHashMap<>();

        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        // A static voter set (kraft.version 0) is read from this config at every start and never from
        // the metadata log, so the controller may get a different free port on each start.
        props.put("controller.quorum.voters", NODE_ID + "@" + controller);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("listeners", CLIENT_LISTENER + "://" + client + "," + CONTROLLER_LISTENER + "://" + controller);
        props.put("advertised.listeners", CLIENT_LISTENER + "://" + client);
        props.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", CLIENT_LISTENER);

        // One directory for the metadata log and the topics: one meta.properties, one lock file.
        props.put("log.dirs", dataDir.toString());
        props.put("metadata.log.dir", dataDir.toString());

        // Internal topics must fit on one node, or groups and transactions never become available.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // The default 50 partitions each of __consumer_offsets and __transaction_state are 100 logs
        // to create and load for a node that serves a handful of groups and producers.
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.num.partitions", "4");
        // Nobody else joins: the default 3 s wait for more members only delays every first rebalance.
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("group.streams.initial.rebalance.delay.ms", "0"); // the same for kafka.group.protocol: streams
        props.put("num.partitions", "1");
        // Vigil creates its topics with the partitions and configs it needs; a typo must not make one.
        props.put("auto.create.topics.enable", "false");

        // Replayed captures carry timestamps years old. Kafka 4.3 accepts any past timestamp
        // (log.message.timestamp.before.max.ms defaults to Long.MAX_VALUE; set here so that stays
        // true), but its default time retention (log.retention.hours=168, judged by the records'
        // own timestamps) would delete such segments within minutes. Topics inherit these broker
        // defaults unless they are created with their own retention.ms.
        props.put("log.retention.ms", "-1");
        props.put("log.message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE));
        // The demo simulator runs faster than real time, so its event times can run more than the
        // default one hour (log.message.timestamp.after.max.ms=3600000) ahead of the wall clock.
        props.put("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
        // Event time, not arrival time, is what the rules evaluate (CreateTime is the default; pinned).
        props.put("log.message.timestamp.type", "CreateTime");

        // Sized for a laptop with two cores rather than a production host.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        props.put("log.cleaner.dedupe.buffer.size", Long.toString(8L * 1024 * 1024));
        // Fail a start that hangs instead of blocking `vigil run` forever (the default is unbounded).
        props.put("server.max.startup.time.ms", "60000");
        return props;
    }
}
