package io.vigil.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A rejected record cut to what the dead-letter topic takes. The engine's producer sends at most
 * {@code max.request.size} (1 MiB) and a topic Vigil creates takes at most the broker's {@code message.max.bytes}
 * (1 MiB), while an input topic may be configured for larger records: a record of 3 MB refused as {@code record_too_large}, or
 * a bad one just under 1 MiB with the headers added, could not be sent whole, and the failed send stopped the stream
 * thread, at every restart again. Such a record's value (and key, if that alone is too large) is cut to the room
 * there is, its original length in {@code vigil.value.bytes} ({@code vigil.key.bytes}); the whole record stays on the
 * input topic at the offset the headers give.
 */
final class DeadLetterSize {

    /** The most a dead letter's key, value and headers take: 1 MiB, less room for the record's framing. */
    static final int MAX_RECORD_BYTES = 1024 * 1024 - 4096;
    /** Room kept for the header saying what was cut. */
    private static final int CUT_HEADER_BYTES = 64;
    /** The prefix of the headers Vigil adds. */
    private static final String VIGIL = "vigil.";

    /** A dead letter's key and value as they are sent. */
    record Fitted(byte[] key, byte[] value) {
    }

    private DeadLetterSize() {
    }

    /**
     * {@code key} and {@code value} as they fit with {@code headers}, to which what was cut is added. Headers of the
     * record's own that take more than a quarter of the room are dropped (theirs is the one cut nothing else can
     * make), their size in {@code vigil.headers.bytes}.
     */
    static Fitted fit(final byte[] key, final byte[] value, final Headers headers) {
        final int own = bytes(headers) - vigilBytes(headers);
        if (own > MAX_RECORD_BYTES / 4) {
            for (Header h : headers.toArray()) {
                if (!h.key().startsWith(VIGIL)) {
                    headers.remove(h.key());
                }
            }
            headers.add("vigil.headers.bytes", Integer.toString(own).getBytes(StandardCharsets.UTF_8));
        }
        int room = MAX_RECORD_BYTES - bytes(headers);
        final int keyLength = key == null ? 0 : key.length;
        final int valueLength = value == null ? 0 : value.length;
        if (keyLength + valueLength <= room) {
            return new Fitted(key, value);
        }
        byte[] fittedKey = key;
        if (keyLength > room / 2) {
            room -= CUT_HEADER_BYTES;
            fittedKey = Arrays.copyOf(key, Math.max(0, room / 2));
            headers.add("vigil.key.bytes", Integer.toString(keyLength).getBytes(StandardCharsets.UTF_8));
        }
        room -= fittedKey == null ? 0 : fittedKey.length;
        byte[] fittedValue = value;
        if (valueLength > room) {
            room -= CUT_HEADER_BYTES;
            fittedValue = Arrays.copyOf(value, Math.max(0, room));
            headers.add("vigil.value.bytes", Integer.toString(valueLength).getBytes(StandardCharsets.UTF_8));
        }
        return new Fitted(fittedKey, fittedValue);
    }

    private static int bytes(final Headers headers) {
        int bytes = 0;
        for (Header h : headers) {
            bytes += bytes(h);
        }
        return bytes;
    }

    private static int vigilBytes(final Headers headers) {
        int bytes = 0;
        for (Header h : headers) {
            bytes += h.key().startsWith(VIGIL) ? bytes(h) : 0;
        }
        return bytes;
    }

    private static int bytes(final Header h) {
        // A header's framing is a few varints: 8 bytes covers it; a key's character is at most 3 bytes of UTF-8.
        return 8 + h.key().length() * 3 + (h.value() == null ? 0 : h.value().length);
    }
}
