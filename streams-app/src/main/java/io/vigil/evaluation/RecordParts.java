package io.vigil.evaluation;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A changelogged store's value too large for one Kafka record, written as several. A record above the producer's
 * {@code max.request.size} (1 MiB by default) fails the stream thread, and again at every restart, as the same state
 * is written again: a series with a window of days of points a second apart, or a peer group of ten thousand members,
 * is that large.
 *
 * <p>Part {@code i} of a value is stored under {@link #partKey}: the first under the key itself, the others under the
 * key, {@code \u0002} and the number. Keys of a store (series keys end in a brace or a metric name's character; the
 * peer stage's in hex digits after a separator) never take that form themselves.
 */
final class RecordParts {

    /** The most a part carries: a quarter of the producer's default {@code max.request.size}. */
    static final int MAX_BYTES = 256 * 1024;
    /**
     * The first byte of the first part of bytes written in several ({@link #split}): above every version byte of the
     * series states' codec (1 to 4), which starts each state written whole.
     */
    static final byte FIRST_OF_MANY = 0x7F;
    private static final char PART = '\u0002';
    /** The first part's header: the marker, the number of parts, the whole length. */
    private static final int HEADER = 1 + Integer.BYTES + Integer.BYTES;

    private RecordParts() {
    }

    /** The key part {@code part} of the value of {@code key} is stored under: the key itself for the first. */
    static String partKey(final String key, final int part) {
        return part == 0 ? key : key + PART + part;
    }

    /** Whether {@code key} names a part after the first ({@link #partKey}). */
    static boolean isPartKey(final String key) {
        int i = key.length() - 1;
        while (i > 0 && key.charAt(i) >= '0' && key.charAt(i) <= '9') {
            i--;
        }
        return i > 0 && i < key.length() - 1 && key.charAt(i) == PART;
    }

    /**
     * {@code bytes} as the records to store: themselves if they fit {@link #MAX_BYTES}, else a first part of
     * {@link #FIRST_OF_MANY}, the number of parts and the whole length, then the bytes in order, each part at most
     * {@link #MAX_BYTES}.
     */
    static List<byte[]> split(final byte[] bytes) {
        if (bytes.length <= MAX_BYTES) {
            return List.of(bytes);
        }
        final int firstBytes = MAX_BYTES - HEADER;
        final int parts = 1 + (bytes.length - firstBytes + MAX_BYTES - 1) / MAX_BYTES;
        final List<byte[]> out = new ArrayList<>(parts);
        out.add(ByteBuffer.allocate(MAX_BYTES).put(FIRST_OF_MANY).putInt(parts).putInt(bytes.length)
                .put(bytes, 0, firstBytes).array());
        for (int from = firstBytes; from < bytes.length; from += MAX_BYTES) {
            final byte[] part = new byte[Math.min(MAX_BYTES, bytes.length - from)];
            System.arraycopy(bytes, from, part, 0, part.length);
            out.add(part);
        }
        return out;
    }

    /**
     * Joins the parts among a store's {@code records} (key to stored bytes), in place: each value written in parts is
     * put back whole under its key, and the other parts' keys removed. The keys of those values go into
     * {@code parted} with their number of parts; a part no first part counts (there should be none: a store that
     * lost count of its parts would leave one) is removed and given to {@code stale}.
     *
     * @throws IllegalStateException if a part a first part counts is missing: the store is not what was written
     */
    static void join(final Map<String, byte[]> records, final Map<String, Integer> parted,
                     final Consumer<String> stale) {
        final List<String> partKeys = new ArrayList<>();
        final List<String> firsts = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : records.entrySet()) {
            if (isPartKey(e.getKey())) {
                partKeys.add(e.getKey());
            } else if (e.getValue().length > 0 && e.getValue()[0] == FIRST_OF_MANY) {
                firsts.add(e.getKey());
            }
        }
        if (partKeys.isEmpty() && firsts.isEmpty()) {
            return;
        }
        for (String key : firsts) {
            final ByteBuffer first = ByteBuffer.wrap(records.get(key));
            first.get();
            final int parts = first.getInt();
            final ByteBuffer whole = ByteBuffer.allocate(first.getInt()).put(first);
            for (int i = 1; i < parts; i++) {
                final byte[] part = records.remove(partKey(key, i));
                if (part == null) {
                    throw new IllegalStateException("part " + i + " of " + parts + " of the stored value of " + key
                            + " is missing");
                }
                whole.put(part);
            }
            records.put(key, whole.array());
            parted.put(key, parts);
        }
        for (String key : partKeys) {
            if (records.remove(key) != null) {
                stale.accept(key);
            }
        }
    }
}
