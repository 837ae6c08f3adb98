package io.vigil.delivery;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one receiver's delivery, and a fresh one whenever it ends without being stopped. A delivery retries what a
 * receiver fails on by itself; it ends only on what it cannot go past (alerts.dlq cannot be written, the alerts topic
 * cannot be read, the broker not reachable at start), and such a failure must not end a receiver's pages for the life
 * of the process while {@code /readyz} says ready. A fresh delivery resumes from the committed offsets, so the event
 * it stopped at is read again and nothing is lost (events done past the committed offset may be sent again: at least
 * once, as after a crash). Restarts back off as retries do, from the start again once a delivery ran for longer than
 * the longest backoff.
 */
final class Restarting implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Restarting.class);

    /** A delivery: runs until stopped or until it fails, and is not run twice. */
    interface Worker extends Runnable {
        void stop();
    }

    private final String name;
    private final Supplier<? extends Worker> workers;
    private final RetryPolicy backoff;
    private final DeliveryMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Worker current; // guarded by this: stop() must reach the worker that runs, or keep the next from starting

    /** @param name the receiver's name, for the logs and the {@code vigil_delivery_restarts} counter */
    Restarting(final String name, final Supplier<? extends Worker> workers, final RetryPolicy backoff,
               final DeliveryMetrics metrics) {
        this.name = name;
        this.workers = workers;
        this.backoff = backoff;
        this.metrics = metrics;
    }

    @Override
    public void run() {
        int restarts = 0;
        while (true) {
            final Worker worker;
            synchronized (this) {
                if (isStopped()) {
                    return;
                }
                worker = workers.get();
                current = worker;
            }
            final long started = System.nanoTime();
            worker.run();
            if (isStopped() || Thread.currentThread().isInterrupted()) {
                return;
            }
            if (System.nanoTime() - started > backoff.max().toNanos()) {
                restarts = 0; // a new failure after a good run, not the same one met again at once
            }
            final Duration wait = backoff.backoff(++restarts);
            metrics.restarted(name);
            LOG.error("receiver {}: delivery starts again in {} ms, where it stood (nothing it had not done is lost)",
                    name, wait.toMillis());
            try {
                if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the delivery that runs, and starts no other; returns at once (the caller joins the thread). */
    void stop() {
        synchronized (this) {
            stopped.countDown();
            if (current != null) {
                current.stop();
            }
        }
    }

    private boolean isStopped() {
        return stopped.getCount() == 0;
    }
}
