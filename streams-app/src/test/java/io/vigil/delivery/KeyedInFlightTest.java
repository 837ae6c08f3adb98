package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KeyedInFlightTest {

    @Test
    void tasksOfOneKeyRunOneAfterTheOtherInOrder() throws Exception {
        final Map<String, List<Integer>> ran = new ConcurrentHashMap<>();
        final Map<String, AtomicBoolean> running = new HashMap<>();
        final List<String> overlaps = new ArrayList<>();
        for (String key : List.of("a", "b", "c")) {
            running.put(key, new AtomicBoolean());
        }
        try (KeyedInFlight inFlight = new KeyedInFlight(4, 8, "test")) {
            for (int i = 0; i < 300; i++) {
                final String key = List.of("a", "b", "c").get(i % 3);
                final int n = i;
                assertThat(inFlight.submit(key, () -> {
                    if (!running.get(key).compareAndSet(false, true)) {
                        synchronized (overlaps) {
                            overlaps.add(key + n);
                        }
                    }
                    ran.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
                    Thread.yield();
                    running.get(key).set(false);
                }, 10_000)).isTrue();
            }
            assertThat(inFlight.awaitIdle(10_000)).isTrue();
        }
        assertThat(overlaps).isEmpty();
        for (String key : List.of("a", "b", "c")) {
            final List<Integer> ofKey = ran.get(key);
            assertThat(ofKey).hasSize(100).isSorted();
        }
    }

    @Test
    void tasksOfDifferentKeysRunAtOnceUpToTheMostAllowed() throws Exception {
        final CountDownLatch threeIn = new CountDownLatch(3);
        final CountDownLatch fourthRan = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Runnable held = () -> {
            threeIn.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (KeyedInFlight inFlight = new KeyedInFlight(3, 4, "test")) {
            for (String key : List.of("a", "b", "c")) {
                assertThat(inFlight.submit(key, held, 1_000)).isTrue();
            }
            assertThat(threeIn.await(10, TimeUnit.SECONDS)).isTrue();
            // Taken, and run once one of the three ends.
            assertThat(inFlight.submit("d", fourthRan::countDown, 1_000)).isTrue();
            assertThat(fourthRan.getCount()).isOne();
            // Four given and not finished: a fifth is not taken.
            assertThat(inFlight.inFlight()).isEqualTo(4);
            assertThat(inFlight.submit("e", () -> { }, 50)).isFalse();
            assertThat(inFlight.awaitIdle(50)).isFalse();
            release.countDown();
            assertThat(fourthRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(inFlight.awaitIdle(10_000)).isTrue();
            assertThat(inFlight.inFlight()).isZero();
        }
    }

    @Test
    void aTaskWaitingForAnEarlierOneOfItsKeyTakesNoThread() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch otherRan = new CountDownLatch(1);
        try (KeyedInFlight inFlight = new KeyedInFlight(2, 8, "test")) {
            inFlight.submit("a", () -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, 1_000);
            for (int i = 0; i < 5; i++) {
                inFlight.submit("a", () -> { }, 1_000); // behind the first: waiting, on no thread
            }
            inFlight.submit("b", otherRan::countDown, 1_000);
            assertThat(otherRan.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            assertThat(inFlight.awaitIdle(10_000)).isTrue();
        }
    }

    @Test
    void whatATaskThrowsIsThrownAgainAndTheOthersGoOn() throws Exception {
        final List<String> ran = new ArrayList<>();
        try (KeyedInFlight inFlight = new KeyedInFlight(2, 8, "test")) {
            inFlight.submit("a", () -> {
                throw new IllegalStateException("cannot write to alerts.dlq");
            }, 1_000);
            inFlight.submit("a", () -> {
                synchronized (ran) {
                    ran.add("after");
                }
            }, 1_000);
            assertThat(inFlight.awaitIdle(10_000)).isTrue();
            assertThatThrownBy(inFlight::rethrowFailure).hasMessage("cannot write to alerts.dlq");
        }
        assertThat(ran).containsExactly("after");
    }

    @Test
    void aTaskWaitingForItsStageHoldsNoThreadButHoldsBackTheLaterTasksOfItsKey() throws Exception {
        final java.util.concurrent.CompletableFuture<Void> retryDue = new java.util.concurrent.CompletableFuture<>();
        final CountDownLatch otherRan = new CountDownLatch(1);
        final CountDownLatch laterRan = new CountDownLatch(1);
        try (KeyedInFlight inFlight = new KeyedInFlight(1, 8, "test")) {
            assertThat(inFlight.submitAsync("a", () -> retryDue, 1_000)).isTrue();
            assertThat(inFlight.submit("a", laterRan::countDown, 1_000)).isTrue();
            assertThat(inFlight.submit("b", otherRan::countDown, 1_000)).isTrue();

            // One thread only, and "a" is not done: "b" runs all the same, the later task of "a" does not.
            assertThat(otherRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(laterRan.getCount()).isEqualTo(1);
            // "b" counts itself out just after its body returns, so wait for that rather than race it.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(inFlight.inFlight()).isEqualTo(2));
            assertThat(laterRan.getCount()).isEqualTo(1);

            retryDue.complete(null);
            assertThat(laterRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(inFlight.awaitIdle(10_000)).isTrue();
        }
    }
}
