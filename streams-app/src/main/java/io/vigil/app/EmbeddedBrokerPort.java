package io.vigil.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts {@code vigil run}'s embedded broker on the port it had before. The banner tells users which port to produce
 * to; where the preferred port (9092) was taken and a free one chosen, a restart on yet another port would leave every
 * producer set up since then writing to nothing. So the client port is kept in the broker's directory and taken again
 * while it is free: the port of the first start, 9092 where it was free then, else the one chosen.
 */
final class EmbeddedBrokerPort {

    /** Beside Kafka's own files: its log manager reads only directories there, so a plain file is left alone. */
    static final String FILE = "vigil-client-port";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBrokerPort.class);

    private EmbeddedBrokerPort() {
    }

    /**
     * @param dir       the broker's data directory
     * @param preferred the port to take when none is remembered, or the remembered one is taken
     */
    static EmbeddedKafka start(final Path dir, final int preferred) {
        final Set<Integer> ports = new LinkedHashSet<>();
        final OptionalInt remembered = remembered(dir);
        // Storage without the file: a broker of a Vigil from before the file, whose port is not known.
        final boolean portForgotten = remembered.isEmpty() && Files.exists(dir.resolve("meta.properties"));
        remembered.ifPresent(ports::add);
        ports.add(preferred);
        EmbeddedKafka broker = null;
        for (final int port : ports) {
            try {
                broker = EmbeddedKafka.start(dir, port);
                break;
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof BindException)) {
                    throw e;
                }
                LOG.info("Port {} is taken; the embedded Kafka broker looks further", port);
            }
        }
        if (broker == null) {
            broker = EmbeddedKafka.start(dir, 0);
            if (portForgotten) {
                LOG.warn("The embedded Kafka broker listens on {} now; the port it had before (with the data in {}) is"
                        + " not known, as it was not kept until 2026-12-06: point producers set up for that port at this"
                        + " one. It is kept from now on.", broker.bootstrapServers(), dir);
            }
        }
        remember(dir, broker.port());
        return broker;
    }

    /**
     * The broker on {@code port} and no other (the user's {@code --broker-port}), kept for the restarts that do not
     * name one.
     *
     * @throws ConfigException when the port is taken, naming the option
     */
    static EmbeddedKafka startOn(final Path dir, final int port) {
        final EmbeddedKafka broker;
        try {
            broker = EmbeddedKafka.start(dir, port);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BindException bind) {
                throw new ConfigException("--broker-port: the embedded Kafka broker cannot listen on 127.0.0.1:" + port
                        + " (" + bind.getMessage() + "); choose another port, or leave the option out for a free one");
            }
            throw e;
        }
        remember(dir, broker.port());
        return broker;
    }

    static OptionalInt remembered(final Path dir) {
        final Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return OptionalInt.empty();
        }
        try {
            final int port = Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (port > 0 && port <= 65_535) {
                return OptionalInt.of(port);
            }
        } catch (IOException | NumberFormatException e) {
            // Read as absent below: the broker then starts as the first time, and the file is written again.
        }
        LOG.warn("{} does not hold a port; the embedded Kafka broker starts as the first time", file);
        return OptionalInt.empty();
    }

    /** Written whole and then renamed, so a crash never leaves half a number to be read at the next start. */
    private static void remember(final Path dir, final int port) {
        final Path file = dir.resolve(FILE);
        final Path partial = dir.resolve(FILE + ".partial");
        try {
            Files.writeString(partial, port + "\n", StandardCharsets.US_ASCII);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // The broker runs either way; only the next start's port is at stake.
            LOG.warn("Could not write {} ({}); a restart may put the embedded Kafka broker on another port", file,
                    e.toString());
        }
    }
}
