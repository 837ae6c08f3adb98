package io.vigil.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (docker stop, systemd, Kubernetes) and SIGINT (Ctrl-C) ask {@code vigil run} to stop cleanly. The command
 * handles them itself rather than in a JVM shutdown hook: a JVM that exits through a signal reports status 143 (or
 * 130) however cleanly its hooks stopped, and service managers count that as a failure. Handled here, the command
 * stops everything in order and then exits 0 (1 if something did not stop in time).
 */
final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /**
     * @param stopRequested counted down at the first signal
     * @param stopped       counted down by the command once it has stopped; waited for where the JVM handles a signal
     *                      itself (see below), so that it does not exit half-way through the stop
     */
    static Registration register(final CountDownLatch stopRequested, final CountDownLatch stopped) {
        final Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new LinkedHashMap<>();
        for (String name : List.of("TERM", "INT")) {
            final sun.misc.Signal signal = new sun.misc.Signal(name);
            try {
                previous.put(signal, sun.misc.Signal.handle(signal, s -> {
                    if (stopRequested.getCount() > 0) {
                        LOG.info("stopping (SIG{})", s.getName());
                    }
                    stopRequested.countDown();
                }));
            } catch (IllegalArgumentException e) {
                // The JVM keeps this signal to itself (java -Xrs, or a platform without it): stop from a shutdown
                // hook instead; the exit status is then the JVM's.
                final Thread hook = new Thread(() -> {
                    stopRequested.countDown();
                    try {
                        stopped.await();
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }, "vigil-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                return () -> {
                    restore(previous);
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // The hook is running, or about to: it is what stops the command.
                    }
                };
            }
        }
        return () -> restore(previous);
    }

    /**
     * Handlers registered for one command: closed once it has stopped, it gives the signals back to whoever had them
     * before (the JVM's default), so that a command run inside another program (a test) leaves no handler behind.
     */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static void restore(final Map<sun.misc.Signal, sun.misc.SignalHandler> previous) {
        previous.forEach(sun.misc.Signal::handle);
    }
}
