package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

class EarlyCommitTest {

    private static final long NOW = 1_796_045_240_000L;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();

    @Test
    void commitsAtOnceOnLiveData() {
        context.setCurrentSystemTimeMs(NOW);

        EarlyCommit.ifLive(context, NOW - EarlyCommit.LIVE_WITHIN_MS);

        assertThat(context.committed()).isTrue();
    }

    @Test
    void leavesABacklogToTheCommitInterval() {
        context.setCurrentSystemTimeMs(NOW);

        EarlyCommit.ifLive(context, NOW - EarlyCommit.LIVE_WITHIN_MS - 1);
        EarlyCommit.ifLive(context, Long.MIN_VALUE);

        assertThat(context.committed()).isFalse();
    }
}
