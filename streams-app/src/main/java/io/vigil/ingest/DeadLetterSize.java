package io.vigil.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A rejected record cut to what the dead-letter topic takes. The engine's producer sends at most
 * {@code max.request.size} (1 MiB) and a topic Vigil creates takes at most the broker's {@code message.max.bytes}
 * (1 MiB), while an input topic may be configured for larger records: a record of 3 MB refused as {@code record_too_large}, or
 * a bad one just under 1 MiB with the headers added, could not be sent whole, and the failed send stopped the stream
 * thread, at every restart again. Such a record's value (and key, if that alone is too large) is cut to the room
 * there is, its original length in {@code vigil.value.bytes} ({@code vigil.key.bytes}); the whole record stays on the
 * input topic at the offset the headers give.
 *
 * <p>The {@code vigil.} headers are Vigil's: a record's own of that name are not carried over. They would stand
 * before Vigil's and be read as its reason (a dead letter produced back to the input and refused again carries the
 * old one), and, taken for Vigil's, they were never dropped for room: 400 KB of them on a record without a key
 * failed the cut, and the stream thread, at every restart.
 */
final class DeadLetterSize {

    /** The most a dead letter's key, value and headers take: 1 MiB, less room for the record's framing. */
    static final int MAX_RECORD_BYTES = 1024 * 1024 - 4096;
    /** Room kept for the header saying what was cut. */
    private static final int CUT_HEADER_BYTES = 64;
    /** The prefix of the headers Vigil adds. */
    private static final String VIGIL = "vigil.";

    /** A dead letter's key, value and headers as they are sent. */
    record Fitted(byte[] key, byte[] value, Headers headers) {
    }

    private DeadLetterSize() {
    }

    /**
     * {@code key} and {@code value} as they fit with the record's own headers and Vigil's, to which what was cut is
     * added. The record's own headers, but for any named as Vigil's, come first; where they take more than a quarter
     * of the room they are all dropped (theirs is the one cut nothing else can make), their size in
     * {@code vigil.headers.bytes}.
     *
     * @param vigilHeaders the headers Vigil adds, small: the reason and the record's place
     */
    static Fitted fit(final byte[] key, final byte[] value, final Headers recordHeaders, final Headers vigilHeaders) {
        final RecordHeaders own = new RecordHeaders();
        for (Header h : recordHeaders) {
            if (!h.key().startsWith(VIGIL)) {
                own.add(h);
            }
        }
        final int ownBytes = bytes(own);
        final boolean dropOwn = ownBytes > MAX_RECORD_BYTES / 4;
        final RecordHeaders headers = dropOwn ? new RecordHeaders() : own;
        vigilHeaders.forEach(headers::add);
        if (dropOwn) {
            headers.add("vigil.headers.bytes", Integer.toString(ownBytes).getBytes(StandardCharsets.UTF_8));
        }
        int room = MAX_RECORD_BYTES - bytes(headers);
        final int keyLength = key == null ? 0 : key.length;
        final int valueLength = value == null ? 0 : value.length;
        if (keyLength + valueLength <= room) {
            return new Fitted(key, value, headers);
        }
        byte[] fittedKey = key;
        if (key != null && keyLength > room / 2) {
            room -= CUT_HEADER_BYTES;
            fittedKey = Arrays.copyOf(key, Math.max(0, room / 2));
            headers.add("vigil.key.bytes", Integer.toString(keyLength).getBytes(StandardCharsets.UTF_8));
        }
        room -= fittedKey == null ? 0 : fittedKey.length;
        byte[] fittedValue = value;
        if (value != null && valueLength > room) {
            room -= CUT_HEADER_BYTES;
            fittedValue = Arrays.copyOf(value, Math.max(0, room));
            headers.add("vigil.value.bytes", Integer.toString(valueLength).getBytes(StandardCharsets.UTF_8));
        }
        return new Fitted(fittedKey, fittedValue, headers);
    }

    private static int bytes(final Headers headers) {
        int bytes = 0;
        for (Header h : headers) {
            // A header's framing is a few varints: 8 bytes covers it.
            bytes += 8 + h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
        }
        return bytes;
    }
}
