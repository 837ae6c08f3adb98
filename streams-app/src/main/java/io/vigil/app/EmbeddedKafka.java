package io.vigil.app;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * A real single-node Kafka broker in KRaft mode (one node that is both broker and controller),
 * running inside the Vigil JVM from Kafka's own server classes. {@code vigil run} and {@code vigil demo}
 * use it when no external cluster is configured; integration tests use it as their cluster.
 *
 * <p>It does what {@code kafka-storage.sh format} and {@code kafka-server-start.sh} do: the data
 * directory is formatted through Kafka's {@link StorageTool} (once), then a {@link KafkaRaftServer}
 * runs the controller and the broker. As in a standalone broker, a fault that Kafka deems fatal to its
 * metadata (a failing metadata log disk, say) halts the JVM, since carrying on would serve a cluster
 * state Kafka can no longer vouch for.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** Written by the broker at a clean stop: Kafka's CleanShutdownFileHandler.CLEAN_SHUTDOWN_FILE_NAME. */
    private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

    /**
     * A listener besides the PLAINTEXT one, for clients that must authenticate or encrypt (tests of TLS and SASL).
     *
     * @param name             the listener's name, e.g. {@code SASL_SSL}; letters, digits and underscores
     * @param securityProtocol {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
     * @param brokerProperties what the listener needs, as Kafka names it: keystore, enabled SASL mechanisms, and its
     *                         JAAS settings under {@code listener.name.NAME_IN_LOWER_CASE.}
     * @param port             its loopback port; 0 picks a free one
     */
    public record Listener(String name, String securityProtocol, Map<String, String> brokerProperties, int port) {
        public Listener {
            if (!name.matches("[A-Za-z][A-Za-z0-9_]*") || name.equalsIgnoreCase(SingleNodeBrokerConfig.CLIENT_LISTENER)
                    || name.equalsIgnoreCase(SingleNodeBrokerConfig.CONTROLLER_LISTENER)) {
                throw new IllegalArgumentException("listener name '" + name + "' must be letters, digits and underscores,"
                        + " and neither PLAINTEXT nor CONTROLLER");
            }
            brokerProperties = Map.copyOf(brokerProperties);
        }
    }

    /**
     * The data directory cannot be used, for a reason its user can fix: another broker holds it, or it cannot be
     * created or written. The message says which directory and why, in one line.
     */
    public static final class UnusableDataDirectory extends RuntimeException {
        UnusableDataDirectory(final String message) {
            super(message);
        }
    }

    /** Vigil's lock on a broker's directory ({@link #claim}), beside Kafka's {@code .lock}. */
    private static final String CLAIM_FILE = "vigil.lock";

    /**
     * The directories claimed in this JVM, from before their broker starts until it has stopped. Their locks are not
     * tested through the files: closing a channel of a file would release the lock this JVM holds on it too (POSIX
     * locks belong to the process, see FileLock).
     */
    private static final java.util.Set<Path> CLAIMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final Map<String, Integer> extraPorts;
    private final FileLock claim;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(final KafkaRaftServer server, final Path dataDir, final int port,
                          final Map<String, Integer> extraPorts, final FileLock claim) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.extraPorts = Map.copyOf(extraPorts);
        this.claim = claim;
    }

    /**
     * Starts a broker with its data under {@code dataDir} and returns once it accepts clients.
     *
     * <p>The directory is created and formatted if it holds no Kafka storage yet; storage from an
     * earlier start is reused, so topics, records and committed offsets survive a restart of
     * {@code vigil run}. Only one broker at a time may use a directory.
     *
     * @param dataDir where the metadata log and the topics' logs live
     * @param port    the client (PLAINTEXT) port on 127.0.0.1; 0 picks a free one. The KRaft
     *                controller always takes another free loopback port.
     * @throws UnusableDataDirectory if the directory cannot be created or written, or another broker uses it
     * @throws UncheckedIOException  if the port is in use (the message names it), or the directory
     *                               cannot be formatted
     * @throws IllegalStateException if Kafka fails to start; the message says why
     */
    public static EmbeddedKafka start(final Path dataDir, final int port) {
        return start(dataDir, port, List.of());
    }

    /**
     * As {@link #start(Path, int)}, with more listeners next to the PLAINTEXT one (which stays the inter-broker
     * listener, so the broker never authenticates to itself). Tests use it for TLS and SASL; {@code vigil run} does not.
     */
    public static EmbeddedKafka start(final Path dataDir, final int port, final List<Listener> extraListeners) {
        return start(dataDir, port, extraListeners, LoopbackPorts::available);
    }

    /** How the ports are chosen before Kafka binds them: {@link LoopbackPorts#available}, or a test's. */
    interface PortChoice {
        /** @param requested ports, 0 for any free one; the result in the same order */
        int[] choose(int... requested);
    }

    static EmbeddedKafka start(final Path dataDir, final int port, final List<Listener> extraListeners,
                               final PortChoice ports) {
        checkPort(port);
        extraListeners.forEach(l -> checkPort(l.port()));
        final long startedAt = System.nanoTime();
        final Path dir = dataDir.toAbsolutePath().normalize();
        final FileLock claim = requireUsable(dir);
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnChosenPorts(dir, extraListeners, ports.choose(IntStream.concat(
                    IntStream.of(port, 0), extraListeners.stream().mapToInt(Listener::port)).toArray()), claim,
                    startedAt);
            } catch (RuntimeException | Error e) {
                release(dir, claim);
                throw e;
            } catch (PortTakenMeanwhile e) {
                // A port free when chosen was bound by another process before Kafka bound it (the OS hands the same
                // ephemeral ports out again; two brokers starting at once both find 9092 free): choose again. A
                // requested port that is now taken is refused by the next choice, naming it.
                if (attempt == PORT_ATTEMPTS) {
                    release(dir, claim);
                    throw new IllegalStateException("Embedded Kafka broker failed to start in " + dir + ": "
                        + e.getMessage(), e);
                }
                LOG.info("A port chosen for the embedded Kafka broker was taken before it bound it ({}); choosing again",
                    e.getMessage());
            }
        }
    }

    /** Times the ports are chosen again when one was taken between the choice and Kafka's bind. */
    private static final int PORT_ATTEMPTS = 3;

    /** Kafka could not bind a port that was free when chosen. */
    private static final class PortTakenMeanwhile extends Exception {
        PortTakenMeanwhile(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param ports the client's, the controller's, then each extra listener's: chosen together, so never one port twice
     */
    private static EmbeddedKafka startOnChosenPorts(final Path dir, final List<Listener> extraListeners,
                                                    final int[] ports, final FileLock claim, final long startedAt)
            throws PortTakenMeanwhile {
        final int clientPort = ports[0];
        final Map<String, String> props = SingleNodeBrokerConfig.properties(dir, clientPort, ports[1]);
        final Map<String, Integer> extraPorts = new LinkedHashMap<>();
        for (int i = 0; i < extraListeners.size(); i++) {
            final Listener listener = extraListeners.get(i);
            final String name = listener.name().toUpperCase(Locale.ROOT);
            final int listenerPort = ports[2 + i];
            extraPorts.put(name, listenerPort);
            final String address = name + "://" + LoopbackPorts.HOST + ":" + listenerPort;
            props.merge("listeners", address, (a, b) -> a + "," + b);
            props.merge("advertised.listeners", address, (a, b) -> a + "," + b);
            props.merge("listener.security.protocol.map", name + ":" + listener.securityProtocol(), (a, b) -> a + "," + b);
            props.putAll(listener.brokerProperties());
        }
        if (Files.exists(dir.resolve("meta.properties"))
                && !Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE))) {
            // Kafka writes the file at a clean stop: without it the broker first checks every log segment it holds,
            // seconds to minutes of a start that said nothing meanwhile (a first-hour audit waited 11.8 s).
            LOG.info("The embedded Kafka broker in {} was not stopped cleanly (the process was killed or crashed):"
                    + " it recovers its logs before it listens, which takes longer the more data it holds", dir);
        }
        formatIfNew(dir, props);
        final KafkaRaftServer server = startServer(dir, props);
        final EmbeddedKafka kafka = new EmbeddedKafka(server, dir, clientPort, extraPorts, claim);
        LOG.info("Embedded Kafka broker listening on {}{} (data in {}), started in {} ms",
            kafka.bootstrapServers(), extraPorts.isEmpty() ? "" : " and " + extraPorts, dir, millisSince(startedAt));
        return kafka;
    }

    private static void checkPort(final int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("Kafka port must be between 0 and 65535, not " + port);
        }
    }

    /** The client (PLAINTEXT) port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The address clients connect to, {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return LoopbackPorts.HOST + ":" + port;
    }

    /**
     * The address of an extra listener given to {@link #start(Path, int, List)}.
     *
     * @throws IllegalArgumentException if the broker has no listener of that name
     */
    public String bootstrapServers(final String listenerName) {
        final Integer listenerPort = extraPorts.get(listenerName.toUpperCase(Locale.ROOT));
        if (listenerPort == null) {
            throw new IllegalArgumentException("no listener " + listenerName + "; this broker has " + extraPorts.keySet());
        }
        return LoopbackPorts.HOST + ":" + listenerPort;
    }

    /**
     * Stops the broker, then the controller, and waits until their threads have ended and their
     * ports are free; the data stays. Bounded by Kafka's own shutdown timeouts (the broker's controlled
     * shutdown waits at most {@code broker.session.timeout.ms}, 9 s). Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        final long stoppingAt = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        release(dataDir, claim);
        LOG.info("Embedded Kafka broker on {} stopped in {} ms", bootstrapServers(), millisSince(stoppingAt));
    }

    /**
     * Creates {@code dir} if need be, checks that it is writable and that no broker holds it, so that each of these is
     * said in one line (Kafka's own failures are an exception's message that names only the path, or a stack trace of
     * 26 lines logged before it, "Failed to acquire lock on file .lock"), and claims it.
     *
     * @return Vigil's lock on the directory, to hold until the broker has stopped ({@link #release})
     */
    private static FileLock requireUsable(final Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new UnusableDataDirectory("cannot create " + dir + ": " + existing + " is a file, not a directory");
        }
        try {
            Files.createDirectories(dir, ownerOnly(dir));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UnusableDataDirectory("cannot create " + dir + ": permission denied"
                + (dir.toString().equals(e.getFile()) ? "" : " (on " + e.getFile() + ")"));
        } catch (IOException e) {
            throw new UnusableDataDirectory("cannot create " + dir + ": " + io.vigil.model.FileErrorReason.of(e));
        }
        try {
            // A file written and removed, not Files.isWritable: that says only no, which was put as "permission
            // denied" also for a read-only mount (failure-mode audit); a write fails with the system's own reason.
            Files.delete(Files.createTempFile(dir, ".vigil-write-check", ".tmp"));
        } catch (IOException e) {
            throw new UnusableDataDirectory("cannot write in " + dir + ": " + io.vigil.model.FileErrorReason.of(e));
        }
        final FileLock claim = claim(dir);
        try {
            requireKafkaLockFree(dir);
        } catch (RuntimeException e) {
            release(dir, claim);
            throw e;
        }
        return claim;
    }

    /**
     * Vigil's own lock on the directory, held from before Kafka starts until it has stopped. Kafka's {@code .lock} is
     * taken only once its log manager starts, seconds after the checks: two starts at one moment both found it free,
     * and the second failed inside Kafka with a stack trace. Under this lock the checks and the start are one step, and
     * whoever comes second is told the directory is in use.
     */
    private static FileLock claim(final Path dir) {
        if (!CLAIMED.add(dir)) {
            throw inUse(dir);
        }
        final Path file = dir.resolve(CLAIM_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            closeQuietly(channel);
            CLAIMED.remove(dir);
            throw inUse(dir);
        } catch (IOException e) {
            closeQuietly(channel);
            CLAIMED.remove(dir);
            throw new UnusableDataDirectory("cannot lock " + file + ": " + (e instanceof java.nio.file.AccessDeniedException
                ? "permission denied" : io.vigil.model.FileErrorReason.of(e)));
        }
    }

    /** Closing the channel releases the lock; the file stays, as Kafka's {@code .lock} does. */
    private static void release(final Path dir, final FileLock claim) {
        closeQuietly(claim.channel());
        CLAIMED.remove(dir);
    }

    private static void closeQuietly(final FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Could not close {}", CLAIM_FILE, e);
        }
    }

    /**
     * Kafka's LogManager holds an exclusive lock on {@code .lock} while the broker runs (its log dir and metadata log
     * dir are both dir): a broker started by other means than Vigil's holds it. Released at once: Kafka takes it next.
     * Tested only under this JVM's claim of the directory, so never while a broker of this JVM holds it.
     */
    private static void requireKafkaLockFree(final Path dir) {
        final Path lockFile = dir.resolve(".lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            final FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUse(dir);
            }
            lock.release();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // Held in this JVM, by a broker not started here.
            throw inUse(dir);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UnusableDataDirectory("cannot write " + lockFile + ": permission denied");
        } catch (IOException e) {
            // Kafka will say what is wrong with it.
            LOG.debug("Could not test the lock of {}", lockFile, e);
        }
    }

    private static UnusableDataDirectory inUse(final Path dir) {
        return new UnusableDataDirectory(dir + " is in use by another Kafka broker (another vigil run?); stop it or"
            + " choose another directory");
    }

    /**
     * The directories Vigil makes for the broker are its user's alone: they hold every datapoint and alert, which the
     * umask's usual 755 let any user of the host read. One that exists is left as its owner made it.
     */
    private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly(final Path dir) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new java.nio.file.attribute.FileAttribute<?>[0];
        }
        return new java.nio.file.attribute.FileAttribute<?>[] {java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"))};
    }

    /**
     * Runs {@code kafka-storage format} on a directory that holds no {@code meta.properties} yet.
     * Kafka writes that file last, so its presence means an earlier format completed; whether it
     * matches this node is checked by Kafka itself at startup.
     */
    private static void formatIfNew(final Path dir, final Map<String, String> props) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return;
        }
        final String clusterId = Uuid.randomUuid().toString();
        final ByteArrayOutputStream narration = new ByteArrayOutputStream();
        Path configFile = null;
        try {
            Files.createDirectories(dir);
            configFile = Files.createTempFile("vigil-kafka-", ".properties");
            writeProperties(configFile, props);
            // The tool narrates on the stream it is given; stdout belongs to Vigil's own output.
            final int exitCode = StorageTool.execute(new String[] {
                "format", "--config", configFile.toString(), "--cluster-id", clusterId},
                new PrintStream(narration, true, StandardCharsets.UTF_8));
            if (exitCode != 0) {
                throw new IOException("kafka-storage format exited with " + exitCode + ": "
                    + narration.toString(StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot format Kafka data directory " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // StorageTool reports a refused format (unwritable or inconsistent directory) this way.
            throw new UncheckedIOException(new IOException(
                "Cannot format Kafka data directory " + dir + ": " + e.getMessage(), e));
        } finally {
            deleteQuietly(configFile);
        }
        LOG.info("Formatted new Kafka storage in {} (cluster id {})", dir, clusterId);
    }

    private static KafkaRaftServer startServer(final Path dir, final Map<String, String> props)
            throws PortTakenMeanwhile {
        final KafkaRaftServer server;
        try {
            // The constructor already reads the storage (meta.properties, bootstrap metadata).
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Embedded Kafka broker cannot use " + dir + ": " + e.getMessage(), e);
        }
        try {
            // Returns once the controller has elected itself and unfenced the broker.
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            server.awaitShutdown();
            if (failedToBind(e)) {
                throw new PortTakenMeanwhile(bindMessage(e), e);
            }
            throw new IllegalStateException("Embedded Kafka broker failed to start in " + dir + ": " + e.getMessage(), e);
        }
        return server;
    }

    /** Whether a start failed on a port taken (Kafka wraps the BindException in its own exceptions). */
    private static boolean failedToBind(final Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message naming the address, Kafka's "Socket server failed to bind to 127.0.0.1:9092: ...". */
    private static String bindMessage(final Throwable failure) {
        String message = failure.getMessage();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("bind")) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private static void writeProperties(final Path file, final Map<String, String> props) throws IOException {
        final Properties properties = new Properties();
        properties.putAll(props);
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(writer, "Vigil's embedded Kafka broker, for kafka-storage format");
        }
    }

    private static void deleteQuietly(final Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("Could not delete temporary Kafka config {}", file, e);
        }
    }

    private static long millisSince(final long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
