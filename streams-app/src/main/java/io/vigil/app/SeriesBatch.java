package io.vigil.app;

import java.util.Arrays;

/**
 * Messages of the series repartition topic (each its record's key and value, as the topic holds them), in the order
 * ingest sent them: what {@link Replay}'s ingesting thread hands to evaluation, many records at a time so that the
 * threads meet once per batch rather than once per record.
 */
final class SeriesBatch {

    private byte[][] keys;
    private byte[][] messages;
    private int size;

    /** @param capacity how many messages it holds before it grows */
    SeriesBatch(final int capacity) {
        this.keys = new byte[capacity][];
        this.messages = new byte[capacity][];
    }

    void add(final byte[] key, final byte[] message) {
        if (size == keys.length) {
            // A record may send more than one message (a watermark after its point).
            keys = Arrays.copyOf(keys, Math.max(4, size * 2));
            messages = Arrays.copyOf(messages, keys.length);
        }
        keys[size] = key;
        messages[size] = message;
        size++;
    }

    int size() {
        return size;
    }

    byte[] key(final int i) {
        return keys[i];
    }

    byte[] message(final int i) {
        return messages[i];
    }
}
