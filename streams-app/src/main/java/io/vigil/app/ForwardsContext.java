package io.vigil.app;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * {@link ReplayPipeline}'s processor context: Kafka's mock context for the stores, punctuators and record metadata, with
 * forwarded records kept in a plain list. The mock's own {@code forwarded()} copies its list of captures into a new
 * {@code LinkedList} on every call, and the pipeline asks after every record, most of which forward nothing.
 */
final class ForwardsContext<K, V> extends MockProcessorContext<K, V> {

    private final List<Record<K, V>> forwards = new ArrayList<>();

    @Override
    @SuppressWarnings("unchecked") // a Record is immutable: one of K1 and V1 is one of K and V
    public <K1 extends K, V1 extends V> void forward(final Record<K1, V1> record) {
        forwards.add((Record<K, V>) record);
    }

    @Override
    public <K1 extends K, V1 extends V> void forward(final Record<K1, V1> record, final String childName) {
        forward(record);
    }

    /** The records forwarded since the last {@link #clearForwards}, in order. */
    List<Record<K, V>> forwards() {
        return forwards;
    }

    void clearForwards() {
        forwards.clear();
    }
}
