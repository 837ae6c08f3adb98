package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.rules.RuleSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** How a task's evaluation state records where its series were placed, and refuses state placed the other way. */
class SeriesEvaluationProcessorTest {

    @Test
    void aTaskRecordsItsPlacementAndRefusesStatePlacedTheOtherWay() {
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final SeriesEvaluationProcessor first = processor(true);
        first.init(context);
        first.close();
        assertThat(placement(context)).isEqualTo(SeriesEvaluationProcessor.PLACED_BY_INPUT);

        // The same task's stores, read by an engine that now places series by their key.
        assertThatThrownBy(() -> processor(false).init(context))
                .isInstanceOf(StatePlacementChanged.class)
                .hasMessage("topics.partitioned_by_series is false, but the evaluation state of task 0_0 was written"
                        + " with it true (series placed by input partition): set it back, or start afresh with a new"
                        + " kafka.application.id (the evaluation state, windows and firing alerts, is not carried"
                        + " over)");
        processor(true).init(context); // set back: accepted
    }

    @Test
    void stateFromBeforeThePlacementWasRecordedIsTheRepartitions() {
        final MockProcessorContext<String, EvaluationOutput> context = context();
        final WriteBehindStore<byte[]> progress = context.getStateStore(SeriesEvaluationProcessor.PROGRESS_STORE);
        progress.put("clock", new EventClock(1).encode());
        progress.flushCache();

        assertThatThrownBy(() -> processor(true).init(context)).isInstanceOf(StatePlacementChanged.class)
                .hasMessageContaining("(series placed by series key)");
        processor(false).init(context);
        assertThat(placement(context)).isEqualTo(SeriesEvaluationProcessor.PLACED_BY_SERIES);
    }

    private static SeriesEvaluationProcessor processor(final boolean inTask) {
        return new SeriesEvaluationProcessor(new LiveRules(new RuleSet(List.of())), 15_000, 86_400_000,
                task -> 1, inTask, 100_000, 1, new EvaluationMetrics(new SimpleMeterRegistry()),
                io.vigil.ingest.SourceLag.CAUGHT_UP);
    }

    private static String placement(final MockProcessorContext<String, EvaluationOutput> context) {
        final WriteBehindStore<byte[]> progress = context.getStateStore(SeriesEvaluationProcessor.PROGRESS_STORE);
        progress.flushCache(); // written at the commit
        return new String(progress.get(SeriesEvaluationProcessor.PLACEMENT_KEY), StandardCharsets.UTF_8);
    }

    private static MockProcessorContext<String, EvaluationOutput> context() {
        final MockProcessorContext<String, EvaluationOutput> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_764_600_000_000L);
        for (StateStore store : List.of(SeriesEvaluationProcessor.seriesStore(false).build(),
                WriteBehindStore.ofBytes(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
                        SeriesEvaluationProcessor.PROGRESS_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled()).build())) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        return context;
    }
}
