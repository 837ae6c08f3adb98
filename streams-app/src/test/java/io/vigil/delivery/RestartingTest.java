package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestartingTest {

    /** A worker that ends at once on its own (as a delivery does after logging what it failed on), or waits for stop. */
    private static final class Worker implements Restarting.Worker {
        private final boolean fails;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final CountDownLatch running = new CountDownLatch(1);

        Worker(final boolean fails) {
            this.fails = fails;
        }

        @Override
        public void run() {
            running.countDown();
            if (fails) {
                return;
            }
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void stop() {
            stopped.countDown();
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DeliveryMetrics metrics = new DeliveryMetrics(registry);

    private double restarts() {
        final var counter = registry.find("vigil.delivery.restarts").tag("receiver", "pager").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aDeliveryThatFailsIsStartedAfreshUntilOneRunsAndStoppingEndsIt() throws Exception {
        final AtomicInteger made = new AtomicInteger();
        final Worker[] workers = {new Worker(true), new Worker(true), new Worker(false)};
        final Restarting restarting = new Restarting("pager", () -> workers[made.getAndIncrement()],
                new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(40)), metrics);
        final Thread thread = new Thread(restarting);
        thread.start();
        assertThat(workers[2].running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(restarts()).isEqualTo(2);

        restarting.stop();
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(made).hasValue(3);
        assertThat(restarts()).isEqualTo(2);
    }

    @Test
    void aDeliveryStoppedIsNotStartedAgain() throws Exception {
        final AtomicInteger made = new AtomicInteger();
        final Worker worker = new Worker(false);
        final Restarting restarting = new Restarting("pager", () -> {
            made.incrementAndGet();
            return worker;
        }, RetryPolicy.DEFAULT, metrics);
        final Thread thread = new Thread(restarting);
        thread.start();
        assertThat(worker.running.await(10, TimeUnit.SECONDS)).isTrue();
        restarting.stop();
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(made).hasValue(1);
        assertThat(restarts()).isZero();
    }

    @Test
    void stoppingDuringTheWaitBeforeARestartEndsAtOnce() throws Exception {
        final AtomicInteger made = new AtomicInteger();
        final Worker failing = new Worker(true);
        // A minute's backoff: the thread would still be waiting when joined below unless stop ends the wait.
        final Restarting restarting = new Restarting("pager", () -> {
            made.incrementAndGet();
            return failing;
        }, new RetryPolicy(Duration.ofMinutes(2), Duration.ofMinutes(2)), metrics);
        final Thread thread = new Thread(restarting);
        thread.start();
        assertThat(failing.running.await(10, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> restarts() == 1);
        restarting.stop();
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(made).hasValue(1);
    }
}
