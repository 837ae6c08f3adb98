package io.vigil.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs tasks at most {@code running} at a time, one after the other for tasks of the same key, in the order given.
 * Delivery keys them by fingerprint: a receiver gets an alert's events in order, and, far away or slow, several alerts
 * at once, where one request after the other bounded a storm by the round trip (20 ms away: 50 alerts a second).
 *
 * <p>A task waiting for an earlier one of its key takes no thread; at most {@code queued} tasks are given and not
 * finished, which bounds what is held in memory.
 */
final class KeyedInFlight implements AutoCloseable {

    private final Semaphore slots;
    private final int queued;
    private final ExecutorService pool;
    private final Map<String, CompletableFuture<Void>> lastOfKey = new HashMap<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    KeyedInFlight(final int running, final int queued, final String threadName) {
        this.queued = queued;
        this.slots = new Semaphore(queued);
        final AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(running, r -> {
            final Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code task} after the tasks of {@code key} given before, once a thread is free; waits up to
     * {@code waitMs} for room among the tasks queued.
     *
     * @return false, and the task is not taken, if there was no room in time
     */
    boolean submit(final String key, final Runnable task, final long waitMs) throws InterruptedException {
        return submitAsync(key, () -> {
            task.run();
            return CompletableFuture.completedFuture(null);
        }, waitMs);
    }

    /**
     * Starts {@code task} after the tasks of {@code key} given before have finished, once a thread is free; it has
     * finished when the stage it returns completes. Until then it holds its place in the order of its key, and among
     * the tasks queued, but no thread: a delivery waiting to retry lets other alerts' deliveries run.
     *
     * @return false, and the task is not taken, if there was no room in time
     */
    boolean submitAsync(final String key, final Supplier<? extends CompletionStage<?>> task, final long waitMs)
            throws InterruptedException {
        if (!slots.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
            return false;
        }
        synchronized (lastOfKey) {
            final CompletableFuture<Void> before = lastOfKey.getOrDefault(key, CompletableFuture.completedFuture(null));
            final CompletableFuture<Void> next = before.thenComposeAsync(v -> {
                try {
                    return task.get().toCompletableFuture();
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }, pool).handle((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, runtime(e));
                }
                slots.release();
                return null; // the next task of the key runs whatever became of this one
            });
            lastOfKey.put(key, next);
            next.whenComplete((v, e) -> {
                synchronized (lastOfKey) {
                    lastOfKey.remove(key, next);
                }
            });
        }
        return true;
    }

    /** Runs {@code work} on one of the threads, with no order or room taken: the next step of a task given before. */
    void execute(final Runnable work) {
        pool.execute(work);
    }

    private static RuntimeException runtime(final Throwable e) {
        final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }

    /** Tasks given and not finished. */
    int inFlight() {
        return queued - slots.availablePermits();
    }

    /** Waits until every task given has finished; false if some still run after {@code waitMs}. */
    boolean awaitIdle(final long waitMs) throws InterruptedException {
        if (!slots.tryAcquire(queued, waitMs, TimeUnit.MILLISECONDS)) {
            return false;
        }
        slots.release(queued);
        return true;
    }

    /** Throws what a task threw, the first one, if any did. */
    void rethrowFailure() {
        final RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
