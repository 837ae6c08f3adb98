package io.vigil.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * Whether a read of this instance's stores covers every partition the group's assignment gives it. Kafka Streams'
 * view of a store reads the tasks running, and passes over, without a word, one it has just been given and still
 * restores while the others run: for as long as the restore took, the API answered 200 with that task's alerts missing
 * and no instance named.
 */
final class StoreCoverage {

    private final KafkaStreams streams;
    private final HostInfo self;
    private final String applicationId;
    /**
     * Each store the API reads, with the source topics of the subtopology that holds it: an internal one as the
     * description names it, without the application id the assignment's name begins with.
     */
    private final Map<String, Set<String>> sourcesOfStore;

    private StoreCoverage(final KafkaStreams streams, final HostInfo self, final String applicationId,
                          final Map<String, Set<String>> sourcesOfStore) {
        this.streams = streams;
        this.self = self;
        this.applicationId = applicationId;
        this.sourcesOfStore = sourcesOfStore;
    }

    /**
     * For {@code stores} of {@code topology}, as {@code streams} runs it under the address {@code self} and the
     * application id {@code applicationId} (its internal topics' prefix).
     */
    static StoreCoverage of(final KafkaStreams streams, final HostInfo self, final String applicationId,
                            final TopologyDescription topology, final Set<String> stores) {
        final Map<String, Set<String>> sources = new HashMap<>();
        for (TopologyDescription.Subtopology sub : topology.subtopologies()) {
            final Set<String> topics = new TreeSet<>();
            final Set<String> held = new TreeSet<>();
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    topics.addAll(source.topicSet());
                }
                if (node instanceof TopologyDescription.Processor processor) {
                    processor.stores().stream().filter(stores::contains).forEach(held::add);
                }
            }
            held.forEach(store -> sources.put(store, topics));
        }
        return new StoreCoverage(streams, self, applicationId, sources);
    }

    /** Each store's subtopology's source topics, as {@link #of} found them: for tests. */
    Map<String, Set<String>> sourcesOfStore() {
        return sourcesOfStore;
    }

    /**
     * The partitions of the stores the assignment gives this instance that a read cannot reach now, as
     * {@code store/partition}: a task restoring, or not started yet.
     */
    List<String> unreadable() {
        final List<String> out = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (!m.hostInfo().equals(self)) {
                continue;
            }
            for (Map.Entry<String, Set<String>> store : sourcesOfStore.entrySet()) {
                final Set<Integer> partitions = new TreeSet<>();
                for (TopicPartition tp : m.topicPartitions()) {
                    if (store.getValue().contains(tp.topic()) || store.getValue().contains(unprefixed(tp.topic()))) {
                        partitions.add(tp.partition());
                    }
                }
                for (int p : partitions) {
                    if (!readable(store.getKey(), p)) {
                        out.add(store.getKey() + "/" + p);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Throws where a read would miss part of this instance's share.
     *
     * @throws InvalidStateStoreException naming what cannot be read, which the API answers 503 with (or names this
     *                                    instance in a partial answer)
     */
    void requireWhole() {
        final List<String> missing = unreadable();
        if (!missing.isEmpty()) {
            throw new InvalidStateStoreException("restoring " + String.join(", ", missing));
        }
    }

    /** An internal topic's name as the topology's description gives it: without the application id. */
    private String unprefixed(final String topic) {
        return topic.startsWith(applicationId + "-") ? topic.substring(applicationId.length() + 1) : topic;
    }

    private boolean readable(final String store, final int partition) {
        try {
            streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore())
                    .withPartition(partition)).approximateNumEntries();
            return true;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }
}
