package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.RuleSet;
import io.vigil.testing.OutlivingStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The peer-group task's stores across a restart, including values stored one member per key by earlier versions. */
class PeerGroupProcessorTest {

    private static final String GROUP = "fleet/NodeCpuFarBelowPeers\u0000cluster=c1";
    private static final long T = 1_796_045_240_000L;

    /** The same in-memory bytes store however many times it is built: a store that outlives its task. */
    private final KeyValueStore<Bytes, byte[]> valuesBytes = Stores.inMemoryKeyValueStore(PeerGroupProcessor.VALUES_STORE).get();
    private final KeyValueBytesStoreSupplier sameValues = OutlivingStore.of(valuesBytes);

    @Test
    void valuesStoredOnePerMemberAreRestoredAndStoredAgainByGroupAndInstant() throws IOException {
        final Map<String, byte[]> old = new HashMap<>();
        old.put(GROUP + "\u0001old-a", PeerMessageCodecTest.valueWithLabels(GROUP, node("a"), T, 10.0));
        old.put(GROUP + "\u0001old-b", PeerMessageCodecTest.valueWithLabels(GROUP, node("b"), T, 20.0));
        final WriteBehindStore<byte[]> before = WriteBehindStore.ofBytes(valuesStore()).build();
        before.init(new MockProcessorContext<>().getStateStoreContext(), before);
        old.forEach(before::put);
        before.flushCache();

        final MockProcessorContext<String, AlertTransition> context = context(PeerGroupProcessor.valuesStore(valuesStore()));
        new PeerGroupProcessor(new LiveRules(new RuleSet(List.of())), 15_000, 1,
                new EvaluationMetrics(new SimpleMeterRegistry())).init(context);
        final WriteBehindStore<?> values = context.getStateStore(PeerGroupProcessor.VALUES_STORE);
        values.flushCache();

        final Map<String, EvaluationOutput> stored = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = values.all()) {
            it.forEachRemaining(kv -> stored.put(kv.key, PeerMessageCodec.decode(kv.value)));
        }
        assertThat(stored).containsOnlyKeys(PeerGroupEvaluator.valueKey(GROUP, T));
        assertThat(((PeerValues) stored.get(PeerGroupEvaluator.valueKey(GROUP, T))).members())
                .containsExactlyInAnyOrder(new PeerValues.Member(node("a").key(), 10.0),
                        new PeerValues.Member(node("b").key(), 20.0));
    }

    @Test
    void aGroupTooLargeForOneRecordIsStoredInPartsAndRestoredWhole() {
        final List<PeerValues.Member> members = IntStream.range(0, 20_000)
                .mapToObj(i -> new PeerValues.Member(node(String.format("node-%05d", i)).key(), i)).toList();
        final PeerGroupProcessor first = processor();
        final MockProcessorContext<String, AlertTransition> context =
                context(PeerGroupProcessor.valuesStore(valuesStore()));
        first.init(context);
        // As the evaluators send them: in parts.
        for (PeerValues part : new PeerValues(GROUP, T, members).cut(PeerBundle.MAX_BYTES)) {
            first.process(part, T);
        }
        final WriteBehindStore<?> values = context.getStateStore(PeerGroupProcessor.VALUES_STORE);
        values.flushCache();
        assertThat(storedRecords(values)).hasSizeGreaterThan(4)
                .allSatisfy(bytes -> assertThat(bytes.length).isLessThanOrEqualTo(PeerBundle.MAX_BYTES + 64));

        // Restarted: the parts are merged again, and a late member joins them all.
        final MockProcessorContext<String, AlertTransition> again =
                context(PeerGroupProcessor.valuesStore(valuesStore()));
        final PeerValues.Member late = new PeerValues.Member(node("late").key(), 1.0);
        final PeerGroupProcessor second = processor();
        second.init(again);
        second.process(new PeerValues(GROUP, T, List.of(late)), T);
        final WriteBehindStore<?> restored = again.getStateStore(PeerGroupProcessor.VALUES_STORE);
        restored.flushCache();

        final List<PeerValues.Member> stored = storedRecords(restored).stream()
                .flatMap(bytes -> ((PeerValues) PeerMessageCodec.decode(bytes)).members().stream()).toList();
        assertThat(stored).hasSize(members.size() + 1).containsAll(members).contains(late);
    }

    private static PeerGroupProcessor processor() {
        return new PeerGroupProcessor(new LiveRules(new RuleSet(List.of())), 15_000, 1,
                new EvaluationMetrics(new SimpleMeterRegistry()));
    }

    private static List<byte[]> storedRecords(final WriteBehindStore<?> store) {
        final List<byte[]> records = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> records.add(kv.value));
        }
        return records;
    }

    private StoreBuilder<KeyValueStore<String, byte[]>> valuesStore() {
        return Stores.keyValueStoreBuilder(sameValues, Serdes.String(), Serdes.ByteArray()).withLoggingDisabled();
    }

    private static MockProcessorContext<String, AlertTransition> context(final StoreBuilder<? extends StateStore> values) {
        final MockProcessorContext<String, AlertTransition> context = new MockProcessorContext<>();
        final List<StoreBuilder<? extends StateStore>> builders = List.of(values,
                WriteBehindStore.ofBytes(bytesStore(PeerGroupProcessor.ALERTS_STORE)),
                WriteBehindStore.ofBytes(bytesStore(PeerGroupProcessor.PROGRESS_STORE)));
        for (StoreBuilder<? extends StateStore> builder : builders) {
            final StateStore store = builder.build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        return context;
    }

    private static StoreBuilder<KeyValueStore<String, byte[]>> bytesStore(final String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled();
    }

    private static Series node(final String instance) {
        return new Series("cpu_usage_percent", Labels.of("cluster", "c1", "instance", instance));
    }
}
