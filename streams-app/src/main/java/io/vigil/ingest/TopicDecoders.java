package io.vigil.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The decoder of each input topic, in the format and precision configured for it. A record's topic is known to the
 * processor that reads it, so one topology reads a Telegraf line protocol topic in seconds next to a native JSON
 * topic. Holds only stateless decoders: one instance serves every stream task.
 */
public final class TopicDecoders {

    private final Map<String, RecordDecoder> byTopic = new HashMap<>();
    private final RecordDecoder detecting;

    public TopicDecoders(final List<InputTopic> topics, final IngestLimits limits) {
        Objects.requireNonNull(limits, "limits");
        for (InputTopic topic : topics) {
            byTopic.put(topic.name(), RecordDecoder.forTopic(topic, limits));
        }
        this.detecting = new RecordDecoder(limits);
    }

    /** The decoder of {@code topic}; a topic that was not configured (none is read) gets auto-detection. */
    public RecordDecoder forTopic(final String topic) {
        return byTopic.getOrDefault(topic, detecting);
    }
}
