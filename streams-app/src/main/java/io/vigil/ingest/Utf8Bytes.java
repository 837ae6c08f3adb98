package io.vigil.ingest;

import static io.vigil.ingest.ByteWords.HIGH_BITS;
import static io.vigil.ingest.ByteWords.word;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The check that a record's bytes are UTF-8, which every input format is. Decoding with {@code new String(bytes,
 * UTF_8)} replaces a bad byte with U+FFFD, so two different byte strings became one label value and their series
 * merged, silently; Jackson refuses a bad start byte but takes an overlong form ({@code 0xC0 0xAF} as {@code /}) and
 * a surrogate in a string it skips. Each decoder but {@link PlainNativeJson} (which reads ASCII only) checks its record
 * first, strictly, as Java's own decoder does (no overlong forms, no surrogates, nothing beyond U+10FFFF).
 */
final class Utf8Bytes {

    private Utf8Bytes() {
    }

    /**
     * The record {@link DeadLetterReason#UNPARSEABLE} when {@code value} is not UTF-8, as JSON that is not is, or
     * null. Costs an ASCII record a scan of eight bytes at a step; only a record with a byte beyond ASCII is decoded.
     */
    static DecodedRecord rejection(final byte[] value) {
        final int at = malformedAt(value);
        return at < 0 ? null : DecodedRecord.rejected(describe(value, at));
    }

    /** Where the first byte that does not belong to a well-formed UTF-8 sequence is, or -1 when there is none. */
    static int malformedAt(final byte[] value) {
        int i = 0;
        while (i + Long.BYTES <= value.length && (word(value, i) & HIGH_BITS) == 0) {
            i += Long.BYTES;
        }
        while (i < value.length && value[i] >= 0) {
            i++;
        }
        if (i == value.length) {
            return -1;
        }
        // From a byte beyond ASCII, which starts a sequence (the byte before it is ASCII), decoded by the JDK.
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(value, i, value.length - i);
        // UTF-8 never decodes to more chars than bytes.
        final CharBuffer out = CharBuffer.allocate(value.length - i);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        return result.isError() ? in.position() : -1;
    }

    /**
     * {@code malformed UTF-8 at line 2 (byte offset 40): 0xFF}, the offset from 0 in the record; lines counted as line
     * protocol counts them. Its position names the column too, which the detail leaves to the offset.
     */
    private static Rejection describe(final byte[] value, final int at) {
        final RecordPosition position = RecordPosition.ofByte(value, at);
        final String bad = String.format("0x%02X", value[at] & 0xFF);
        return new Rejection(DeadLetterReason.UNPARSEABLE, "malformed UTF-8 at line " + position.line()
                + " (byte offset " + at + "): " + bad, "malformed UTF-8: " + bad, position);
    }
}
