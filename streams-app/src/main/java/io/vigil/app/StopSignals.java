package io.vigil.app;

import java.util.List;
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
    static void register(final CountDownLatch stopRequested, final CountDownLatch stopped) {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    if (stopRequested.getCount() > 0) {
                        LOG.info("stopping (SIG{})", signal.getName());
                    }
                    stopRequested.countDown();
                });
            } catch (IllegalArgumentException e) {
                // The JVM keeps this signal to itself (java -Xrs, or a platform without it): stop from a shutdown
                // hook instead; the exit status is then the JVM's.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stopRequested.countDown();
                    try {
                        stopped.await();
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }, "vigil-stop"));
                return;
            }
        }
    }
}
