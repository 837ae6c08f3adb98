package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailureTest {

    @Test
    void aDeadStreamThreadShutsTheClientDownAndReportsTheFailureOnce() {
        final StreamThreadFailure handler = new StreamThreadFailure();
        final CountDownLatch stopRequested = new CountDownLatch(1);
        handler.failure().thenRun(stopRequested::countDown);
        assertThat(handler.failure()).isNotDone();

        final IllegalStateException first = new IllegalStateException("a bug");
        assertThat(handler.handle(first)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

        assertThat(stopRequested.getCount()).as("vigil run asked to stop").isZero();
        assertThat(handler.failure()).isCompletedWithValue(first);
    }

    @Test
    void aSecondThreadFailingWhileTheClientShutsDownKeepsTheFirstCause() {
        final StreamThreadFailure handler = new StreamThreadFailure();
        final IllegalStateException first = new IllegalStateException("first");

        handler.handle(first);
        assertThat(handler.handle(new IllegalStateException("second")))
                .as("never replace a thread: the same record would fail it again")
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

        assertThat(handler.failure()).isCompletedWithValue(first);
    }

    @Test
    void kafkaStreamsRefusingAnInternalTopicForItsPartitionsIsToldAsChangedInputPartitions() {
        final StreamThreadFailure handler = new StreamThreadFailure();
        final org.apache.kafka.streams.errors.StreamsException refused =
                new org.apache.kafka.streams.errors.StreamsException("Existing internal topic"
                        + " vigil-peers-repartition has invalid partitions: expected: 8; actual: 4. Use"
                        + " 'org.apache.kafka.tools.StreamsResetter' tool to clean up invalid topics before processing.");

        assertThat(handler.handle(new org.apache.kafka.streams.errors.StreamsException("assignment failed", refused)))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

        assertThat(StreamThreadFailure.inputPartitionsChanged(handler.failure().join())).isTrue();
        assertThat(StreamThreadFailure.inputPartitionsChanged(new IllegalStateException("a bug"))).isFalse();
    }
}
